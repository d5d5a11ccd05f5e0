import type { Authenticator, ConnectionInfo, DirectoryStore, LoginResult } from '@portcullis/auth-core';

/**
 * `AUTH SESSIONID user id`: log in with a session ID instead of a password. The session-ID issue
 * supplies it; without it the command is answered "unsupported".
 */
export type SessionIdLogin = (user: string, sessionId: string, conn: ConnectionInfo) => Promise<LoginResult>;

export interface PwdOptions {
  authenticator: Authenticator;
  /** where NEWPASS stores the new password */
  directory: DirectoryStore;
  /** the host name in the greeting (and the APOP timestamp, via the authenticator) */
  serverName: string;
  /** bad commands tolerated before the connection is closed (default 10) */
  maxBadCommands?: number;
  sessionIdLogin?: SessionIdLogin;
}

export const DEFAULT_MAX_BAD_COMMANDS = 10;
