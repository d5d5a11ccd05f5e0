/** What the mailbox and ACL command modules need from the session that runs them. */
import type { MailboxAccess } from './mailbox-access.js';

export interface SelectedMailbox {
  owner: string;
  name: string;
  external: string;
  readOnly: boolean;
}

export interface CommandContext {
  readonly access: MailboxAccess;
  /** untagged data, already IMAP syntax */
  write(data: string): void;
  reply(tag: string, status: 'OK' | 'NO', text: string, code?: string): void;
  /** a BAD reply (counted towards the session's limit) */
  bad(tag: string, text: string): Promise<void>;
  /** SELECT/EXAMINE: the mailbox now selected, or null after a failed SELECT */
  select(mailbox: SelectedMailbox | null): void;
  /** the connection's logger, at info (never with arguments that could hold secrets) */
  log(fields: Record<string, unknown>, message: string): void;
}

/** RFC 5530 codes for "no such mailbox" and "not allowed". */
export function nonexistent(ctx: CommandContext, tag: string): void {
  ctx.reply(tag, 'NO', 'mailbox does not exist', 'NONEXISTENT');
}

/**
 * Refusal for lack of a right. Without any right on it the mailbox is answered as nonexistent, so
 * that nobody learns the names of mailboxes they were not shown (RFC 4314 section 4).
 */
export function refuse(ctx: CommandContext, tag: string, rights: string, needed: string): void {
  if (rights.length === 0) return nonexistent(ctx, tag);
  ctx.reply(tag, 'NO', `permission denied: the ${needed} right is needed`, 'NOPERM');
}
