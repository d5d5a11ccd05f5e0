/**
 * The spec's effective rights: the owner holds every right; for anyone else an unprefixed entry
 * naming exactly that account decides alone, otherwise the rights of all matching unprefixed
 * entries ("direct"), minus those of matching '-' entries ("removed"), plus those of matching '+'
 * entries ("added"). The removal happens before the addition, so '+' wins over '-'.
 */
import type { Acl, AclEntry, AclExplanation, AclExplanationStep, AclSubject } from './acl.js';
import { GUEST_ACCOUNT, identifierDomain, parseIdentifier, type ParsedIdentifier } from './identifier.js';
import { AclError } from './errors.js';
import { ALL_ACL_RIGHTS, normalizeRights, subtractRights, unionRights } from './rights.js';

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/** Whether an element name covers the subject; relative names mean the owner's domain. */
export function identifierMatches(parsed: ParsedIdentifier, ownerDomain: string, subject: AclSubject): boolean {
  const account = subject.account.toLowerCase();
  const guest = account === GUEST_ACCOUNT;
  switch (parsed.kind) {
    case 'guest':
      return guest;
    case 'anyone':
      return !guest;
    case 'domain':
      return !guest && domainOf(account) === identifierDomain(parsed, ownerDomain);
    case 'account':
      return !guest && account === `${parsed.name}@${identifierDomain(parsed, ownerDomain)}`;
    case 'group': {
      if (guest) return false;
      const wanted = `${parsed.name}@${identifierDomain(parsed, ownerDomain)}`;
      return subject.groups.some((g) => g.toLowerCase() === wanted);
    }
  }
}

interface Matched {
  entry: AclEntry;
  parsed: ParsedIdentifier;
  rights: string;
}

interface Sorted {
  exact: Matched[];
  direct: Matched[];
  removed: Matched[];
  added: Matched[];
  ignored: AclEntry[];
}

function sortEntries(acl: Acl, ownerDomain: string, subject: AclSubject): Sorted {
  const out: Sorted = { exact: [], direct: [], removed: [], added: [], ignored: [] };
  for (const entry of acl) {
    const parsed = parseIdentifier(entry.identifier);
    // a damaged stored entry grants nothing rather than failing every check on the object
    if (parsed instanceof AclError) {
      out.ignored.push(entry);
      continue;
    }
    if (!identifierMatches(parsed, ownerDomain, subject)) continue;
    const m: Matched = { entry, parsed, rights: normalizeRights(entry.rights) };
    if (parsed.prefix === '-') out.removed.push(m);
    else if (parsed.prefix === '+') out.added.push(m);
    else {
      out.direct.push(m);
      if (parsed.kind === 'account') out.exact.push(m);
    }
  }
  return out;
}

function merged(list: readonly Matched[]): string {
  return list.reduce((acc, m) => unionRights(acc, m.rights), '');
}

function isOwner(owner: string, subject: AclSubject): boolean {
  return owner.toLowerCase() === subject.account.toLowerCase() && subject.account.toLowerCase() !== GUEST_ACCOUNT;
}

/** The subject's effective rights on an object owned by `owner` (user@domain), in table order. */
export function effectiveRights(acl: Acl, owner: string, subject: AclSubject): string {
  if (isOwner(owner, subject)) return ALL_ACL_RIGHTS;
  const s = sortEntries(acl, domainOf(owner), subject);
  if (s.exact.length > 0) return merged(s.exact);
  return unionRights(subtractRights(merged(s.direct), merged(s.removed)), merged(s.added));
}

function listed(list: readonly Matched[]): string {
  return list.length === 0 ? 'no matching entries' : list.map((m) => `${m.entry.identifier} (${m.rights || 'no rights'})`).join(', ');
}

/** effectiveRights with every step of the computation, for the admin API and the web admin. */
export function explainEffectiveRights(acl: Acl, owner: string, subject: AclSubject): AclExplanation {
  const steps: AclExplanationStep[] = [];
  const who = subject.account.toLowerCase();
  if (isOwner(owner, subject)) {
    steps.push({ step: 'owner', detail: `${who} owns the object and holds every right`, rights: ALL_ACL_RIGHTS });
    return { rights: ALL_ACL_RIGHTS, steps };
  }
  const s = sortEntries(acl, domainOf(owner), subject);
  if (s.ignored.length > 0) {
    steps.push({
      step: 'ignored',
      detail: `invalid entries grant nothing: ${s.ignored.map((e) => `'${e.identifier}'`).join(', ')}`,
      rights: '',
    });
  }
  if (s.exact.length > 0) {
    const rights = merged(s.exact);
    steps.push({
      step: 'exact',
      detail: `an entry without a prefix names ${who} itself, so it alone decides: ${listed(s.exact)}`,
      rights,
    });
    steps.push({ step: 'effective', detail: `the rights of the exact entry`, rights });
    return { rights, steps };
  }
  const direct = merged(s.direct);
  const removed = merged(s.removed);
  const added = merged(s.added);
  const kept = subtractRights(direct, removed);
  const rights = unionRights(kept, added);
  steps.push({ step: 'exact', detail: `no entry without a prefix names ${who} itself`, rights: '' });
  steps.push({ step: 'direct', detail: `entries without a prefix: ${listed(s.direct)}`, rights: direct });
  steps.push({ step: 'removed', detail: `entries with '-': ${listed(s.removed)}`, rights: removed });
  steps.push({ step: 'added', detail: `entries with '+': ${listed(s.added)}`, rights: added });
  steps.push({ step: 'direct minus removed', detail: `'${direct}' without '${removed}'`, rights: kept });
  steps.push({ step: 'plus added', detail: `'${kept}' with '${added}'`, rights });
  steps.push({ step: 'effective', detail: rights ? `${who} holds '${rights}'` : `${who} holds no rights`, rights });
  return { rights, steps };
}
