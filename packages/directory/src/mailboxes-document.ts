/**
 * The shape of one account's mailbox document (auth-core's `AccountMailboxes`), checked the same
 * way by the file and the Redis store. Mailbox names and ACL entries are opaque strings here: the
 * IMAP session decides what a valid name is and the ACL model what the rights mean.
 */
import type { AccountMailboxes, MailboxRecord } from '@portcullis/auth-core';
import { DirectoryError, type DirectoryErrorCode } from './errors.js';
import { canonicalAccount, canonicalDomain } from './names.js';

/** 1..2^32-1 (RFC 9051 nz-number) */
const MAX_UID_VALIDITY = 0xffffffff;

export interface MailboxOwner {
  domain: string;
  account: string;
}

/** `account@domain` in canonical form, or a DirectoryError: the owner becomes a path component. */
export function requireOwner(owner: string): MailboxOwner {
  const at = owner.lastIndexOf('@');
  const account = at > 0 ? canonicalAccount(owner.slice(0, at)) : null;
  const domain = at > 0 ? canonicalDomain(owner.slice(at + 1)) : null;
  if (account === null || domain === null || `${account}@${domain}` !== owner) {
    throw new DirectoryError('invalid-name', `invalid mailbox owner '${owner}' (expected account@domain)`);
  }
  return { domain, account };
}

/** A first UIDVALIDITY that differs from anything handed out before this document existed. */
export function emptyMailboxes(): AccountMailboxes {
  return { mailboxes: {}, nextUidValidity: Math.max(2, Math.floor(Date.now() / 1000)) };
}

function isUidValidity(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_UID_VALIDITY;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `value` checked for shape; `code` says whose fault a bad one is (what was read or what is written). */
export function mailboxesFrom(value: unknown, where: string, code: DirectoryErrorCode = 'corrupt'): AccountMailboxes {
  if (value === null || value === undefined) return emptyMailboxes();
  const fail = (what: string): never => {
    throw new DirectoryError(code, `${where}: ${what}`);
  };
  if (!isObject(value)) fail('expected a mapping with mailboxes and nextUidValidity');
  const doc = value as Record<string, unknown>;
  if (!isUidValidity(doc.nextUidValidity)) fail('nextUidValidity must be a number from 1 to 4294967295');
  const mailboxes: Record<string, MailboxRecord> = {};
  const raw = doc.mailboxes ?? {};
  if (!isObject(raw)) fail('mailboxes must be a mapping of names');
  for (const [name, record] of Object.entries(raw as Record<string, unknown>)) {
    if (name.length === 0) fail('a mailbox name is empty');
    if (!isObject(record) || !isUidValidity(record.uidValidity)) fail(`mailbox '${name}' needs a uidValidity`);
    const rec = record as Record<string, unknown>;
    const acl = rec.acl ?? {};
    if (!isObject(acl) || !Object.values(acl).every((r) => typeof r === 'string')) {
      fail(`the acl of mailbox '${name}' must map names to rights`);
    }
    mailboxes[name] = { uidValidity: rec.uidValidity as number, acl: { ...(acl as Record<string, string>) } };
  }
  return { mailboxes, nextUidValidity: doc.nextUidValidity as number };
}

/** Whether anyone but the owner could be shown anything. */
export function sharesAnything(doc: AccountMailboxes): boolean {
  return Object.values(doc.mailboxes).some((m) => Object.keys(m.acl).length > 0);
}

/**
 * Run a store's `change` and check what it returns; no write when it answers null or when nothing
 * changed (the caller compares the serialised forms).
 */
export function applyChange<T>(
  current: AccountMailboxes,
  change: (current: AccountMailboxes) => { next: AccountMailboxes | null; result: T },
  where: string,
): { next: AccountMailboxes | null; result: T } {
  const { next, result } = change(structuredClone(current));
  return { next: next === null ? null : mailboxesFrom(next, where, 'invalid-name'), result };
}
