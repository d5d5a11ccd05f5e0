/**
 * Moving a whole directory between stores through the file store's layout, the exchange format:
 * export writes it, import reads it. Stored values are copied as they are, so a password stays in
 * its stored (encoded) form and is never decoded.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AccessRightsStore, DirectoryStore, DomainSettings, MailboxStore } from '@portcullis/auth-core';
import { hasGroupStore } from '@portcullis/auth-core';
import { DirectoryError } from './errors.js';
import { createFileStore } from './file-store.js';
import { createFileMailboxStore } from './mailboxes-file.js';

export interface TransferResult {
  domains: number;
  accounts: number;
  /** entries already in the target and left as they were (`replace: false`) */
  kept: number;
  /** accounts whose mailbox document (mailbox names, ACLs) was copied; only with a mailbox store */
  mailboxes?: number;
}

export interface ExportOptions {
  /** the source's mailbox store: each account's mailboxes and ACLs are exported too */
  mailboxes?: MailboxStore;
}

export interface ImportOptions {
  /**
   * What happens to a domain or account that already exists in the target: true (the default)
   * replaces it with the imported one, false keeps it. Entries only in the target stay either way.
   */
  replace?: boolean;
  /** the target's mailbox store: the export's mailbox documents are imported into it too */
  mailboxes?: MailboxStore;
}

function isExists(err: unknown): boolean {
  return err instanceof DirectoryError && err.code === 'exists';
}

/**
 * Write every domain into `into`, creating or (with `replace`) updating. An alias may move from
 * one domain to another, which is a conflict until the domain that gives it up is written, so a
 * domain that conflicts is retried once the others are in, until no more progress is made.
 */
async function copyDomains(domains: DomainSettings[], into: DirectoryStore, replace: boolean): Promise<number> {
  let pending = domains;
  let kept = 0;
  while (pending.length > 0) {
    const conflicts: { domain: DomainSettings; err: unknown }[] = [];
    for (const domain of pending) {
      try {
        try {
          await into.createDomain(domain);
        } catch (err) {
          if (!isExists(err)) throw err;
          if (replace) await into.updateDomain(domain);
          else kept++;
        }
      } catch (err) {
        if (err instanceof DirectoryError && err.code === 'conflict') conflicts.push({ domain, err });
        else throw err;
      }
    }
    if (conflicts.length === pending.length) throw conflicts[0]!.err;
    pending = conflicts.map((c) => c.domain);
  }
  return kept;
}

function keepsRights(store: DirectoryStore): store is DirectoryStore & AccessRightsStore {
  const s = store as Partial<AccessRightsStore>;
  return typeof s.getAccessRights === 'function' && typeof s.setAccessRights === 'function';
}

/** A domain's access rights, account by account, under the same replace rule as accounts. */
async function copyAccessRights(from: DirectoryStore, into: DirectoryStore, domain: string, replace: boolean): Promise<number> {
  if (!keepsRights(from) || !keepsRights(into)) return 0;
  const source = await from.getAccessRights(domain);
  if (Object.keys(source).length === 0) return 0;
  const target = await into.getAccessRights(domain);
  let kept = 0;
  for (const [name, rights] of Object.entries(source)) {
    if (!replace && target[name] !== undefined) kept++;
    else target[name] = rights;
  }
  await into.setAccessRights(domain, target);
  return kept;
}

/** A domain's groups, group by group, under the same replace rule as accounts. */
async function copyGroups(from: DirectoryStore, into: DirectoryStore, domain: string, replace: boolean): Promise<number> {
  if (!hasGroupStore(from) || !hasGroupStore(into)) return 0;
  let kept = 0;
  for (const group of await from.listGroups(domain)) {
    if (!replace && (await into.getGroup(domain, group.name))) kept++;
    else await into.setGroup(domain, group.name, group.members);
  }
  return kept;
}

/** Copy server settings, domains, accounts, access rights and groups from one store into another. */
async function copyDirectory(from: DirectoryStore, into: DirectoryStore, replace: boolean, hasServerSettings: boolean): Promise<TransferResult> {
  const result: TransferResult = { domains: 0, accounts: 0, kept: 0 };
  if (hasServerSettings) {
    const server = await from.getServerSettings();
    if (replace || Object.keys(await into.getServerSettings()).length === 0) await into.setServerSettings(server);
    else result.kept++;
  }
  const names = await from.listDomains();
  const domains: DomainSettings[] = [];
  for (const name of names) {
    const domain = await from.getDomain(name);
    if (domain) domains.push(domain);
  }
  result.kept += await copyDomains(domains, into, replace);
  result.domains = domains.length;
  for (const { name: domain } of domains) {
    for (const name of await from.listAccounts(domain)) {
      const account = await from.getAccount(domain, name);
      if (!account) continue;
      try {
        await into.createAccount(account);
      } catch (err) {
        if (!isExists(err)) throw err;
        if (replace) await into.updateAccount(account);
        else result.kept++;
      }
      result.accounts++;
    }
    result.kept += await copyAccessRights(from, into, domain, replace);
    result.kept += await copyGroups(from, into, domain, replace);
  }
  return result;
}

/**
 * Every account's mailbox document (the account must be in `accounts`' directory: documents of
 * accounts that no longer exist stay behind). An imported document replaces the target's under
 * the same rule as accounts; UIDVALIDITY never goes back, so a client's cache of a mailbox the
 * target had is not taken for the imported one's.
 */
async function copyMailboxes(accounts: DirectoryStore, from: MailboxStore, into: MailboxStore, replace: boolean, result: TransferResult): Promise<void> {
  result.mailboxes = 0;
  for (const domain of await accounts.listDomains()) {
    for (const name of await accounts.listAccounts(domain)) {
      const owner = `${name}@${domain}`;
      const doc = await from.getMailboxes(owner);
      if (Object.keys(doc.mailboxes).length === 0) continue;
      const copied = await into.updateMailboxes(owner, (current) => {
        if (!replace && Object.keys(current.mailboxes).length > 0) return { next: null, result: false };
        const nextUidValidity = Math.max(doc.nextUidValidity, current.nextUidValidity);
        return { next: { mailboxes: doc.mailboxes, nextUidValidity }, result: true };
      });
      if (copied) result.mailboxes++;
      else result.kept++;
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/**
 * Write the whole of `from` into `dir` in the file store's layout (the folder is created when
 * missing; what it already holds is updated, nothing is removed).
 */
export async function exportDirectory(from: DirectoryStore, dir: string, options: ExportOptions = {}): Promise<TransferResult> {
  const target = createFileStore(dir);
  try {
    const result = await copyDirectory(from, target, true, true);
    if (options.mailboxes) {
      const targetMailboxes = createFileMailboxStore(dir);
      try {
        await copyMailboxes(from, options.mailboxes, targetMailboxes, true, result);
      } finally {
        await targetMailboxes.close();
      }
    }
    return result;
  } finally {
    await target.close();
  }
}

/** Read a directory in the file store's layout from `dir` and write it into `into`. */
export async function importDirectory(dir: string, into: DirectoryStore, options: ImportOptions = {}): Promise<TransferResult> {
  const hasServer = await exists(join(dir, 'server.yaml'));
  if (!hasServer && !(await exists(join(dir, 'domains')))) {
    throw new DirectoryError('not-found', `${dir} holds no exported directory (no server.yaml, no domains/)`);
  }
  const source = createFileStore(dir);
  try {
    const result = await copyDirectory(source, into, options.replace ?? true, hasServer);
    if (options.mailboxes) {
      const sourceMailboxes = createFileMailboxStore(dir);
      try {
        await copyMailboxes(source, sourceMailboxes, options.mailboxes, options.replace ?? true, result);
      } finally {
        await sourceMailboxes.close();
      }
    }
    return result;
  } finally {
    await source.close();
  }
}
