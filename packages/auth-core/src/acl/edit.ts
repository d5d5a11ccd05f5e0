/** Changing an ACL the way RFC 4314's SETACL and DELETEACL do; the list given is never mutated. */
import type { Acl, AclEntry } from './acl.js';
import { AclError } from './errors.js';
import { identifierDomain, parseIdentifier, type ParsedIdentifier } from './identifier.js';
import { ACL_RIGHTS, parseRightLetters, subtractRights, unionRights } from './rights.js';

export type RightsChange = { mode: 'replace' | 'add' | 'remove'; rights: string };

/** RFC 4314 mod-rights: 'lr' replaces, '+lr' adds, '-w' removes. Throws AclError on a bad letter. */
export function parseRightsChange(spec: string): RightsChange {
  const mode = spec.startsWith('+') ? 'add' : spec.startsWith('-') ? 'remove' : 'replace';
  const letters = mode === 'replace' ? spec : spec.slice(1);
  const parsed = parseRightLetters(letters);
  if ('bad' in parsed) {
    throw new AclError('bad-rights', `'${parsed.bad}' in '${spec}' is not an ACL right (known: ${ACL_RIGHTS.map((r) => r.letter).join('')}, and c, d)`);
  }
  return { mode, rights: parsed.rights };
}

/** The identifier parsed, or the AclError thrown. */
export function requireIdentifier(id: string): ParsedIdentifier {
  const parsed = parseIdentifier(id);
  if (parsed instanceof AclError) throw parsed;
  return parsed;
}

function sameIdentifier(entry: AclEntry, canonical: string): boolean {
  const p = parseIdentifier(entry.identifier);
  return p instanceof AclError ? entry.identifier === canonical : p.canonical === canonical;
}

/**
 * The ACL with `identifier`'s entry set, added to or taken from. An entry left with no rights is
 * kept: without a prefix it still decides alone for the account it names (it takes rights away).
 * Throws AclError for a bad identifier or right.
 */
export function setAclEntry(acl: Acl, identifier: string, rightsSpec: string): Acl {
  const { canonical } = requireIdentifier(identifier);
  const change = parseRightsChange(rightsSpec);
  // a hand-edited list may hold one identifier twice (in two spellings): they become one entry
  const current = acl.filter((e) => sameIdentifier(e, canonical)).reduce((acc, e) => unionRights(acc, e.rights), '');
  const rights =
    change.mode === 'replace'
      ? change.rights
      : change.mode === 'add'
        ? unionRights(current, change.rights)
        : subtractRights(current, change.rights);
  const entry: AclEntry = { identifier: canonical, rights };
  const index = acl.findIndex((e) => sameIdentifier(e, canonical));
  if (index < 0) return [...acl.map((e) => ({ ...e })), entry];
  return acl.flatMap((e, i) => (i === index ? [entry] : sameIdentifier(e, canonical) ? [] : [{ ...e }]));
}

/** The ACL without `identifier`'s entry (unchanged when there is none). Throws for a bad identifier. */
export function removeAclEntry(acl: Acl, identifier: string): Acl {
  const { canonical } = requireIdentifier(identifier);
  return acl.filter((e) => !sameIdentifier(e, canonical)).map((e) => ({ ...e }));
}

/**
 * The spelling of `identifier` already among `existing` when one names the same thing ('dave' and
 * 'dave@owner.domain' are one account of the owner's domain), so that SETACL and DELETEACL edit
 * that entry instead of adding a second one beside it; else `identifier` itself.
 */
export function existingSpelling(existing: Iterable<string>, identifier: string, ownerDomain: string): string {
  const wanted = parseIdentifier(identifier);
  if (wanted instanceof AclError) return identifier;
  const key = (p: ParsedIdentifier) => `${p.prefix}|${p.kind}|${p.name ?? ''}|${identifierDomain(p, ownerDomain) ?? ''}`;
  const target = key(wanted);
  for (const candidate of existing) {
    const p = parseIdentifier(candidate);
    if (!(p instanceof AclError) && key(p) === target) return candidate;
  }
  return identifier;
}
