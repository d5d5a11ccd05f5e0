/** Group membership: what a group member entry means, and which groups an account is in. */
import type { DirectoryStore, Group, GroupStore } from '../ports.js';
import type { AclSubject } from './acl.js';
import { AclError } from './errors.js';
import { GUEST_ACCOUNT, isAclDomainName, isAclLocalName } from './identifier.js';

/** Whether a directory store also keeps groups (an optional capability). */
export function hasGroupStore<T extends object>(store: T): store is T & GroupStore {
  const s = store as Partial<GroupStore>;
  return (
    typeof s.listGroups === 'function' &&
    typeof s.getGroup === 'function' &&
    typeof s.setGroup === 'function' &&
    typeof s.deleteGroup === 'function' &&
    typeof s.groupsOf === 'function'
  );
}

export interface GroupMember {
  kind: 'account' | 'group';
  name: string;
  /** the member's domain; a member written without one is in the group's domain */
  domain: string;
  /** name@domain, or #name@domain for a group */
  canonical: string;
}

/** A member as written in a group ('joe', 'joe@x.test', '#team', '#team@x.test'); AclError if bad. */
export function parseGroupMember(member: string, groupDomain: string): GroupMember | AclError {
  const lower = member.trim().toLowerCase();
  const group = lower.startsWith('#');
  const body = group ? lower.slice(1) : lower;
  const at = body.indexOf('@');
  const name = at < 0 ? body : body.slice(0, at);
  const domain = at < 0 ? groupDomain.toLowerCase() : body.slice(at + 1);
  if (!isAclLocalName(name) || (at >= 0 && !isAclDomainName(domain)) || body.indexOf('@') !== body.lastIndexOf('@')) {
    return new AclError('bad-identifier', `invalid group member '${member}': expected NAME, NAME@DOMAIN, #GROUP or #GROUP@DOMAIN`);
  }
  return { kind: group ? 'group' : 'account', name, domain, canonical: `${group ? '#' : ''}${name}@${domain}` };
}

/**
 * 'name@domain' of every group in `groups` that `account` belongs to, directly or through nested
 * groups (cycles are harmless). Members that do not parse count for nobody.
 */
export function groupsContaining(groups: Iterable<Group>, account: string): string[] {
  const who = account.toLowerCase();
  const all = [...groups].map((g) => ({
    key: `${g.name.toLowerCase()}@${g.domain.toLowerCase()}`,
    members: g.members.map((m) => parseGroupMember(m, g.domain)).filter((m): m is GroupMember => !(m instanceof AclError)),
  }));
  const found = new Set<string>();
  for (const g of all) if (g.members.some((m) => m.kind === 'account' && m.canonical === who)) found.add(g.key);
  // nested groups: keep adding groups that contain a group already found, until nothing changes
  let grew = found.size > 0;
  while (grew) {
    grew = false;
    for (const g of all) {
      if (found.has(g.key)) continue;
      if (g.members.some((m) => m.kind === 'group' && found.has(m.canonical.slice(1)))) {
        found.add(g.key);
        grew = true;
      }
    }
  }
  return [...found].sort();
}

/** The subject an ACL check needs for `account` (user@domain): its groups from the store, if any. */
export async function aclSubjectFor(store: DirectoryStore, account: string): Promise<AclSubject> {
  const canonical = account.toLowerCase();
  if (canonical === GUEST_ACCOUNT || !hasGroupStore(store)) return { account: canonical, groups: [] };
  return { account: canonical, groups: await store.groupsOf(canonical) };
}
