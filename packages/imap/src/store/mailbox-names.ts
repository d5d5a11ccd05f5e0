/**
 * Mailbox names as a client sees them, and what they refer to. An account's own mailboxes are in
 * the personal namespace ("" with delimiter "/"); another account's are shown under
 * `Other Users/<account@domain>/<name>` (the layout Dovecot's shared namespace uses, with the full
 * address so that accounts of every domain fit). `Other Users/<account>/...` without a domain
 * means an account of the viewer's own domain.
 */
import { isAclDomainName, isAclLocalName } from '@portcullis/auth-core';

export const DELIMITER = '/';
export const INBOX = 'INBOX';
/** The Other Users namespace prefix, without its trailing delimiter. */
export const OTHER_USERS = 'Other Users';
/** Longest mailbox name (UTF-8 octets) and deepest hierarchy an account may create. */
export const MAX_NAME_OCTETS = 255;
export const MAX_DEPTH = 16;
/** Mailboxes one account may hold: a document read on every LIST must stay small. */
export const MAX_MAILBOXES = 1000;

export type MailboxRef =
  /** a mailbox of `owner`, by its name in the owner's personal namespace */
  | { kind: 'mailbox'; owner: string; name: string }
  /** `Other Users` itself, or `Other Users/<owner>`: names that exist only to hold others' mailboxes */
  | { kind: 'namespace'; owner: string | null }
  | { kind: 'invalid'; reason: string };

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

/** INBOX is case-insensitive, also as the first level of a hierarchy (RFC 9051 5.1). */
function normaliseInbox(name: string): string {
  const slash = name.indexOf(DELIMITER);
  const first = slash < 0 ? name : name.slice(0, slash);
  return first.toUpperCase() === INBOX ? INBOX + name.slice(first.length) : name;
}

/** Why `name` cannot be a mailbox name in a personal namespace, or null when it can. */
export function nameProblem(name: string): string | null {
  if (name.length === 0) return 'empty mailbox name';
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_OCTETS) return `mailbox name longer than ${MAX_NAME_OCTETS} octets`;
  // eslint-disable-next-line no-control-regex -- control characters are what we refuse
  if (/[\x00-\x1f\x7f]/.test(name)) return 'control character in mailbox name';
  if (/[*%]/.test(name)) return 'wildcard in mailbox name';
  const parts = name.split(DELIMITER);
  if (parts.some((p) => p.length === 0)) return 'empty hierarchy level in mailbox name';
  if (parts.length > MAX_DEPTH) return `mailbox hierarchy deeper than ${MAX_DEPTH} levels`;
  if (parts[0] === OTHER_USERS) return `"${OTHER_USERS}" is the shared namespace, not a mailbox`;
  return null;
}

/**
 * What `input` (as the client sent it) names, for `viewer` (account@domain). A trailing delimiter
 * is dropped (CREATE "foo/" announces children, RFC 9051 6.3.4).
 */
export function resolveMailboxName(input: string, viewer: string): MailboxRef {
  const trimmed = input.length > 1 && input.endsWith(DELIMITER) ? input.slice(0, -1) : input;
  if (trimmed === OTHER_USERS) return { kind: 'namespace', owner: null };
  if (!trimmed.startsWith(OTHER_USERS + DELIMITER)) {
    const problem = nameProblem(trimmed);
    return problem ? { kind: 'invalid', reason: problem } : { kind: 'mailbox', owner: viewer, name: normaliseInbox(trimmed) };
  }
  const rest = trimmed.slice(OTHER_USERS.length + 1);
  const slash = rest.indexOf(DELIMITER);
  const who = (slash < 0 ? rest : rest.slice(0, slash)).toLowerCase();
  const at = who.indexOf('@');
  const local = at < 0 ? who : who.slice(0, at);
  const domain = at < 0 ? domainOf(viewer) : who.slice(at + 1);
  if (!isAclLocalName(local) || !isAclDomainName(domain) || who.indexOf('@') !== who.lastIndexOf('@')) {
    return { kind: 'invalid', reason: `"${who}" is not an account in ${OTHER_USERS}` };
  }
  const owner = `${local}@${domain}`;
  if (slash < 0) return { kind: 'namespace', owner };
  const name = rest.slice(slash + 1);
  const problem = nameProblem(name);
  return problem ? { kind: 'invalid', reason: problem } : { kind: 'mailbox', owner, name: normaliseInbox(name) };
}

/** The name `viewer` sees for `owner`'s mailbox `name`. */
export function externalName(owner: string, name: string, viewer: string): string {
  return owner === viewer ? name : `${OTHER_USERS}${DELIMITER}${owner}${DELIMITER}${name}`;
}

/** The parent of a hierarchical name, or null at the top level. */
export function parentOf(name: string): string | null {
  const slash = name.lastIndexOf(DELIMITER);
  return slash < 0 ? null : name.slice(0, slash);
}

/**
 * RFC 9051 6.3.9 pattern matching: `*` matches anything, `%` anything but the delimiter. The
 * reference is prefixed unless the pattern is absolute. Names are case-sensitive except INBOX, so
 * INBOX and the names below it are matched without regard to case.
 */
export function listPattern(reference: string, pattern: string): (name: string) => boolean {
  const full = pattern.startsWith(DELIMITER) ? pattern : reference + pattern;
  let re = '^';
  for (const ch of full) {
    if (ch === '*') re += '.*';
    else if (ch === '%') re += '[^/]*';
    else re += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  const exact = new RegExp(`${re}$`, 's');
  const anyCase = new RegExp(`${re}$`, 'is');
  return (name) => (name === INBOX || name.startsWith(INBOX + DELIMITER) ? anyCase.test(name) : exact.test(name));
}
