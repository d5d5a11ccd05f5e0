import type { Authenticator } from '@portcullis/auth-core';
import type { RelayHook } from '@portcullis/relay';
import type { MessageSink } from '../delivery/sink.js';

export interface SmtpOptions {
  authenticator: Authenticator;
  /** the host name in the greeting, EHLO and Received headers */
  serverName: string;
  /** where accepted messages go (the spool or a smarthost) */
  sink: MessageSink;
  /** bytes; advertised as SIZE and enforced while reading DATA (default 25 MiB) */
  maxMessageSize?: number;
  /** recipients per message (default 100) */
  maxRecipients?: number;
  /** bad commands tolerated (default 10); the next one gets 421 and the connection closes */
  maxBadCommands?: number;
  /**
   * asked after each successful AUTH: continue on an upstream submission server (`relay`, the
   * sink is then not used), answer 454 (`unavailable`), or accept mail here (`builtin`, also
   * without a hook)
   */
  relay?: RelayHook;
}

export const DEFAULT_MAX_MESSAGE_SIZE = 25 * 1024 * 1024;
export const DEFAULT_MAX_RECIPIENTS = 100;
export const DEFAULT_MAX_BAD_COMMANDS = 10;
/** RFC 4954 section 4: an AUTH line with an initial response may be 12288 octets; room for more */
export const MAX_COMMAND_LINE = 16384;
/** DATA is read in pieces of at most this many bytes, whatever its line lengths */
export const DATA_CHUNK = 65536;
