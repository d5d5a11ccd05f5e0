/** What the admin services work with: the same directory and cache the protocols use. */
import type { DirectoryStore, MailboxStore, SessionCache } from '@portcullis/auth-core';
import type { GatewayConfig } from '../config/load.js';
import type { StoreContext } from '../commands/context.js';
import type { LoginLog } from './login-log.js';

export interface AdminDeps extends StoreContext {
  config: GatewayConfig;
  store: DirectoryStore;
  cache: SessionCache;
  loginLog: LoginLog;
  /** the built-in IMAP session's mailboxes and their ACLs (the effective-rights calculator) */
  mailboxes?: MailboxStore;
}
