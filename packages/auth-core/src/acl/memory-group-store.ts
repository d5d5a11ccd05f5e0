/** Groups in memory: for tests and for callers without a directory that keeps groups. */
import type { Group, GroupStore } from '../ports.js';
import { AclError } from './errors.js';
import { groupsContaining, parseGroupMember } from './groups.js';
import { isAclDomainName, isAclLocalName } from './identifier.js';

export function createMemoryGroupStore(): GroupStore {
  const byDomain = new Map<string, Map<string, string[]>>();
  const copy = (domain: string, name: string, members: readonly string[]): Group => ({ name, domain, members: [...members] });
  return {
    async listGroups(domain) {
      const d = domain.toLowerCase();
      return [...(byDomain.get(d) ?? new Map<string, string[]>())].sort(([a], [b]) => a.localeCompare(b)).map(([n, m]) => copy(d, n, m));
    },
    async getGroup(domain, name) {
      const d = domain.toLowerCase();
      const members = byDomain.get(d)?.get(name.toLowerCase());
      return members ? copy(d, name.toLowerCase(), members) : null;
    },
    async setGroup(domain, name, members) {
      const d = domain.toLowerCase();
      const n = name.toLowerCase();
      if (!isAclDomainName(d)) throw new AclError('bad-identifier', `'${domain}' is not a domain name`);
      if (!isAclLocalName(n)) throw new AclError('bad-identifier', `'${name}' is not a group name`);
      for (const m of members) {
        const parsed = parseGroupMember(m, d);
        if (parsed instanceof AclError) throw parsed;
      }
      if (!byDomain.has(d)) byDomain.set(d, new Map());
      byDomain.get(d)!.set(n, [...new Set(members.map((m) => m.trim().toLowerCase()))]);
    },
    async deleteGroup(domain, name) {
      if (!byDomain.get(domain.toLowerCase())?.delete(name.toLowerCase())) {
        throw new AclError('unknown-group', `there is no group ${name.toLowerCase()} in ${domain.toLowerCase()}`);
      }
    },
    async groupsOf(account) {
      const all: Group[] = [];
      for (const [d, groups] of byDomain) for (const [n, m] of groups) all.push(copy(d, n, m));
      return groupsContaining(all, account);
    },
  };
}
