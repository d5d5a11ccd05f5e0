/**
 * The mailbox access rights an ACL entry grants: RFC 4314's letters, each with the name the spec
 * and the web admin use. One table, so IMAP (letters) and people (names) never disagree.
 */

export type AclRightLetter = 'l' | 'r' | 's' | 'w' | 'i' | 'p' | 'k' | 'x' | 't' | 'e' | 'a';

export interface AclRightInfo {
  letter: AclRightLetter;
  /** the spec's name (its examples say "Lookup, Select, Seen", "Delete") */
  name: string;
  /** what it lets the holder do, for LISTRIGHTS-like help and the web admin */
  description: string;
}

/** In RFC 4314's order; every rights string this module returns follows it. */
export const ACL_RIGHTS: readonly AclRightInfo[] = [
  { letter: 'l', name: 'Lookup', description: 'see the mailbox in LIST' },
  { letter: 'r', name: 'Select', description: 'open the mailbox and read its messages' },
  { letter: 's', name: 'Seen', description: 'keep the Seen flag' },
  { letter: 'w', name: 'Flags', description: 'set flags other than Seen and Deleted' },
  { letter: 'i', name: 'Insert', description: 'append and copy messages into the mailbox' },
  { letter: 'p', name: 'Post', description: 'send mail to the mailbox address' },
  { letter: 'k', name: 'Create', description: 'create mailboxes below it' },
  { letter: 'x', name: 'DeleteMailbox', description: 'delete or rename the mailbox' },
  { letter: 't', name: 'Delete', description: 'mark messages deleted' },
  { letter: 'e', name: 'Expunge', description: 'expunge deleted messages' },
  { letter: 'a', name: 'Admin', description: 'change the mailbox ACL' },
];

/** Every right, as a rights string: what an owner holds. */
export const ALL_ACL_RIGHTS: string = ACL_RIGHTS.map((r) => r.letter).join('');

/**
 * RFC 4314's obsolete virtual rights an older client may still send: "c" (RFC 2086 create, which
 * also deleted and renamed) and "d" (RFC 2086 delete: mark deleted and expunge).
 */
export const VIRTUAL_ACL_RIGHTS: Readonly<Record<'c' | 'd', string>> = { c: 'kx', d: 'te' };

const LETTERS = new Set<string>(ACL_RIGHTS.map((r) => r.letter));
const BY_NAME = new Map<string, AclRightLetter>(ACL_RIGHTS.map((r) => [r.name.toLowerCase(), r.letter]));

export function isAclRightLetter(c: string): c is AclRightLetter {
  return LETTERS.has(c);
}

/** `rights` (letters, any order, duplicates allowed) in table order without duplicates. */
export function normalizeRights(rights: Iterable<string>): string {
  const set = new Set<string>(rights);
  return ACL_RIGHTS.filter((r) => set.has(r.letter))
    .map((r) => r.letter)
    .join('');
}

/**
 * Letters (virtual c and d expanded) to a normalized rights string; null names the first
 * character that is not a right.
 */
export function parseRightLetters(letters: string): { rights: string } | { bad: string } {
  const out: string[] = [];
  for (const c of letters) {
    if (isAclRightLetter(c)) out.push(c);
    else if (c === 'c' || c === 'd') out.push(...VIRTUAL_ACL_RIGHTS[c]);
    else return { bad: c };
  }
  return { rights: normalizeRights(out) };
}

/** The spec's names ("Lookup, Select, Seen"), any case, comma or space separated, to letters. */
export function parseRightNames(names: string): { rights: string } | { bad: string } {
  const out: string[] = [];
  for (const word of names.split(/[\s,]+/).filter((w) => w.length > 0)) {
    const letter = BY_NAME.get(word.toLowerCase());
    if (!letter) return { bad: word };
    out.push(letter);
  }
  return { rights: normalizeRights(out) };
}

/** Letters to the spec's names, in table order. */
export function rightNames(rights: string): string[] {
  const set = new Set(rights);
  return ACL_RIGHTS.filter((r) => set.has(r.letter)).map((r) => r.name);
}

export function unionRights(a: string, b: string): string {
  return normalizeRights(a + b);
}

export function subtractRights(a: string, b: string): string {
  const drop = new Set(b);
  return normalizeRights([...a].filter((c) => !drop.has(c)));
}
