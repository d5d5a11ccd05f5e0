import type { Authenticator } from '@portcullis/auth-core';
import type { RelayHook } from '@portcullis/relay';

export interface PopOptions {
  authenticator: Authenticator;
  /** the host name in the greeting and sign-off (and the APOP timestamp, via the authenticator) */
  serverName: string;
  /** bad commands tolerated before the connection is closed (default 10) */
  maxBadCommands?: number;
  /**
   * asked after each successful login: continue on an upstream server (`relay`), answer with a
   * temporary failure (`unavailable`), or serve the built-in maildrop (`builtin`, also without a hook)
   */
  relay?: RelayHook;
}

export const DEFAULT_MAX_BAD_COMMANDS = 10;
