import { aclSubjectFor, type Authenticator, type DirectoryStore, type MailboxStore } from '@portcullis/auth-core';
import type { ConnectionHandler } from '@portcullis/listener';
import type { RelayHook } from '@portcullis/relay';
import { createMemoryMailboxStore } from '../store/memory-mailbox-store.js';
import { ImapSession } from './session.js';

export interface ImapOptions {
  authenticator: Authenticator;
  /** the host name in the greeting and the DIGEST-MD5 realm */
  serverName: string;
  /** total literal octets one command may carry (default 64 KiB) */
  maxLiteralSize?: number;
  /** BAD replies before the session is closed (default 10) */
  maxBadCommands?: number;
  /** mailbox names and ACLs of the built-in session (default: in this process's memory) */
  mailboxes?: MailboxStore;
  /** groups for ACL entries naming them, and "real names only" for SETACL */
  directory?: DirectoryStore;
  /** after each login: continue on an upstream server (relay), answer NO [UNAVAILABLE], or built-in */
  relay?: RelayHook;
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
    mailboxes: options.mailboxes ?? createMemoryMailboxStore(),
    groupsOf: groupsResolver(options.directory),
    ...(options.directory ? { directory: options.directory } : {}),
    ...(options.relay ? { relay: options.relay } : {}),
  };
  // the session's promise itself: an async wrapper would be one more suspended frame per idle connection
  return (conn) => new ImapSession(conn, config).run();
}

/** An account's groups from the directory when it keeps groups, else none. */
function groupsResolver(directory: DirectoryStore | undefined): (account: string) => Promise<string[]> {
  if (!directory) return async () => [];
  return async (account) => [...(await aclSubjectFor(directory, account)).groups];
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
}
