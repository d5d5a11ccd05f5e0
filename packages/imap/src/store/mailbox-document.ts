/**
 * Changes to one account's mailbox document (auth-core's `AccountMailboxes`), as pure functions:
 * the stores run them inside their atomic read-modify-write, where they may run more than once.
 * INBOX always exists; it has a record only once its ACL was changed.
 */
import { aclFromRecord, aclToRecord, type Acl, type AccountMailboxes, type MailboxRecord } from '@portcullis/auth-core';
import { DELIMITER, INBOX, MAX_MAILBOXES, parentOf } from './mailbox-names.js';

/** INBOX's UIDVALIDITY: it is never deleted or renamed, so it never needs another. */
export const INBOX_UIDVALIDITY = 1;

export type Change<T> = { next: AccountMailboxes | null; result: T };

export function mailboxExists(doc: AccountMailboxes, name: string): boolean {
  return name === INBOX || Object.hasOwn(doc.mailboxes, name);
}

/** The record of an existing mailbox (INBOX's default one when it has none), else null. */
export function mailboxRecord(doc: AccountMailboxes, name: string): MailboxRecord | null {
  if (Object.hasOwn(doc.mailboxes, name)) return doc.mailboxes[name]!;
  return name === INBOX ? { uidValidity: INBOX_UIDVALIDITY, acl: {} } : null;
}

export function mailboxAcl(doc: AccountMailboxes, name: string): Acl {
  return aclFromRecord(mailboxRecord(doc, name)?.acl ?? {});
}

/** Every mailbox name of the account, INBOX first. */
export function mailboxNames(doc: AccountMailboxes): string[] {
  return [INBOX, ...Object.keys(doc.mailboxes).filter((n) => n !== INBOX).sort()];
}

export function hasChildren(doc: AccountMailboxes, name: string): boolean {
  const prefix = name + DELIMITER;
  return mailboxNames(doc).some((n) => n.startsWith(prefix));
}

/** `name` and the parents it lacks, top first. */
function missingLevels(doc: AccountMailboxes, name: string): string[] {
  const out: string[] = [];
  for (let n: string | null = name; n !== null && !mailboxExists(doc, n); n = parentOf(n)) out.unshift(n);
  return out;
}

/** The ACL of the nearest existing ancestor of `name` (empty at the top level). */
function inheritedAcl(doc: AccountMailboxes, name: string): Record<string, string> {
  for (let n = parentOf(name); n !== null; n = parentOf(n)) {
    const record = mailboxRecord(doc, n);
    if (record) return { ...record.acl };
  }
  return {};
}

/**
 * The document with new mailboxes `names` (top first), each with a fresh UIDVALIDITY and the ACL
 * of its nearest existing ancestor, as Cyrus does: a mailbox created inside a shared one is shared
 * with the same people, so that whoever created it there can still see it.
 */
function withMailboxes(doc: AccountMailboxes, names: string[]): AccountMailboxes {
  const mailboxes = { ...doc.mailboxes };
  let next = doc.nextUidValidity;
  const acl = names.length > 0 ? inheritedAcl(doc, names[0]!) : {};
  for (const n of names) mailboxes[n] = { uidValidity: next++, acl: { ...acl } };
  return { mailboxes, nextUidValidity: next };
}

export type CreateResult = 'created' | 'exists' | 'too-many';

/** CREATE: the mailbox and any missing parents (RFC 9051 6.3.4), each with a new UIDVALIDITY. */
export function createMailbox(doc: AccountMailboxes, name: string): Change<CreateResult> {
  if (mailboxExists(doc, name)) return { next: null, result: 'exists' };
  const levels = missingLevels(doc, name);
  if (Object.keys(doc.mailboxes).length + levels.length > MAX_MAILBOXES) return { next: null, result: 'too-many' };
  return { next: withMailboxes(doc, levels), result: 'created' };
}

export type DeleteResult = 'deleted' | 'nonexistent' | 'inbox' | 'has-children';

/**
 * DELETE. A mailbox with children is refused ([HASCHILDREN], RFC 9051 7.1): this store has no
 * \Noselect placeholders to leave behind.
 */
export function deleteMailbox(doc: AccountMailboxes, name: string): Change<DeleteResult> {
  if (name === INBOX) return { next: null, result: 'inbox' };
  if (!mailboxExists(doc, name)) return { next: null, result: 'nonexistent' };
  if (hasChildren(doc, name)) return { next: null, result: 'has-children' };
  const mailboxes = { ...doc.mailboxes };
  delete mailboxes[name];
  return { next: { ...doc, mailboxes }, result: 'deleted' };
}

export type RenameResult = 'renamed' | 'nonexistent' | 'inbox' | 'exists' | 'into-itself' | 'too-many';

/**
 * RENAME: the mailbox and its children move, keeping their UIDVALIDITY and ACLs; missing parents
 * of the new name are created. Renaming INBOX (which moves its messages) is not offered.
 */
export function renameMailbox(doc: AccountMailboxes, from: string, to: string): Change<RenameResult> {
  if (from === INBOX || to === INBOX) return { next: null, result: 'inbox' };
  if (!mailboxExists(doc, from)) return { next: null, result: 'nonexistent' };
  if (mailboxExists(doc, to)) return { next: null, result: 'exists' };
  if (to.startsWith(from + DELIMITER)) return { next: null, result: 'into-itself' };
  const prefix = from + DELIMITER;
  const mailboxes: Record<string, MailboxRecord> = {};
  for (const [n, rec] of Object.entries(doc.mailboxes)) {
    if (n === from) mailboxes[to] = rec;
    else if (n.startsWith(prefix)) mailboxes[to + n.slice(from.length)] = rec;
    else mailboxes[n] = rec;
  }
  const moved: AccountMailboxes = { ...doc, mailboxes };
  const parents = missingLevels(moved, parentOf(to) ?? to).filter((n) => n !== to);
  if (Object.keys(mailboxes).length + parents.length > MAX_MAILBOXES) return { next: null, result: 'too-many' };
  return { next: withMailboxes(moved, parents), result: 'renamed' };
}

/** The document with `name`'s ACL replaced (the mailbox must exist). */
export function withAcl(doc: AccountMailboxes, name: string, acl: Acl): AccountMailboxes {
  const record = mailboxRecord(doc, name);
  if (!record) throw new Error(`withAcl: no mailbox ${name}`);
  return { ...doc, mailboxes: { ...doc.mailboxes, [name]: { ...record, acl: aclToRecord(acl) } } };
}
