/**
 * The file store's mailbox documents: `dataDir/domains/<domain>/mailboxes/<account>.yaml`, beside
 * (not inside) `accounts/`, whose every `.yaml` file is an account. Writes replace the file
 * atomically under a lock file, so that workers and instances sharing the folder never lose each
 * other's changes.
 */
import { mkdir, open, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { AccountMailboxes, MailboxStore } from '@portcullis/auth-core';
import { writeFileAtomic } from './atomic-write.js';
import { DirectoryError } from './errors.js';
import { applyChange, mailboxesFrom, requireOwner, sharesAnything } from './mailboxes-document.js';
import { canonicalAccount, canonicalDomain } from './names.js';
import { renderMapping, YamlFileReader } from './yaml-files.js';

const FILE_MODE = 0o644;
const DIR_MODE = 0o700;
/** a lock older than this was left by a process that died while holding it */
const STALE_LOCK_MS = 30_000;
const LOCK_WAIT_MS = 5_000;
const LOCK_RETRY_MS = 15;

export interface FileMailboxStoreOptions {
  maxCachedFiles?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Hold `lockFile` (created exclusively) while `body` runs; a stale lock is broken. */
async function withLockFile<T>(lockFile: string, body: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const handle = await open(lockFile, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const st = await stat(lockFile).catch(() => null);
      if (st && Date.now() - st.mtimeMs > STALE_LOCK_MS) {
        await unlink(lockFile).catch(() => undefined);
        continue;
      }
      if (Date.now() > deadline) throw new DirectoryError('unavailable', `${lockFile}: still locked after ${LOCK_WAIT_MS} ms`);
      await sleep(LOCK_RETRY_MS);
    }
  }
  try {
    return await body();
  } finally {
    await unlink(lockFile).catch(() => undefined);
  }
}

export function createFileMailboxStore(dataDir: string, options: FileMailboxStoreOptions = {}): MailboxStore {
  const reader = new YamlFileReader(options.maxCachedFiles);
  const domainsDir = join(dataDir, 'domains');
  const folder = (d: string) => join(domainsDir, d, 'mailboxes');
  const file = (d: string, a: string) => join(folder(d), `${a}.yaml`);
  /** one writer per owner inside this process; the lock file orders processes */
  const queues = new Map<string, Promise<unknown>>();

  async function read(path: string): Promise<AccountMailboxes> {
    return mailboxesFrom(await reader.read(path), path);
  }

  function serialised<T>(owner: string, body: () => Promise<T>): Promise<T> {
    const previous = queues.get(owner) ?? Promise.resolve();
    const run = previous.then(body, body);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    queues.set(owner, tail);
    void tail.then(() => {
      if (queues.get(owner) === tail) queues.delete(owner);
    });
    return run;
  }

  return {
    async getMailboxes(owner) {
      const { domain, account } = requireOwner(owner);
      return read(file(domain, account));
    },

    updateMailboxes(owner, change) {
      const { domain, account } = requireOwner(owner);
      const path = file(domain, account);
      return serialised(owner, async () => {
        await mkdir(folder(domain), { recursive: true, mode: DIR_MODE });
        return withLockFile(join(folder(domain), `.${account}.lock`), async () => {
          reader.forget(path);
          const current = await read(path);
          const { next, result } = applyChange(current, change, path);
          if (next !== null && JSON.stringify(next) !== JSON.stringify(current)) {
            const header = `Portcullis mailboxes of ${owner} and their ACLs; changed by IMAP (SETACL, CREATE, ...)`;
            await writeFileAtomic(path, renderMapping(header, next), FILE_MODE);
            reader.forget(path);
          }
          return result;
        });
      });
    },

    async listSharingOwners() {
      let domains: string[];
      try {
        domains = (await readdir(domainsDir)).filter((d) => canonicalDomain(d) === d);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
      const owners: string[] = [];
      for (const d of domains.sort()) {
        const names = await readdir(folder(d)).catch(() => [] as string[]);
        for (const f of names.sort()) {
          if (!f.endsWith('.yaml')) continue;
          const a = f.slice(0, -'.yaml'.length);
          if (canonicalAccount(a) !== a) continue;
          // one broken file must not hide every other account's shared mailboxes
          const doc = await read(file(d, a)).catch((err: unknown) => {
            if (err instanceof DirectoryError) return null;
            throw err;
          });
          if (doc && sharesAnything(doc)) owners.push(`${a}@${d}`);
        }
      }
      return owners;
    },

    async close() {
      reader.clear();
    },
  };
}
