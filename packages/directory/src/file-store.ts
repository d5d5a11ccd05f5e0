import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
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
import { createFileExclusive, writeFileAtomic } from './atomic-write.js';
import { DirectoryError } from './errors.js';
import { accessRightsFrom } from './access-rights.js';
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
import { renderMapping, YamlFileReader } from './yaml-files.js';

/** account files hold passwords */
const SECRET_FILE_MODE = 0o600;
const FILE_MODE = 0o644;
const DIR_MODE = 0o700;

export interface FileStoreOptions {
  /** how many parsed files to keep (re-validated by inode/mtime/size on every read) */
  maxCachedFiles?: number;
}

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

function withoutName(settings: DomainSettings): Omit<DomainSettings, 'name'> {
  const { name: _name, ...rest } = settings;
  return rest;
}

/**
 * The default directory: one human-readable YAML file per domain and per account, read on every
 * lookup so that changes written by another process apply at the next login.
 */
export function createFileStore(
  dataDir: string,
  options: FileStoreOptions = {},
): DirectoryStore & AccessRightsStore & GroupStore & DirectoryDeleter {
  const reader = new YamlFileReader(options.maxCachedFiles);
  const serverFile = join(dataDir, 'server.yaml');
  const domainsDir = join(dataDir, 'domains');
  const domainFile = (d: string) => join(domainsDir, d, 'domain.yaml');
  const accountsDir = (d: string) => join(domainsDir, d, 'accounts');
  const accountFile = (d: string, a: string) => join(domainsDir, d, 'accounts', `${a}.yaml`);
  // the spec's Access.settings: one file per domain, so who holds what is easy to audit
  const accessFile = (d: string) => join(domainsDir, d, 'access.yaml');
  // groups for ACLs: one file per domain next to access.yaml
  const groupsFile = (d: string) => join(domainsDir, d, 'groups.yaml');
  // the mailbox store's document (mailboxes-file.ts), removed with its account
  const mailboxesFile = (d: string, a: string) => join(domainsDir, d, 'mailboxes', `${a}.yaml`);
  const groupWriters = new Map<string, Promise<void>>();

  async function readGroups(d: string): Promise<DomainGroups> {
    const file = groupsFile(d);
    return groupsFrom(await reader.read(file), d, file);
  }

  /**
   * Read, change and write a domain's groups document. Like access.yaml it is replaced whole by
   * rename, so a reader never sees half a file. Writers in this process take turns; two
   * processes writing at the same instant may lose one change (administrators' edits, not
   * logins, write it). A `change` that answers false leaves the file as it was.
   */
  async function changeGroups(domain: string, change: (doc: DomainGroups, d: string) => void | boolean): Promise<void> {
    const d = requireDomain(domain);
    // one writer per domain inside this process (concurrent admin API requests lose nothing)
    const previous = groupWriters.get(d) ?? Promise.resolve();
    const mine = previous.then(async () => {
      if ((await readDomain(d)) === null) throw new DirectoryError('not-found', `domain ${d} does not exist`);
      const doc = await readGroups(d);
      if (change(doc, d) === false) return;
      const file = groupsFile(d);
      await writeFileAtomic(file, renderMapping(`Portcullis groups of ${d}; change with \`portcullis group\``, doc), FILE_MODE);
      reader.forget(file);
    });
    const settled = mine.catch(() => undefined);
    groupWriters.set(d, settled);
    void settled.then(() => {
      if (groupWriters.get(d) === settled) groupWriters.delete(d);
    });
    return mine;
  }

  async function readDomain(name: string): Promise<DomainSettings | null> {
    const data = await reader.read(domainFile(name));
    if (data === null) return null;
    return { ...(data as Omit<DomainSettings, 'name'>), name };
  }

  async function listDomains(): Promise<string[]> {
    let entries;
    try {
      entries = await readdir(domainsDir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const names = entries
      .filter((e) => e.isDirectory() && canonicalDomain(e.name) === e.name)
      .map((e) => e.name)
      .sort();
    const present = await Promise.all(names.map(async (n) => ((await reader.read(domainFile(n))) ? n : null)));
    return present.filter((n): n is string => n !== null);
  }

  /** The names a domain answers to (its own and its aliases): group members may use any. */
  async function namesOf(d: string): Promise<Set<string>> {
    const domain = await readDomain(d);
    return new Set([d, ...(domain?.aliases ?? []).map((a) => a.toLowerCase())]);
  }

  async function allDomains(): Promise<DomainSettings[]> {
    const names = await listDomains();
    const domains = await Promise.all(names.map((n) => readDomain(n)));
    return domains.filter((d): d is DomainSettings => d !== null);
  }

  /** A domain name or alias must name one domain only. */
  async function checkNames(settings: DomainSettings): Promise<string[] | undefined> {
    const aliases = settings.aliases?.map((a) => {
      const c = canonicalDomain(a);
      if (c === null) throw new DirectoryError('invalid-name', `invalid alias '${a}' for domain ${settings.name}`);
      if (c === settings.name) throw new DirectoryError('conflict', `domain ${settings.name} cannot be its own alias`);
      return c;
    });
    const mine = new Set([settings.name, ...(aliases ?? [])]);
    for (const other of await allDomains()) {
      if (other.name === settings.name) continue;
      const theirs = [other.name, ...(other.aliases ?? []).map((a) => a.toLowerCase())];
      const clash = theirs.find((n) => mine.has(n));
      if (clash !== undefined) {
        throw new DirectoryError('conflict', `name '${clash}' already belongs to domain ${other.name}`);
      }
    }
    return aliases ? [...new Set(aliases)] : undefined;
  }

  async function writeDomain(settings: DomainSettings, exclusive: boolean): Promise<void> {
    const aliases = await checkNames(settings);
    const body = withoutName({ ...settings, ...(aliases ? { aliases } : {}) });
    const text = renderMapping(`Portcullis domain ${settings.name}; change with \`portcullis domain set\``, body);
    const file = domainFile(settings.name);
    if (exclusive) {
      if (!(await createFileExclusive(file, text, FILE_MODE))) {
        throw new DirectoryError('exists', `domain ${settings.name} already exists`);
      }
    } else {
      await writeFileAtomic(file, text, FILE_MODE);
    }
    reader.forget(file);
  }

  return {
    async getServerSettings(): Promise<ServerSettings> {
      return ((await reader.read(serverFile)) ?? {}) as ServerSettings;
    },

    async setServerSettings(settings: ServerSettings): Promise<void> {
      await mkdir(dataDir, { recursive: true, mode: DIR_MODE });
      await writeFileAtomic(serverFile, renderMapping('Portcullis server-wide settings; change with `portcullis server set`', settings), FILE_MODE);
      reader.forget(serverFile);
    },

    async getDomain(name: string): Promise<DomainSettings | null> {
      const c = canonicalDomain(name);
      return c === null ? null : readDomain(c);
    },

    async resolveDomain(nameOrAlias: string): Promise<DomainSettings | null> {
      const c = canonicalDomain(nameOrAlias);
      if (c === null) return null;
      const direct = await readDomain(c);
      if (direct) return direct;
      for (const d of await allDomains()) {
        if (d.aliases?.some((a) => a.toLowerCase() === c)) return d;
      }
      return null;
    },

    listDomains,

    async createDomain(settings: DomainSettings): Promise<void> {
      const name = requireDomain(settings.name);
      await mkdir(accountsDir(name), { recursive: true, mode: DIR_MODE });
      await writeDomain({ ...settings, name }, true);
    },

    async updateDomain(settings: DomainSettings): Promise<void> {
      const name = requireDomain(settings.name);
      if ((await readDomain(name)) === null) throw new DirectoryError('not-found', `domain ${name} does not exist`);
      await writeDomain(settings, false);
    },

    async getAccount(domain: string, name: string): Promise<AccountRecord | null> {
      const d = canonicalDomain(domain);
      const a = canonicalAccount(name);
      if (d === null || a === null) return null;
      const data = await reader.read(accountFile(d, a));
      return data === null ? null : { name: a, domain: d, settings: data as AccountSettings };
    },

    async listAccounts(domain: string): Promise<string[]> {
      const d = canonicalDomain(domain);
      if (d === null) return [];
      let files;
      try {
        files = await readdir(accountsDir(d));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
      return files
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => f.slice(0, -'.yaml'.length))
        .filter((n) => canonicalAccount(n) === n)
        .sort();
    },

    async createAccount(account: AccountRecord): Promise<void> {
      const d = requireDomain(account.domain);
      const a = requireAccount(account.name);
      if ((await readDomain(d)) === null) throw new DirectoryError('not-found', `domain ${d} does not exist`);
      await mkdir(accountsDir(d), { recursive: true, mode: DIR_MODE });
      const file = accountFile(d, a);
      const text = renderMapping(`Portcullis account ${a}@${d}; change with \`portcullis account set\``, account.settings);
      if (!(await createFileExclusive(file, text, SECRET_FILE_MODE))) {
        throw new DirectoryError('exists', `account ${a}@${d} already exists`);
      }
      reader.forget(file);
    },

    async updateAccount(account: AccountRecord): Promise<void> {
      const d = requireDomain(account.domain);
      const a = requireAccount(account.name);
      const file = accountFile(d, a);
      if ((await reader.read(file)) === null) throw new DirectoryError('not-found', `account ${a}@${d} does not exist`);
      const text = renderMapping(`Portcullis account ${a}@${d}; change with \`portcullis account set\``, account.settings);
      await writeFileAtomic(file, text, SECRET_FILE_MODE);
      reader.forget(file);
    },

    async getAccessRights(domain: string): Promise<DomainAccessRights> {
      const d = canonicalDomain(domain);
      if (d === null) return {};
      const file = accessFile(d);
      return accessRightsFrom(await reader.read(file), file);
    },

    async setAccessRights(domain: string, rights: DomainAccessRights): Promise<void> {
      const d = requireDomain(domain);
      if ((await readDomain(d)) === null) throw new DirectoryError('not-found', `domain ${d} does not exist`);
      const file = accessFile(d);
      const body = accessRightsFrom(rights, file, 'invalid-name');
      await writeFileAtomic(file, renderMapping(`Portcullis access rights in ${d}; change with \`portcullis rights\``, body), FILE_MODE);
      reader.forget(file);
    },

    async listGroups(domain: string): Promise<Group[]> {
      const d = canonicalDomain(domain);
      return d === null ? [] : groupList(d, await readGroups(d));
    },

    async getGroup(domain: string, name: string): Promise<Group | null> {
      const d = canonicalDomain(domain);
      const g = canonicalAccount(name);
      if (d === null || g === null) return null;
      const members = (await readGroups(d))[g];
      return members ? { name: g, domain: d, members } : null;
    },

    async setGroup(domain: string, name: string, members: string[]): Promise<void> {
      const g = requireGroupName(name);
      await changeGroups(domain, (doc, d) => {
        doc[g] = groupMembersFrom(members, d, `group ${g}@${d}`, 'invalid-name');
      });
    },

    async deleteGroup(domain: string, name: string): Promise<void> {
      const g = requireGroupName(name);
      await changeGroups(domain, (doc, d) => {
        if (doc[g] === undefined) throw new DirectoryError('not-found', `group ${g}@${d} does not exist`);
        delete doc[g];
      });
    },

    async groupsOf(account: string): Promise<string[]> {
      const all: Group[] = [];
      for (const d of await listDomains()) all.push(...groupList(d, await readGroups(d)));
      return groupsContaining(all, account);
    },

    async deleteAccount(domain: string, name: string): Promise<void> {
      const d = requireDomain(domain);
      const a = requireAccount(name);
      const file = accountFile(d, a);
      if ((await reader.read(file)) === null) throw new DirectoryError('not-found', `account ${a}@${d} does not exist`);
      const names = await namesOf(d);
      // what the account held goes first and the account file last: a deletion cut short can be
      // run again, and never leaves rights behind for a later account of the same name
      const access = accessFile(d);
      const rights = accessRightsFrom(await reader.read(access), access);
      if (rights[a] !== undefined) {
        delete rights[a];
        await writeFileAtomic(access, renderMapping(`Portcullis access rights in ${d}; change with \`portcullis rights\``, rights), FILE_MODE);
        reader.forget(access);
      }
      for (const other of await listDomains()) {
        await changeGroups(other, (doc, od) => dropMembers(doc, od, accountMember(a, names)).length > 0);
      }
      await rm(mailboxesFile(d, a), { force: true });
      await rm(file, { force: true });
      reader.forget(file);
    },

    async deleteDomain(name: string): Promise<void> {
      const d = requireDomain(name);
      if ((await readDomain(d)) === null) throw new DirectoryError('not-found', `domain ${d} does not exist`);
      const names = await namesOf(d);
      for (const other of await listDomains()) {
        if (other !== d) await changeGroups(other, (doc, od) => dropMembers(doc, od, domainMember(names)).length > 0);
      }
      // renamed away first, so that readers see the whole domain or none of it (not a domain
      // whose accounts are half gone); a name starting with '.' is never a domain
      const grave = join(domainsDir, `.deleted-${d}-${randomBytes(6).toString('hex')}`);
      await rename(join(domainsDir, d), grave);
      reader.clear();
      await rm(grave, { recursive: true, force: true });
    },

    async close(): Promise<void> {
      reader.clear();
    },
  };
}
