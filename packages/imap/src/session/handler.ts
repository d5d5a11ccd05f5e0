import type { Authenticator } from '@portcullis/auth-core';
import type { ConnectionHandler } from '@portcullis/listener';
import { ImapSession } from './session.js';

export interface ImapOptions {
  authenticator: Authenticator;
  /** the host name in the greeting and the DIGEST-MD5 realm */
  serverName: string;
  /** total literal octets one command may carry (default 64 KiB) */
  maxLiteralSize?: number;
  /** BAD replies before the session is closed (default 10) */
  maxBadCommands?: number;
}

export const DEFAULT_MAX_LITERAL_SIZE = 64 * 1024;
export const DEFAULT_MAX_BAD_COMMANDS = 10;

/** The listener's per-connection handler for the `imap` service. */
export function createImapHandler(options: ImapOptions): ConnectionHandler {
  const config = {
    authenticator: options.authenticator,
    serverName: options.serverName,
    maxLiteralSize: positive(options.maxLiteralSize, DEFAULT_MAX_LITERAL_SIZE),
    maxBadCommands: positive(options.maxBadCommands, DEFAULT_MAX_BAD_COMMANDS),
  };
  // the session's promise itself: an async wrapper would be one more suspended frame per idle connection
  return (conn) => new ImapSession(conn, config).run();
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
}
