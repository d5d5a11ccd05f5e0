/**
 * `portcullis group create|delete|show|list|add|remove`: the groups ACL entries name as #GROUP.
 * The operations take a StoreContext so that the admin API shares them.
 */
import {
  AclError,
  hasGroupStore,
  parseGroupMember,
  validateAclIdentifier,
  type Group,
  type GroupStore,
} from '@portcullis/auth-core';
import { canonicalAccount, DirectoryError } from '@portcullis/directory';
import { CommandError, UsageError } from '../errors.js';
import { asCliError, NotFoundError, requireDomain, type CommandContext, type StoreContext } from './context.js';

export function groupStore(ctx: StoreContext): GroupStore {
  if (!hasGroupStore(ctx.store)) throw new CommandError('this directory does not keep groups');
  return ctx.store;
}

export interface GroupAddress {
  name: string;
  /** the real (canonical) domain name, also when an alias was given */
  domain: string;
}

/** `GROUP@DOMAIN`, `#GROUP@DOMAIN` or `GROUP` (the main domain); the domain may be an alias. */
export async function resolveGroup(ctx: StoreContext, address: string): Promise<GroupAddress> {
  const bare = address.startsWith('#') ? address.slice(1) : address;
  const at = bare.lastIndexOf('@');
  const local = at >= 0 ? bare.slice(0, at) : bare;
  const name = canonicalAccount(local);
  if (name === null) throw new UsageError(`'${local}' is not a valid group name`);
  const domain = await requireDomain(ctx.store, at >= 0 ? bare.slice(at + 1) : ctx.config.mainDomain);
  return { name, domain: domain.name };
}

/** The canonical member ('joe@x.test', '#team@x.test') of a member as written, for comparing. */
function memberKey(member: string, domain: string): string {
  const m = parseGroupMember(member, domain);
  if (m instanceof AclError) throw new UsageError(m.message);
  return m.canonical;
}

/**
 * Members must be real: an existing account (not an alias or forwarder, in a real domain, not
 * a domain alias) or an existing group. Written relative to the group's domain when in it.
 */
async function checkedMembers(ctx: StoreContext, domain: string, members: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const raw of members) {
    const key = memberKey(raw, domain);
    const parsed = await validateAclIdentifier(key, ctx.store, domain);
    if (parsed instanceof AclError) throw new UsageError(`member '${raw}': ${parsed.message}`);
    if (parsed.kind !== 'account' && parsed.kind !== 'group') {
      throw new UsageError(`member '${raw}': a group holds accounts and groups, not ${parsed.canonical}`);
    }
    const local = key.endsWith(`@${domain}`) ? key.slice(0, -domain.length - 1) : key;
    if (!out.some((m) => memberKey(m, domain) === key)) out.push(local);
  }
  return out;
}

export async function getGroupNamed(ctx: StoreContext, address: string): Promise<Group> {
  const { name, domain } = await resolveGroup(ctx, address);
  const group = await groupStore(ctx).getGroup(domain, name);
  if (!group) throw new NotFoundError(`group ${name}@${domain} does not exist`);
  return group;
}

/** A domain's groups (the domain may be an alias). */
export async function listGroupsIn(ctx: StoreContext, domainName: string): Promise<{ domain: string; groups: Group[] }> {
  const domain = await requireDomain(ctx.store, domainName);
  return { domain: domain.name, groups: await groupStore(ctx).listGroups(domain.name) };
}

/**
 * Create (`mode: 'create'`, refused with 'exists' when there is one) or replace a group with
 * `members`, each checked to be real. Returns the group as stored.
 */
export async function putGroup(ctx: StoreContext, address: string, members: readonly string[], mode: 'create' | 'replace'): Promise<Group> {
  const { name, domain } = await resolveGroup(ctx, address);
  const store = groupStore(ctx);
  if (mode === 'create' && (await store.getGroup(domain, name))) {
    throw new DirectoryError('exists', `group ${name}@${domain} already exists`);
  }
  await store.setGroup(domain, name, await checkedMembers(ctx, domain, members));
  return (await store.getGroup(domain, name))!;
}

export async function deleteGroupNamed(ctx: StoreContext, address: string): Promise<GroupAddress> {
  const { name, domain } = await resolveGroup(ctx, address);
  try {
    await groupStore(ctx).deleteGroup(domain, name);
  } catch (err) {
    if (err instanceof DirectoryError && err.code === 'not-found') throw new NotFoundError(err.message);
    throw err;
  }
  return { name, domain };
}

/** Add members (checked; those already in stay once) to an existing group. */
export async function addGroupMembers(ctx: StoreContext, address: string, members: readonly string[]): Promise<Group> {
  const group = await getGroupNamed(ctx, address);
  const added = await checkedMembers(ctx, group.domain, members);
  const have = new Set(group.members.map((m) => memberKey(m, group.domain)));
  const next = [...group.members, ...added.filter((m) => !have.has(memberKey(m, group.domain)))];
  await groupStore(ctx).setGroup(group.domain, group.name, next);
  return { ...group, members: next };
}

/** Remove members (in any spelling; they need not exist any more); naming a non-member is an error. */
export async function removeGroupMembers(ctx: StoreContext, address: string, members: readonly string[]): Promise<Group> {
  const group = await getGroupNamed(ctx, address);
  const drop = new Set(members.map((m) => memberKey(m, group.domain)));
  const have = new Set(group.members.map((m) => memberKey(m, group.domain)));
  const missing = members.filter((m) => !have.has(memberKey(m, group.domain)));
  if (missing.length > 0) throw new UsageError(`not a member of ${group.name}@${group.domain}: ${missing.join(', ')}`);
  const next = group.members.filter((m) => !drop.has(memberKey(m, group.domain)));
  await groupStore(ctx).setGroup(group.domain, group.name, next);
  return { ...group, members: next };
}

function line(group: Group): string {
  return `${group.name}@${group.domain}: ${group.members.length === 0 ? '(no members)' : group.members.join(', ')}\n`;
}

async function cli<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw asCliError(err);
  }
}

const USAGE = 'group create|delete|show GROUP@DOMAIN, group add|remove GROUP@DOMAIN MEMBER ..., group list DOMAIN';

/** The `group` command: `verb` and its arguments as typed. */
export async function runGroup(ctx: CommandContext, verb: string | undefined, args: string[]): Promise<void> {
  const target = args[0];
  if (target === undefined) throw new UsageError(`missing ${verb === 'list' ? 'DOMAIN' : 'GROUP@DOMAIN'} (${USAGE})`);
  const rest = args.slice(1);
  const none = () => {
    if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
  };
  switch (verb) {
    case 'create':
      ctx.io.out(line(await cli(() => putGroup(ctx, target, rest, 'create'))));
      return;
    case 'delete': {
      none();
      const gone = await cli(() => deleteGroupNamed(ctx, target));
      ctx.io.out(`group ${gone.name}@${gone.domain} deleted\n`);
      return;
    }
    case 'show':
      none();
      ctx.io.out(line(await cli(() => getGroupNamed(ctx, target))));
      return;
    case 'list': {
      none();
      const { domain, groups } = await cli(() => listGroupsIn(ctx, target));
      ctx.io.out(groups.length === 0 ? `${domain}: no groups\n` : groups.map(line).join(''));
      return;
    }
    case 'add':
      if (rest.length === 0) throw new UsageError('group add needs at least one MEMBER');
      ctx.io.out(line(await cli(() => addGroupMembers(ctx, target, rest))));
      return;
    case 'remove':
      if (rest.length === 0) throw new UsageError('group remove needs at least one MEMBER');
      ctx.io.out(line(await cli(() => removeGroupMembers(ctx, target, rest))));
      return;
    default:
      throw new UsageError(`unknown command 'group${verb ? ` ${verb}` : ''}' (${USAGE})`);
  }
}
