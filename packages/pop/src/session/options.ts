import type { Authenticator } from '@portcullis/auth-core';

export interface PopOptions {
  authenticator: Authenticator;
  /** the host name in the greeting and sign-off (and the APOP timestamp, via the authenticator) */
  serverName: string;
  /** bad commands tolerated before the connection is closed (default 10) */
  maxBadCommands?: number;
}

export const DEFAULT_MAX_BAD_COMMANDS = 10;
