/**
 * The rights check of every admin operation, called as the routes call them, on a real file
 * store: who may do what (Master, Settings, AllDomains, AllDomainsRead, Monitor, Domain,
 * KerberosKeys, none), and that a domain administrator learns nothing of other domains.
 */
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryCache } from '@portcullis/session-cache';
import { openDirectoryStore, openMailboxStore } from '@portcullis/directory';
import { lockoutKey, type AccessRight, type MailboxStore, type SessionCache } from '@portcullis/auth-core';
import { loadConfig } from '../src/config/load.js';
import { ensureMainDomain } from '../src/commands/context.js';
import { createAccountWith, passwordAssignment } from '../src/commands/account.js';
import { createDomainWith } from '../src/commands/domain.js';
import { grantRightsTo } from '../src/commands/rights.js';
import { callerFor, type Caller } from '../src/admin/caller.js';
import type { AdminDeps } from '../src/admin/deps.js';
import { AdminError } from '../src/admin/errors.js';
import { MemoryLoginLog } from '../src/admin/login-log.js';
import * as domains from '../src/admin/domains.js';
import * as accounts from '../src/admin/accounts.js';
import * as rights from '../src/admin/rights.js';
import * as server from '../src/admin/server-settings.js';
import * as listeners from '../src/admin/listeners.js';
import * as keys from '../src/admin/kerberos-keys.js';
import * as groups from '../src/admin/groups.js';
import * as monitoring from '../src/admin/monitoring.js';
import { effectiveRightsFor } from '../src/admin/acl-effective.js';
import { tempDir } from './helpers.js';

const MAIN = 'main.test';
const OTHER = 'other.test';
const THIRD = 'third.test';

let cleanup: () => Promise<void>;
let deps: AdminDeps;
let cache: SessionCache;
let mailboxes: MailboxStore;
let dir: string;
const who: Record<string, Caller> = {};

async function caller(address: string): Promise<Caller> {
  return callerFor(deps.store, MAIN, address, 'basic');
}

/** The HTTP status an operation ends with: 200 for success, else the AdminError's. */
async function status(op: () => unknown): Promise<number> {
  try {
    await op();
    return 200;
  } catch (err) {
    if (err instanceof AdminError) return err.status;
    throw err;
  }
}

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  await writeFile(join(dir, 'portcullis.yaml'), `mainDomain: ${MAIN}\ndataDir: state\nlisteners:\n  - { service: imap, port: 1143, grant: [10.0.0.0/8] }\n`);
  const config = await loadConfig(undefined, dir);
  const store = openDirectoryStore(config.directory, { dataDir: config.dataDir });
  cache = createMemoryCache();
  mailboxes = openMailboxStore(config.directory, { dataDir: config.dataDir });
  deps = { config, store, cache, loginLog: new MemoryLoginLog(), mailboxes };
  await ensureMainDomain(store, MAIN);
  await createDomainWith(deps, OTHER, []);
  await createDomainWith(deps, THIRD, []);
  const people: [string, AccessRight[]][] = [
    [`postmaster@${MAIN}`, []],
    [`settings@${MAIN}`, ['Settings']],
    [`monitor@${MAIN}`, ['Monitor']],
    [`alldomains@${MAIN}`, ['AllDomains']],
    [`reader@${MAIN}`, ['AllDomainsRead']],
    [`dadmin@${OTHER}`, ['Domain']],
    [`keys@${OTHER}`, ['KerberosKeys']],
    [`plain@${OTHER}`, []],
    [`third@${THIRD}`, []],
  ];
  for (const [address, held] of people) {
    await createAccountWith(deps, address, [passwordAssignment('Secret-Pw-1', 'password')]);
    if (held.length > 0) await grantRightsTo(deps, address, held);
    who[address.split('@')[0]!] = await caller(address);
  }
});

afterAll(async () => {
  await deps.store.close();
  await cache.close();
  await mailboxes.close();
  await cleanup();
});

describe('domains', () => {
  it('lists only the domains a caller may see', async () => {
    const names = async (c: Caller) => (await domains.listDomains(deps, c)).map((d) => d.name);
    expect(await names(who['postmaster']!)).toEqual([MAIN, OTHER, THIRD]);
    expect(await names(who['reader']!)).toEqual([MAIN, OTHER, THIRD]);
    expect(await names(who['alldomains']!)).toEqual([MAIN, OTHER, THIRD]);
    expect(await names(who['dadmin']!)).toEqual([OTHER]);
    expect(await names(who['keys']!)).toEqual([OTHER]);
    expect(await names(who['plain']!)).toEqual([]);
    expect(await names(who['settings']!)).toEqual([]);
  });

  it('reads: readers and the own domain; another domain is 404 (not even its existence)', async () => {
    expect(await status(() => domains.getDomain(deps, who['reader']!, THIRD))).toBe(200);
    expect(await status(() => domains.getDomain(deps, who['dadmin']!, OTHER))).toBe(200);
    expect(await status(() => domains.getDomain(deps, who['dadmin']!, THIRD))).toBe(404);
    expect(await status(() => domains.getDomain(deps, who['dadmin']!, 'no-such.test'))).toBe(404);
    expect(await status(() => domains.getDomain(deps, who['plain']!, OTHER))).toBe(404);
    expect(await status(() => domains.getDomain(deps, who['settings']!, MAIN))).toBe(404);
  });

  it('changes: Domain in its own domain, AllDomains anywhere; a reader is 403', async () => {
    const methods = { loginMethods: ['CLRTXT', 'CRAM-MD5'] };
    expect(await status(() => domains.updateDomain(deps, who['dadmin']!, OTHER, methods))).toBe(200);
    expect(await status(() => domains.updateDomain(deps, who['alldomains']!, THIRD, methods))).toBe(200);
    expect(await status(() => domains.updateDomain(deps, who['reader']!, OTHER, methods))).toBe(403);
    expect(await status(() => domains.updateDomain(deps, who['dadmin']!, THIRD, methods))).toBe(404);
    expect(await status(() => domains.updateDomain(deps, who['keys']!, OTHER, methods))).toBe(403);
    expect(await status(() => domains.updateDomain(deps, who['dadmin']!, OTHER, { aliases: ['alias.other.test'] }))).toBe(403);
    expect(await status(() => domains.updateDomain(deps, who['dadmin']!, OTHER, { loginMethods: ['NOPE'] }))).toBe(400);
    expect((await domains.getDomain(deps, who['reader']!, OTHER)).settings.loginMethods).toEqual(['CLRTXT', 'CRAM-MD5']);
  });

  it('creates domains with AllDomains or Master only', async () => {
    expect(await status(() => domains.createDomain(deps, who['dadmin']!, 'new1.test'))).toBe(403);
    expect(await status(() => domains.createDomain(deps, who['settings']!, 'new1.test'))).toBe(403);
    expect(await status(() => domains.createDomain(deps, who['reader']!, 'new1.test'))).toBe(403);
    expect(await status(() => domains.createDomain(deps, who['alldomains']!, 'new1.test'))).toBe(200);
    expect(await status(() => domains.createDomain(deps, who['postmaster']!, 'new1.test'))).toBe(409);
    expect(await status(() => domains.deleteDomain(deps, who['dadmin']!, 'new1.test'))).toBe(403);
    expect(await status(() => domains.deleteDomain(deps, who['postmaster']!, MAIN))).toBe(409);
  });
});

describe('accounts', () => {
  it('creates and changes accounts of the own domain only', async () => {
    expect(await status(() => accounts.createAccount(deps, who['dadmin']!, OTHER, { name: 'made1', password: 'Made-Pw-1' }))).toBe(200);
    expect(await status(() => accounts.createAccount(deps, who['dadmin']!, MAIN, { name: 'made1' }))).toBe(404);
    expect(await status(() => accounts.createAccount(deps, who['reader']!, OTHER, { name: 'made2' }))).toBe(403);
    expect(await status(() => accounts.createAccount(deps, who['keys']!, OTHER, { name: 'made2' }))).toBe(403);
    expect(await status(() => accounts.updateAccount(deps, who['dadmin']!, OTHER, 'plain', { settings: { failedLoginLimit: 3 } }))).toBe(200);
    expect(await status(() => accounts.updateAccount(deps, who['dadmin']!, MAIN, 'postmaster', { password: 'x-Pw-2' }))).toBe(404);
    expect(await status(() => accounts.updateAccount(deps, who['reader']!, OTHER, 'plain', { settings: { failedLoginLimit: 4 } }))).toBe(403);
    expect(await status(() => accounts.listAccounts(deps, who['reader']!, OTHER))).toBe(200);
    expect(await status(() => accounts.listAccounts(deps, who['third']!, THIRD))).toBe(404);
  });

  it('does not let a domain administrator change an account holding a right it lacks', async () => {
    expect(await status(() => accounts.updateAccount(deps, who['dadmin']!, OTHER, 'keys', { password: 'Take-Over-1' }))).toBe(403);
    expect(await status(() => accounts.updateAccount(deps, who['postmaster']!, OTHER, 'keys', { settings: { failedLoginLimit: 5 } }))).toBe(200);
    // the main domain's Domain administrator cannot reset the postmaster's password
    await createAccountWith(deps, `mainadmin@${MAIN}`, []);
    await grantRightsTo(deps, `mainadmin@${MAIN}`, ['Domain']);
    const mainAdmin = await caller(`mainadmin@${MAIN}`);
    expect(await status(() => accounts.updateAccount(deps, mainAdmin, MAIN, 'postmaster', { password: 'Take-Over-1' }))).toBe(403);
    expect(await status(() => accounts.updateAccount(deps, mainAdmin, MAIN, 'monitor', { password: 'Take-Over-1' }))).toBe(403);
  });

  it('never answers a password or a hash', async () => {
    await accounts.updateAccount(deps, who['postmaster']!, OTHER, 'plain', { settings: { tagPasswords: { phone: 'Tag-Pw-1' } } });
    const view = await accounts.getAccount(deps, who['dadmin']!, OTHER, 'plain');
    const text = JSON.stringify(view);
    expect(view).toMatchObject({ name: 'plain', address: `plain@${OTHER}`, passwordSet: true, tagPasswords: ['phone'], rights: [] });
    expect(text).not.toMatch(/Secret-Pw-1|Tag-Pw-1|\{clear\}|"password"/);
  });
});

describe('access rights', () => {
  it('a domain administrator grants only the domain rights it holds, never main-domain ones', async () => {
    expect(await status(() => rights.setRights(deps, who['dadmin']!, OTHER, 'plain', ['Master']))).toBe(403);
    expect(await status(() => rights.setRights(deps, who['dadmin']!, OTHER, 'plain', ['KerberosKeys']))).toBe(403);
    expect(await status(() => rights.setRights(deps, who['dadmin']!, OTHER, 'plain', ['CanImpersonate']))).toBe(403);
    expect(await rights.setRights(deps, who['dadmin']!, OTHER, 'plain', ['Domain'])).toEqual({ rights: ['Domain'] });
    expect(await rights.setRights(deps, who['dadmin']!, OTHER, 'plain', [])).toEqual({ rights: [] });
    expect(await status(() => rights.setRights(deps, who['dadmin']!, MAIN, 'reader', []))).toBe(404);
    // revoking a right one does not hold is refused as well
    expect(await status(() => rights.setRights(deps, who['dadmin']!, OTHER, 'keys', []))).toBe(403);
  });

  it('main-domain rights: only by their holders or Master, and only to main-domain accounts', async () => {
    expect(await rights.setRights(deps, who['alldomains']!, MAIN, 'settings', ['Settings', 'AllDomains'])).toEqual({ rights: ['Settings', 'AllDomains'] });
    expect(await status(() => rights.setRights(deps, who['alldomains']!, MAIN, 'settings', ['Settings', 'AllDomains', 'Master']))).toBe(403);
    expect(await status(() => rights.setRights(deps, who['alldomains']!, MAIN, 'settings', ['Monitor']))).toBe(403);
    expect(await status(() => rights.setRights(deps, who['postmaster']!, OTHER, 'plain', ['Monitor']))).toBe(400);
    expect(await status(() => rights.setRights(deps, who['postmaster']!, OTHER, 'plain', ['Root']))).toBe(400);
    expect(await rights.setRights(deps, who['postmaster']!, MAIN, 'settings', ['Settings'])).toEqual({ rights: ['Settings'] });
    expect(await status(() => rights.getRights(deps, who['reader']!, OTHER, 'dadmin'))).toBe(200);
    expect(await status(() => rights.getRights(deps, who['third']!, OTHER, 'dadmin'))).toBe(404);
  });
});

describe('server settings, listeners, Kerberos keys', () => {
  it('server settings and listeners need Settings', async () => {
    for (const name of ['postmaster', 'settings']) {
      expect(await status(() => server.getServerSettings(deps, who[name]!))).toBe(200);
      expect(await status(() => listeners.listListeners(deps, who[name]!))).toBe(200);
    }
    for (const name of ['alldomains', 'reader', 'monitor', 'dadmin']) {
      expect(await status(() => server.updateServerSettings(deps, who[name]!, { hideUnknownAccount: true }))).toBe(403);
      expect(await status(() => listeners.listListeners(deps, who[name]!))).toBe(403);
    }
    expect((await server.updateServerSettings(deps, who['settings']!, { hideUnknownAccount: true })).settings).toMatchObject({ hideUnknownAccount: true });
    const configured = {
      name: 'imap:1143',
      service: 'imap',
      address: '127.0.0.1',
      port: 1143,
      tls: 'none',
      config: { grant: ['10.0.0.0/8'], deny: [] },
    };
    expect(await listeners.listListeners(deps, who['settings']!)).toEqual([
      { ...configured, grant: ['10.0.0.0/8'], deny: [], overridden: { grant: false, deny: false } },
    ]);
  });

  it('listener Grant/Deny overrides need Settings, are checked, and live in the server settings', async () => {
    for (const name of ['alldomains', 'monitor', 'dadmin']) {
      expect(await status(() => listeners.updateListener(deps, who[name]!, 'imap:1143', { deny: ['127.0.0.1'] }))).toBe(403);
    }
    expect(await status(() => listeners.updateListener(deps, who['settings']!, 'imap:9', { deny: [] }))).toBe(404);
    expect(await status(() => listeners.updateListener(deps, who['settings']!, 'imap:1143', { deny: ['not-a-range'] }))).toBe(400);
    expect(await status(() => listeners.updateListener(deps, who['settings']!, 'imap:1143', {}))).toBe(400);
    const view = await listeners.updateListener(deps, who['settings']!, 'imap:1143', { deny: ['127.0.0.1', ' 127.0.0.1 ', '::1/128'] });
    expect(view).toMatchObject({ grant: ['10.0.0.0/8'], deny: ['127.0.0.1', '::1/128'], overridden: { grant: false, deny: true } });
    expect((await deps.store.getServerSettings()) as Record<string, unknown>).toMatchObject({
      listenerAccess: { 'imap:1143': { deny: ['127.0.0.1', '::1/128'] } },
    });
    expect(await listeners.updateListener(deps, who['postmaster']!, 'imap:1143', { grant: [], deny: null })).toMatchObject({
      grant: [],
      deny: [],
      overridden: { grant: true, deny: false },
    });
    await listeners.updateListener(deps, who['settings']!, 'imap:1143', { grant: null });
    expect(await deps.store.getServerSettings()).not.toHaveProperty('listenerAccess');
    expect((await listeners.listListeners(deps, who['settings']!))[0]).toMatchObject({ grant: ['10.0.0.0/8'], overridden: { grant: false } });
  });

  it('Kerberos keys need KerberosKeys in that domain (or Master)', async () => {
    const file = join(dir, 'k.keytab');
    execFileSync('ktutil', [], {
      input: [`addent -password -p imap/other.test@OTHER.TEST -k 2 -e aes256-cts-hmac-sha1-96`, 'pw', `wkt ${file}`, 'quit', ''].join('\n'),
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    const keytab = (await readFile(file)).toString('base64');
    expect(await status(() => keys.importKerberosKeys(deps, who['dadmin']!, OTHER, keytab))).toBe(403);
    expect(await status(() => keys.importKerberosKeys(deps, who['alldomains']!, OTHER, keytab))).toBe(403);
    expect(await status(() => keys.importKerberosKeys(deps, who['keys']!, MAIN, keytab))).toBe(404);
    expect((await keys.importKerberosKeys(deps, who['keys']!, OTHER, keytab)).imported).toBe(1);
    expect(await status(() => keys.listKerberosKeys(deps, who['postmaster']!, OTHER))).toBe(200);
    expect(await status(() => keys.listKerberosKeys(deps, who['reader']!, OTHER))).toBe(403);
    expect(await status(() => keys.importKerberosKeys(deps, who['keys']!, OTHER, Buffer.from('not a keytab').toString('base64')))).toBe(400);
    const [key] = await keys.listKerberosKeys(deps, who['keys']!, OTHER);
    expect(await status(() => keys.deleteKerberosKeys(deps, who['dadmin']!, OTHER, [key!.id]))).toBe(403);
    expect(await keys.deleteKerberosKeys(deps, who['keys']!, OTHER, [key!.id])).toEqual({ deleted: [key!.id], unknown: [] });
  });
});

describe('groups and effective rights', () => {
  it('domain readers list groups, domain administrators change them', async () => {
    expect(await status(() => groups.setGroup(deps, who['dadmin']!, OTHER, 'staff', ['plain', 'dadmin']))).toBe(200);
    expect(await status(() => groups.setGroup(deps, who['reader']!, OTHER, 'staff', []))).toBe(403);
    expect(await status(() => groups.setGroup(deps, who['dadmin']!, MAIN, 'staff', []))).toBe(404);
    expect(await groups.listGroups(deps, who['reader']!, OTHER)).toEqual([{ name: 'staff', members: ['plain', 'dadmin'] }]);
    expect(await status(() => groups.listGroups(deps, who['third']!, OTHER))).toBe(404);
  });

  it('the calculator needs read access to the owner’s domain', async () => {
    await mailboxes.updateMailboxes(`plain@${OTHER}`, (current) => ({
      next: { ...current, mailboxes: { ...current.mailboxes, Box: { uidValidity: 1, acl: { '#staff': 'lr', '-dadmin': 'r' } } } },
      result: null,
    }));
    const r = await effectiveRightsFor(deps, who['dadmin']!, `dadmin@${OTHER}`, `plain@${OTHER}/Box`);
    expect(r.rights).toBe('l');
    expect(await status(() => effectiveRightsFor(deps, who['third']!, `third@${THIRD}`, `plain@${OTHER}/Box`))).toBe(404);
    expect(await status(() => effectiveRightsFor(deps, who['dadmin']!, `dadmin@${OTHER}`, 'plain-other.test'))).toBe(400);
  });
});

describe('monitoring', () => {
  it('login log: Monitor only', async () => {
    deps.loginLog.record({ time: new Date().toISOString(), service: 'imap', account: `plain@${OTHER}`, address: '192.0.2.1', mechanism: 'CLRTXT', ok: false, code: 'bad-credentials', rule: 'wrong password' });
    expect(await monitoring.loginLog(deps, who['monitor']!, { limit: 10 })).toHaveLength(1);
    for (const name of ['settings', 'alldomains', 'reader', 'dadmin']) expect(await status(() => monitoring.loginLog(deps, who[name]!, { limit: 10 }))).toBe(403);
  });

  it('lockout: Monitor anywhere, a domain administrator in its domain', async () => {
    await cache.recordFailure(lockoutKey(`plain@${OTHER}`), 1, 600);
    expect(await monitoring.lockoutStatus(deps, who['monitor']!, `Plain@${OTHER}`)).toEqual({ key: `plain@${OTHER}`, locked: true });
    expect(await status(() => monitoring.lockoutStatus(deps, who['dadmin']!, `postmaster@${MAIN}`))).toBe(403);
    expect(await status(() => monitoring.unlock(deps, who['reader']!, `plain@${OTHER}`))).toBe(403);
    await monitoring.unlock(deps, who['dadmin']!, `plain@${OTHER}`);
    expect(await cache.isLocked(lockoutKey(`plain@${OTHER}`))).toBe(false);
    expect(await monitoring.lockoutStatus(deps, who['monitor']!, 'postmaster')).toEqual({ key: `postmaster@${MAIN}`, locked: false });
  });

  it('sessions: closed by Monitor or the account’s domain administrator', async () => {
    await cache.putSession('s-1', { account: `plain@${OTHER}`, kind: 'webuser', createdAt: Date.now() }, 600);
    expect(await status(() => monitoring.closeSession(deps, who['settings']!, 's-1'))).toBe(403);
    expect(await status(() => monitoring.closeSession(deps, who['dadmin']!, 's-1'))).toBe(200);
    expect(await cache.getSession('s-1')).toBeNull();
    expect(await status(() => monitoring.closeSession(deps, who['monitor']!, 's-1'))).toBe(404);
    expect(await status(() => monitoring.closeSession(deps, who['dadmin']!, 's-1'))).toBe(403);
    expect(await status(() => monitoring.listSessions(deps, who['dadmin']!, undefined))).toBe(403);
    expect(await status(() => monitoring.listSessions(deps, who['monitor']!, undefined))).toBe(400);
  });

  it('sessions: listed for one account by Monitor or its domain administrator, with their IDs and expiry', async () => {
    const t = Date.now();
    await cache.putSession('s-a', { account: `plain@${OTHER}`, kind: 'webuser', createdAt: t }, 600);
    await cache.putSession('s-b', { account: `third@${THIRD}`, kind: 'webuser', createdAt: t }, 600);
    const listed = await monitoring.listSessions(deps, who['monitor']!, `Plain@${OTHER}`);
    expect(listed).toEqual([{ id: 's-a', account: `plain@${OTHER}`, kind: 'webuser', createdAt: t, expiresAt: expect.any(Number) }]);
    expect(listed[0]!.expiresAt).toBeGreaterThan(t + 590_000);
    expect(await monitoring.listSessions(deps, who['dadmin']!, `plain@${OTHER}`)).toHaveLength(1);
    for (const name of ['dadmin', 'settings', 'reader', 'third']) {
      expect(await status(() => monitoring.listSessions(deps, who[name]!, `third@${THIRD}`))).toBe(403);
    }
    expect(await monitoring.listSessions(deps, who['monitor']!, `nobody@${OTHER}`)).toEqual([]);
  });

  it('deleting an account closes its sessions; deleting a domain those of all its accounts', async () => {
    await createAccountWith(deps, `gone@${OTHER}`, [passwordAssignment('Gone-Secret-1', 'password')]);
    await createDomainWith(deps, 'fourth.test', []);
    await createAccountWith(deps, 'x@fourth.test', []);
    await cache.putSession('s-gone', { account: `gone@${OTHER}`, kind: 'webuser', createdAt: 1 }, 600);
    await cache.putSession('s-x', { account: 'x@fourth.test', kind: 'webuser', createdAt: 1 }, 600);
    await cache.putSession('s-keep', { account: `plain@${OTHER}`, kind: 'webuser', createdAt: 1 }, 600);
    expect(await status(() => accounts.deleteAccount(deps, who['dadmin']!, OTHER, 'gone'))).toBe(200);
    expect(await cache.getSession('s-gone')).toBeNull();
    expect(await cache.getSession('s-keep')).not.toBeNull();
    expect(await status(() => domains.deleteDomain(deps, who['alldomains']!, 'fourth.test'))).toBe(409);
    expect(await cache.getSession('s-x')).not.toBeNull();
    expect(await status(() => domains.deleteDomain(deps, who['dadmin']!, 'fourth.test', true))).toBe(403);
    expect(await status(() => domains.deleteDomain(deps, who['alldomains']!, 'fourth.test', true))).toBe(200);
    expect(await cache.getSession('s-x')).toBeNull();
    expect(await status(() => domains.deleteDomain(deps, who['postmaster']!, MAIN, true))).toBe(409);
    expect(await status(() => accounts.deleteAccount(deps, who['postmaster']!, MAIN, 'postmaster'))).toBe(409);
  });
});
