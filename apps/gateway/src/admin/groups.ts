/** A domain's groups (ACL entries '#GROUP'), through the `group` command's operations. */
import { deleteGroupNamed, listGroupsIn, putGroup } from '../commands/group.js';
import { canReadDomain, canWriteDomain } from './access.js';
import type { Caller } from './caller.js';
import type { AdminDeps } from './deps.js';
import { visibleDomain } from './domains.js';
import { badRequest, guarded } from './errors.js';

export interface GroupView {
  name: string;
  /** as stored: 'user' (this domain), 'user@domain', '#group', '#group@domain' */
  members: string[];
}

function groupName(raw: string): string {
  const name = raw.startsWith('#') ? raw.slice(1) : raw;
  if (name.length === 0 || name.includes('@')) throw badRequest(`'${raw}' is not a group name (the domain is in the path)`);
  return name;
}

export async function listGroups(deps: AdminDeps, caller: Caller, rawDomain: string): Promise<GroupView[]> {
  const domain = await visibleDomain(deps, caller, rawDomain, canReadDomain);
  const { groups } = await guarded(() => listGroupsIn(deps, domain));
  return groups.map((g) => ({ name: g.name, members: [...g.members] })).sort((a, b) => a.name.localeCompare(b.name));
}

/** Create or replace the group with these members (each must be a real account or group). */
export async function setGroup(deps: AdminDeps, caller: Caller, rawDomain: string, rawName: string, members: readonly string[]): Promise<GroupView> {
  const domain = await visibleDomain(deps, caller, rawDomain, canWriteDomain);
  const group = await guarded(() => putGroup(deps, `${groupName(rawName)}@${domain}`, members, 'replace'));
  return { name: group.name, members: [...group.members] };
}

export async function deleteGroup(deps: AdminDeps, caller: Caller, rawDomain: string, rawName: string): Promise<void> {
  const domain = await visibleDomain(deps, caller, rawDomain, canWriteDomain);
  await guarded(() => deleteGroupNamed(deps, `${groupName(rawName)}@${domain}`));
}
