/**
 * ACL element names as the spec writes them: null@null, anyone, anyone@, anyone@DOMAIN, ACCOUNT,
 * ACCOUNT@DOMAIN, #GROUP, #GROUP@DOMAIN, each optionally prefixed with + or -. A name without a
 * domain is relative: it means the domain of the ACL's owner.
 */
import { AclError } from './errors.js';

/** '' for a "direct" element, '+' for an added one, '-' for a removed one. */
export type AclPrefix = '' | '+' | '-';

/**
 * - guest: null@null, non-authenticated users
 * - anyone: every authenticated account
 * - domain: every account of `domain` (null: the owner's domain, written `anyone@`)
 * - account: the account `name` in `domain` (null: the owner's domain)
 * - group: members of group `name` in `domain` (null: the owner's domain)
 */
export type AclIdentifierKind = 'guest' | 'anyone' | 'domain' | 'account' | 'group';

export interface ParsedIdentifier {
  prefix: AclPrefix;
  kind: AclIdentifierKind;
  /** account or group name, lower case; null for guest, anyone and domain */
  name: string | null;
  /** lower case; null when relative to the owner's domain (and for guest and anyone) */
  domain: string | null;
  /** the identifier in canonical spelling (lower case), prefix included */
  canonical: string;
}

/** The subject a guest (non-authenticated) check uses as its account. */
export const GUEST_ACCOUNT = 'null@null';

// The directory's own name rules (packages/directory/src/names.ts), so an identifier that passes
// here can name a stored account, group or domain.
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const LOCAL_PART = /^[a-z0-9_](?:[a-z0-9._+=-]{0,62}[a-z0-9_+=-])?$/;

export function isAclDomainName(name: string): boolean {
  return name.length > 0 && name.length <= 253 && name.split('.').every((l) => DNS_LABEL.test(l));
}

export function isAclLocalName(name: string): boolean {
  return LOCAL_PART.test(name) && !name.includes('..');
}

function bad(id: string, why: string): AclError {
  return new AclError('bad-identifier', `invalid ACL identifier '${id}': ${why}`);
}

/** Parses and canonicalizes an identifier; an AclError (returned, not thrown) says what is wrong. */
export function parseIdentifier(id: string): ParsedIdentifier | AclError {
  if (typeof id !== 'string' || id.length === 0) return bad(String(id), 'empty');
  if (id.length > 320) return bad(id.slice(0, 40) + '...', 'too long');
  if ([...id].some((c) => c.charCodeAt(0) <= 0x20 || c.charCodeAt(0) === 0x7f || /\s/.test(c))) {
    return bad(id, 'contains spaces or control characters');
  }
  let rest = id.toLowerCase();
  let prefix: AclPrefix = '';
  if (rest.startsWith('+') || rest.startsWith('-')) {
    prefix = rest[0] as AclPrefix;
    rest = rest.slice(1);
  }
  const make = (kind: AclIdentifierKind, name: string | null, domain: string | null, body: string): ParsedIdentifier => ({
    prefix,
    kind,
    name,
    domain,
    canonical: prefix + body,
  });
  if (rest === GUEST_ACCOUNT) return make('guest', null, null, rest);
  const group = rest.startsWith('#');
  const body = group ? rest.slice(1) : rest;
  const at = body.indexOf('@');
  if (at !== body.lastIndexOf('@')) return bad(id, "more than one '@'");
  const local = at < 0 ? body : body.slice(0, at);
  const domain = at < 0 ? null : body.slice(at + 1);
  if (domain !== null && domain !== '' && !isAclDomainName(domain)) return bad(id, `'${domain}' is not a domain name`);
  if (!group && local === 'anyone') {
    if (domain === null) return make('anyone', null, null, 'anyone');
    return make('domain', null, domain === '' ? null : domain, rest);
  }
  if (domain === '') return bad(id, "nothing after '@' (only anyone@ may end with '@')");
  if (local === '') return bad(id, group ? "no group name after '#'" : 'no account name');
  if (!isAclLocalName(local)) return bad(id, `'${local}' is not ${group ? 'a group' : 'an account'} name`);
  return make(group ? 'group' : 'account', local, domain, rest);
}

/** The identifier's domain, with a relative one resolved to the owner's domain. */
export function identifierDomain(parsed: ParsedIdentifier, ownerDomain: string): string | null {
  if (parsed.kind === 'guest' || parsed.kind === 'anyone') return null;
  return parsed.domain ?? ownerDomain.toLowerCase();
}
