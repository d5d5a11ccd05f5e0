/**
 * A domain's groups document: group names -> lists of members ('user', 'user@domain', '#group',
 * '#group@domain'). Both stores keep it in this shape; auth-core says what membership means.
 */
import { AclError, parseGroupMember, type Group, type GroupMember } from '@portcullis/auth-core';
import { DirectoryError, type DirectoryErrorCode } from './errors.js';
import { canonicalAccount } from './names.js';

export type DomainGroups = Record<string, string[]>;

/** A checked group name (the account-name rules: it may become part of a key, never of a path). */
export function requireGroupName(name: string, code: DirectoryErrorCode = 'invalid-name'): string {
  const c = canonicalAccount(name);
  if (c === null || c !== name) throw new DirectoryError(code, `invalid group name '${name}'`);
  return c;
}

/** Members canonical (lower case, trimmed), without duplicates, each a valid member. */
export function groupMembersFrom(value: unknown, domain: string, where: string, code: DirectoryErrorCode): string[] {
  if (!Array.isArray(value) || !value.every((m): m is string => typeof m === 'string')) {
    throw new DirectoryError(code, `${where}: the members must be a list of names`);
  }
  const out: string[] = [];
  for (const raw of value) {
    const parsed = parseGroupMember(raw, domain);
    if (parsed instanceof AclError) throw new DirectoryError(code, `${where}: ${parsed.message}`);
    const m = raw.trim().toLowerCase();
    if (!out.includes(m)) out.push(m);
  }
  return out;
}

/** A groups document checked for shape; `code` says whose fault a bad shape is. */
export function groupsFrom(value: unknown, domain: string, where: string, code: DirectoryErrorCode = 'corrupt'): DomainGroups {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new DirectoryError(code, `${where}: expected a mapping of group names to lists of members`);
  }
  const out: DomainGroups = {};
  for (const [name, members] of Object.entries(value)) {
    requireGroupName(name, code);
    out[name] = groupMembersFrom(members, domain, `${where}: group ${name}`, code);
  }
  return out;
}

export function groupList(domain: string, doc: DomainGroups): Group[] {
  return Object.keys(doc)
    .sort()
    .map((name) => ({ name, domain, members: [...doc[name]!] }));
}

/**
 * Drop the members `drop` matches from every group of `doc` (in place); the names of the groups
 * that changed. Deleting an account or domain uses it so that nobody later created under the same
 * name inherits the old one's memberships.
 */
export function dropMembers(doc: DomainGroups, domain: string, drop: (member: GroupMember) => boolean): string[] {
  const changed: string[] = [];
  for (const [name, members] of Object.entries(doc)) {
    const kept = members.filter((m) => {
      const parsed = parseGroupMember(m, domain);
      return parsed instanceof AclError || !drop(parsed);
    });
    if (kept.length !== members.length) {
      doc[name] = kept;
      changed.push(name);
    }
  }
  return changed;
}

/** The members naming account `name` of a domain known by `domainNames` (its name and aliases). */
export const accountMember =
  (name: string, domainNames: ReadonlySet<string>) =>
  (m: GroupMember): boolean =>
    m.kind === 'account' && m.name === name && domainNames.has(m.domain);

/** The members (accounts and groups) of a domain known by `domainNames`. */
export const domainMember =
  (domainNames: ReadonlySet<string>) =>
  (m: GroupMember): boolean =>
    domainNames.has(m.domain);
