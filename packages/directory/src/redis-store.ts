import type {
  AccessRightsStore,
  AccountRecord,
  AccountSettings,
  DirectoryDeleter,
  DirectoryStore,
  DomainAccessRights,
  DomainSettings,
  Group,
  GroupStore,
  ServerSettings,
} from '@portcullis/auth-core';
import { groupsContaining } from '@portcullis/auth-core';
import type { RedisClient } from '@portcullis/redis-client';
import { accessRightsFrom } from './access-rights.js';
import { canonicalAliases } from './domain-aliases.js';
import { DirectoryError } from './errors.js';
import { canonicalAccount, canonicalDomain } from './names.js';
import {
  accountMember,
  domainMember,
  dropMembers,
  groupList,
  groupMembersFrom,
  groupsFrom,
  requireGroupName,
  type DomainGroups,
} from './groups.js';
import { storeConnection, type RedisConnectionOptions } from './redis-connection.js';
import { CREATE_ACCOUNT, DELETE_ACCOUNT, DELETE_DOMAIN, WRITE_DOMAIN, WRITE_IF_DOMAIN } from './redis-scripts.js';
import type { GroupMember } from '@portcullis/auth-core';

export interface RedisStoreOptions extends RedisConnectionOptions {
  /** Prepended to every key; default `portcullis:dir:`. */
  keyPrefix?: string;
}

export const DEFAULT_DIRECTORY_KEY_PREFIX = 'portcullis:dir:';

type Mapping = Record<string, unknown>;

function requireDomain(name: string): string {
  const c = canonicalDomain(name);
  if (c === null || c !== name) throw new DirectoryError('invalid-name', `invalid domain name '${name}'`);
  return c;
}

function requireAccount(name: string): string {
  const c = canonicalAccount(name);
  if (c === null || c !== name) throw new DirectoryError('invalid-name', `invalid account name '${name}'`);
  return c;
}

/**
 * The key layout. The `{dir}` hash tag puts every key of one directory in one Redis Cluster slot,
 * so the write scripts may touch several keys at once.
 */
function keyspace(prefix: string) {
  const base = `${prefix}{dir}:`;
  return {
    server: `${base}server`,
    domains: `${base}domains`,
    names: `${base}names`,
    domain: (d: string) => `${base}domain:${d}`,
    accounts: (d: string) => `${base}accounts:${d}`,
    account: (d: string, a: string) => `${base}account:${d}:${a}`,
    access: (d: string) => `${base}access:${d}`,
    /** a hash: group name -> JSON list of members (the file store's groups.yaml, field by field) */
    groups: (d: string) => `${base}groups:${d}`,
    // the mailbox store's keys (mailboxes-redis.ts), removed with their account or domain
    mailboxes: (d: string, a: string) => `${base}mailboxes:${d}:${a}`,
    mailboxSharers: `${base}mailbox-sharers`,
  };
}

function parseValue(text: string | null, key: string): Mapping | null {
  if (text === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new DirectoryError('corrupt', `redis key ${key}: not valid JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new DirectoryError('corrupt', `redis key ${key}: expected a mapping of settings`);
  }
  return value as Mapping;
}

function withoutName(settings: DomainSettings): Omit<DomainSettings, 'name'> {
  const { name: _name, ...rest } = settings;
  return rest;
}

/**
 * The directory in Redis, for several gateway instances that must see the same domains and
 * accounts. Nothing is cached locally, so a change made through any instance (or the CLI) is seen
 * by every instance at its next lookup. Values are JSON documents shaped like the file store's
 * YAML files; directory keys never expire.
 *
 * Given a URL the store opens (and on close, closes) its own connection; given a client it uses
 * it and leaves it open.
 */
export function createRedisStore(
  connection: string | RedisClient,
  options: RedisStoreOptions = {},
): DirectoryStore & AccessRightsStore & GroupStore & DirectoryDeleter {
  const { connected, close } = storeConnection(connection, options, 'portcullis-directory', 'directory');
  const keys = keyspace(options.keyPrefix ?? DEFAULT_DIRECTORY_KEY_PREFIX);

  async function readDomain(name: string): Promise<DomainSettings | null> {
    const key = keys.domain(name);
    const data = parseValue(await (await connected()).get(key), key);
    return data === null ? null : { ...(data as Omit<DomainSettings, 'name'>), name };
  }

  /** A hash of JSON lists to the groups document, checked like a file. */
  function groupsDocument(d: string, hash: Record<string, string>): DomainGroups {
    const key = keys.groups(d);
    const raw: Record<string, unknown> = {};
    for (const [name, json] of Object.entries(hash)) {
      try {
        raw[name] = JSON.parse(json);
      } catch {
        throw new DirectoryError('corrupt', `redis key ${key}: group ${name} is not valid JSON`);
      }
    }
    return groupsFrom(raw, d, key);
  }

  /** The names a domain answers to (its own and its aliases): group members may use any. */
  function namesOf(domain: DomainSettings): Set<string> {
    return new Set([domain.name, ...(domain.aliases ?? []).map((a) => a.toLowerCase())]);
  }

  /**
   * Drop the members `drop` matches from every group of every domain but `except`. A group
   * changed by an administrator at the same instant may keep or lose the change (one field per
   * group, written whole).
   */
  async function dropGroupMembers(drop: (m: GroupMember) => boolean, except?: string): Promise<void> {
    const redis = await connected();
    for (const d of await redis.smembers(keys.domains)) {
      if (d === except || canonicalDomain(d) !== d) continue;
      const doc = groupsDocument(d, await redis.hgetall(keys.groups(d)));
      for (const g of dropMembers(doc, d, drop)) {
        await redis.eval(WRITE_IF_DOMAIN, 2, keys.domain(d), keys.groups(d), 'hset', g, JSON.stringify(doc[g]));
      }
    }
  }

  async function writeDomain(settings: DomainSettings, mode: 'create' | 'update'): Promise<void> {
    const name = requireDomain(settings.name);
    const aliases = canonicalAliases(settings);
    const body = withoutName({ ...settings, ...(aliases ? { aliases } : {}) });
    const reply = (await (await connected()).eval(
      WRITE_DOMAIN,
      3,
      keys.domain(name),
      keys.names,
      keys.domains,
      mode,
      name,
      JSON.stringify(body),
      name,
      ...(aliases ?? []),
    )) as string[];
    switch (reply[0]) {
      case 'ok':
        return;
      case 'exists':
        throw new DirectoryError('exists', `domain ${name} already exists`);
      case 'not-found':
        throw new DirectoryError('not-found', `domain ${name} does not exist`);
      case 'conflict':
        throw new DirectoryError('conflict', `name '${reply[1]}' already belongs to domain ${reply[2]}`);
      default:
        throw new Error(`unexpected reply from the domain script: ${String(reply[0])}`);
    }
  }

  return {
    async getServerSettings(): Promise<ServerSettings> {
      return (parseValue(await (await connected()).get(keys.server), keys.server) ?? {}) as ServerSettings;
    },

    async setServerSettings(settings: ServerSettings): Promise<void> {
      await (await connected()).set(keys.server, JSON.stringify(settings));
    },

    async getDomain(name: string): Promise<DomainSettings | null> {
      const c = canonicalDomain(name);
      return c === null ? null : readDomain(c);
    },

    async resolveDomain(nameOrAlias: string): Promise<DomainSettings | null> {
      const c = canonicalDomain(nameOrAlias);
      if (c === null) return null;
      // one round trip for a domain's own name, a second one for an alias
      const replies = await (await connected()).pipeline().get(keys.domain(c)).hget(keys.names, c).exec();
      if (replies === null) throw new Error('redis pipeline was discarded');
      const [[getErr, direct], [hgetErr, owner]] = replies as [[Error | null, string | null], [Error | null, string | null]];
      if (getErr) throw getErr;
      if (hgetErr) throw hgetErr;
      const data = parseValue(direct, keys.domain(c));
      if (data !== null) return { ...(data as Omit<DomainSettings, 'name'>), name: c };
      if (owner === null || owner === c) return null;
      return readDomain(owner);
    },

    async listDomains(): Promise<string[]> {
      const names = await (await connected()).smembers(keys.domains);
      return names.filter((n) => canonicalDomain(n) === n).sort();
    },

    async createDomain(settings: DomainSettings): Promise<void> {
      await writeDomain(settings, 'create');
    },

    async updateDomain(settings: DomainSettings): Promise<void> {
      await writeDomain(settings, 'update');
    },

    async getAccount(domain: string, name: string): Promise<AccountRecord | null> {
      const d = canonicalDomain(domain);
      const a = canonicalAccount(name);
      if (d === null || a === null) return null;
      const key = keys.account(d, a);
      const data = parseValue(await (await connected()).get(key), key);
      return data === null ? null : { name: a, domain: d, settings: data as AccountSettings };
    },

    async listAccounts(domain: string): Promise<string[]> {
      const d = canonicalDomain(domain);
      if (d === null) return [];
      const names = await (await connected()).smembers(keys.accounts(d));
      return names.filter((n) => canonicalAccount(n) === n).sort();
    },

    async createAccount(account: AccountRecord): Promise<void> {
      const d = requireDomain(account.domain);
      const a = requireAccount(account.name);
      const reply = await (await connected()).eval(
        CREATE_ACCOUNT,
        3,
        keys.domain(d),
        keys.account(d, a),
        keys.accounts(d),
        a,
        JSON.stringify(account.settings),
      );
      if (reply === 'not-found') throw new DirectoryError('not-found', `domain ${d} does not exist`);
      if (reply === 'exists') throw new DirectoryError('exists', `account ${a}@${d} already exists`);
    },

    async updateAccount(account: AccountRecord): Promise<void> {
      const d = requireDomain(account.domain);
      const a = requireAccount(account.name);
      // XX: only replaces, never creates, in the same single command
      const reply = await (await connected()).set(keys.account(d, a), JSON.stringify(account.settings), 'XX');
      if (reply === null) throw new DirectoryError('not-found', `account ${a}@${d} does not exist`);
    },

    async getAccessRights(domain: string): Promise<DomainAccessRights> {
      const d = canonicalDomain(domain);
      if (d === null) return {};
      const key = keys.access(d);
      return accessRightsFrom(parseValue(await (await connected()).get(key), key), key);
    },

    async setAccessRights(domain: string, rights: DomainAccessRights): Promise<void> {
      const d = requireDomain(domain);
      const key = keys.access(d);
      const body = accessRightsFrom(rights, key, 'invalid-name');
      // one key per domain and no expiry, like every directory key; written only while the domain
      // exists, so a write racing with its deletion leaves nothing behind
      if ((await (await connected()).eval(WRITE_IF_DOMAIN, 2, keys.domain(d), key, 'set', JSON.stringify(body))) === 0) {
        throw new DirectoryError('not-found', `domain ${d} does not exist`);
      }
    },

    async listGroups(domain: string): Promise<Group[]> {
      const d = canonicalDomain(domain);
      if (d === null) return [];
      return groupList(d, groupsDocument(d, await (await connected()).hgetall(keys.groups(d))));
    },

    async getGroup(domain: string, name: string): Promise<Group | null> {
      const d = canonicalDomain(domain);
      const g = canonicalAccount(name);
      if (d === null || g === null) return null;
      const json = await (await connected()).hget(keys.groups(d), g);
      if (json === null) return null;
      const members = groupsDocument(d, { [g]: json })[g]!;
      return { name: g, domain: d, members };
    },

    async setGroup(domain: string, name: string, members: string[]): Promise<void> {
      const d = requireDomain(domain);
      const g = requireGroupName(name);
      const list = groupMembersFrom(members, d, `group ${g}@${d}`, 'invalid-name');
      // one field per group, so writers of different groups never overwrite each other; written
      // only while the domain exists, so a write racing with its deletion leaves nothing behind
      if ((await (await connected()).eval(WRITE_IF_DOMAIN, 2, keys.domain(d), keys.groups(d), 'hset', g, JSON.stringify(list))) === 0) {
        throw new DirectoryError('not-found', `domain ${d} does not exist`);
      }
    },

    async deleteGroup(domain: string, name: string): Promise<void> {
      const d = requireDomain(domain);
      const g = requireGroupName(name);
      if ((await (await connected()).hdel(keys.groups(d), g)) === 0) {
        throw new DirectoryError('not-found', `group ${g}@${d} does not exist`);
      }
    },

    async groupsOf(account: string): Promise<string[]> {
      const client = await connected();
      const domains = (await client.smembers(keys.domains)).filter((n) => canonicalDomain(n) === n);
      if (domains.length === 0) return [];
      const pipe = client.pipeline();
      for (const d of domains) pipe.hgetall(keys.groups(d));
      const replies = await pipe.exec();
      if (replies === null) throw new Error('redis pipeline was discarded');
      const all: Group[] = [];
      domains.forEach((d, i) => {
        const [err, hash] = replies[i] as [Error | null, Record<string, string>];
        if (err) throw err;
        all.push(...groupList(d, groupsDocument(d, hash)));
      });
      return groupsContaining(all, account);
    },

    async deleteAccount(domain: string, name: string): Promise<void> {
      const d = requireDomain(domain);
      const a = requireAccount(name);
      const redis = await connected();
      if ((await redis.exists(keys.account(d, a))) === 0) throw new DirectoryError('not-found', `account ${a}@${d} does not exist`);
      const domainSettings = await readDomain(d);
      // what the account held goes first and the account last: a deletion cut short can be run
      // again, and never leaves rights behind for a later account of the same name
      const accessKey = keys.access(d);
      const rights = accessRightsFrom(parseValue(await redis.get(accessKey), accessKey), accessKey);
      if (rights[a] !== undefined) {
        delete rights[a];
        await redis.eval(WRITE_IF_DOMAIN, 2, keys.domain(d), accessKey, 'set', JSON.stringify(rights));
      }
      await dropGroupMembers(accountMember(a, namesOf(domainSettings ?? { name: d })));
      const deleted = await redis.eval(DELETE_ACCOUNT, 4, keys.account(d, a), keys.accounts(d), keys.mailboxes(d, a), keys.mailboxSharers, a, `${a}@${d}`);
      if (deleted === 0) throw new DirectoryError('not-found', `account ${a}@${d} does not exist`);
    },

    async deleteDomain(name: string): Promise<void> {
      const d = requireDomain(name);
      const domainSettings = await readDomain(d);
      if (domainSettings === null) throw new DirectoryError('not-found', `domain ${d} does not exist`);
      await dropGroupMembers(domainMember(namesOf(domainSettings)), d);
      const base = keys.account(d, '');
      const reply = await (await connected()).eval(
        DELETE_DOMAIN,
        7,
        keys.domain(d),
        keys.names,
        keys.domains,
        keys.accounts(d),
        keys.access(d),
        keys.groups(d),
        keys.mailboxSharers,
        d,
        base,
        keys.mailboxes(d, ''),
      );
      if (reply === 'not-found') throw new DirectoryError('not-found', `domain ${d} does not exist`);
    },

    async close(): Promise<void> {
      await close();
    },
  };
}
