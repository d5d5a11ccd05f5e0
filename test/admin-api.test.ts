/**
 * The admin API (/api/v1) against the built gateway, with Node's fetch: the main postmaster
 * (Master) runs domains, accounts and Login Methods (seen in a real IMAP CAPABILITY), a domain
 * administrator stays inside its domain, Kerberos keys need KerberosKeys, the login log explains
 * refused logins, lockout can be lifted, and no answer ever carries a password or a hash.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApi, basicAuth as basic, openWebSession, type ApiReply as Reply } from './harness/admin-api.js';
import { Gateway, MAIN_DOMAIN } from './harness/gateway.js';
import { WRONG_PASSWORD, stopCleanly } from './harness/fixtures.js';
import { imapCapabilitiesAt, imapCommand, imapConnect, imapLogin, imapLoginWorks } from './harness/imap.js';
import { startRedisServer } from './harness/redis-server.js';

const LISTENERS = {
  http: { service: 'http', tls: 'none' },
  imap: { service: 'imap', tls: 'none' },
} as const;

const POSTMASTER = { address: `postmaster@${MAIN_DOMAIN}`, password: 'Postmaster-Secret-9' };
const OTHER = 'other.test';
const CAROL = { name: 'carol', address: `carol@${OTHER}`, password: 'Carol-Secret-4' };
const DADMIN = { name: 'dadmin', address: `dadmin@${OTHER}`, password: 'Dadmin-Secret-5' };
const ALL_PASSWORDS = [POSTMASTER.password, CAROL.password, DADMIN.password, WRONG_PASSWORD, 'Changed-Secret-6'];

let gw: Gateway<keyof typeof LISTENERS>;

beforeAll(async () => {
  gw = await Gateway.start({ listeners: LISTENERS });
  // the server made the main postmaster at its first start; give it a known password
  await gw.cliOk('account', 'set', POSTMASTER.address, `password=${POSTMASTER.password}`);
}, 60_000);

afterAll(async () => {
  await stopCleanly(gw, ALL_PASSWORDS);
});

const api = (method: string, url: string, auth: string | null, body?: unknown): Promise<Reply> =>
  adminApi(gw.ports.http, method, url, auth, body);

const asPostmaster = (method: string, url: string, body?: unknown): Promise<Reply> => api(method, url, basic(POSTMASTER), body);
const asDadmin = (method: string, url: string, body?: unknown): Promise<Reply> => api(method, url, basic(DADMIN), body);

/** Nothing password-shaped in an answer: no typed password, no stored form of one. */
function expectNoSecrets(reply: Reply): void {
  for (const pw of ALL_PASSWORDS) expect(reply.text).not.toContain(pw);
  expect(reply.text).not.toMatch(/\{(clear|U-crpt|UB-crpt|A-crpt)\}|\$argon2|"password"\s*:/);
}

const capabilities = (): Promise<string[]> => imapCapabilitiesAt(gw.ports.imap);

async function imapLoginStatus(user: string, password: string): Promise<boolean> {
  return (await imapLoginWorks(gw.ports.imap, user, password)).ok;
}

describe('admin API as the main postmaster (Master)', () => {
  it('refuses a caller without credentials (401) or with a wrong password (401)', async () => {
    expect((await api('GET', '/me', null)).status).toBe(401);
    const wrong = await api('GET', '/me', basic({ address: POSTMASTER.address, password: WRONG_PASSWORD }));
    expect(wrong.status).toBe(401);
    expect(wrong.json).toHaveProperty('error');
  });

  it('takes bodies as JSON only (a cross-site HTML form cannot ride on cached Basic credentials)', async () => {
    const r = await fetch(`http://127.0.0.1:${gw.ports.http}/api/v1/domains`, {
      method: 'POST',
      headers: { authorization: basic(POSTMASTER), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=csrf.test',
    });
    expect(r.status).toBe(415);
    expect((await asPostmaster('GET', '/domains')).json.domains.map((d: { name: string }) => d.name)).not.toContain('csrf.test');
    expect((await asPostmaster('POST', '/domains', '{"name":')).status).toBe(400);
  });

  it('says who is calling, with the implicit Master right', async () => {
    const me = await asPostmaster('GET', '/me');
    expect(me.status, me.text).toBe(200);
    expect(me.json).toMatchObject({ account: POSTMASTER.address, via: 'basic', rights: ['Master'], domains: [MAIN_DOMAIN] });
  });

  it('creates a domain and accounts; answers never carry a password', async () => {
    const created = await asPostmaster('POST', '/domains', { name: OTHER });
    expect(created.status, created.text).toBe(201);
    expect(created.json).toEqual({ name: OTHER });
    expect((await asPostmaster('POST', '/domains', { name: OTHER })).status).toBe(409);
    expect((await asPostmaster('POST', '/domains', { name: 'not a domain!' })).status).toBe(400);

    for (const who of [CAROL, DADMIN]) {
      const r = await asPostmaster('POST', `/domains/${OTHER}/accounts`, { name: who.name, password: who.password, settings: { secureMethodRequired: false } });
      expect(r.status, r.text).toBe(201);
      expect(r.json).toEqual({ name: who.name, address: who.address });
    }
    expect((await asPostmaster('POST', `/domains/${OTHER}/accounts`, { name: CAROL.name })).status).toBe(409);
    expect((await asPostmaster('POST', `/domains/${OTHER}/accounts`, { name: 'x', settings: { noSuchKey: 1 } })).status).toBe(400);

    const list = await asPostmaster('GET', `/domains/${OTHER}/accounts`);
    expect(list.json).toEqual({ accounts: [{ name: 'carol', address: CAROL.address }, { name: 'dadmin', address: DADMIN.address }] });
    const carol = await asPostmaster('GET', `/domains/${OTHER}/accounts/carol`);
    expect(carol.status, carol.text).toBe(200);
    expect(carol.json).toMatchObject({ name: 'carol', address: CAROL.address, passwordSet: true, rights: [] });
    expectNoSecrets(carol);
    const domains = await asPostmaster('GET', '/domains');
    expect(domains.json.domains).toEqual([
      { name: MAIN_DOMAIN, accounts: 1 },
      { name: OTHER, accounts: 2 },
    ]);
    // the account's own password works over IMAP
    expect(await imapLoginStatus(CAROL.address, CAROL.password)).toBe(true);
  });

  it('changes a password through PATCH (never echoed)', async () => {
    const r = await asPostmaster('PATCH', `/domains/${OTHER}/accounts/carol`, { password: 'Changed-Secret-6' });
    expect(r.status, r.text).toBe(200);
    expectNoSecrets(r);
    expect(await imapLoginStatus(CAROL.address, 'Changed-Secret-6')).toBe(true);
    expect(await imapLoginStatus(CAROL.address, CAROL.password)).toBe(false);
    expect((await asPostmaster('PATCH', `/domains/${OTHER}/accounts/carol`, { password: CAROL.password })).status).toBe(200);
    expect(await imapLoginStatus(CAROL.address, CAROL.password)).toBe(true);
  });

  it("changes the main domain's Login Methods, and the IMAP CAPABILITY follows", async () => {
    expect(await capabilities()).toContain('AUTH=CRAM-MD5');
    const only = await asPostmaster('PATCH', `/domains/${MAIN_DOMAIN}`, { settings: { loginMethods: ['CLRTXT'] } });
    expect(only.status, only.text).toBe(200);
    expect(only.json).toMatchObject({ name: MAIN_DOMAIN, settings: { loginMethods: ['CLRTXT'] } });
    const caps = await capabilities();
    expect(caps).not.toContain('AUTH=CRAM-MD5');
    expect(caps).toContain('AUTH=PLAIN');
    const back = await asPostmaster('PATCH', `/domains/${MAIN_DOMAIN}`, { settings: { loginMethods: null } });
    expect(back.json.settings.loginMethods).toContain('CRAM-MD5');
    expect(await capabilities()).toContain('AUTH=CRAM-MD5');
    expect((await asPostmaster('PATCH', `/domains/${MAIN_DOMAIN}`, { settings: { loginMethods: ['NOPE'] } })).status).toBe(400);
  });

  it('reads and changes server settings (Settings), and lists the listeners', async () => {
    const r = await asPostmaster('PATCH', '/server', { settings: { hideUnknownAccount: true, clientAddresses: ['192.0.2.0/24'] } });
    expect(r.status, r.text).toBe(200);
    expect(r.json.settings).toMatchObject({ hideUnknownAccount: true, clientAddresses: ['192.0.2.0/24'] });
    expect((await asPostmaster('PATCH', '/server', { settings: { hideUnknownAccount: null, clientAddresses: null } })).status).toBe(200);
    expect((await asPostmaster('GET', '/server')).json.settings).not.toHaveProperty('hideUnknownAccount');
    const listeners = await asPostmaster('GET', '/listeners');
    expect(listeners.json.listeners).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: `imap:${gw.ports.imap}`, service: 'imap', port: gw.ports.imap, grant: [], deny: [] })]),
    );
  });
});

describe('a domain administrator (Domain right in other.test)', () => {
  beforeAll(async () => {
    const r = await asPostmaster('PUT', `/domains/${OTHER}/accounts/dadmin/rights`, { rights: ['Domain'] });
    expect(r.status, r.text).toBe(200);
    expect(r.json).toEqual({ rights: ['Domain'] });
  });

  it('sees only its own domain', async () => {
    const me = await asDadmin('GET', '/me');
    expect(me.json).toMatchObject({ account: DADMIN.address, rights: ['Domain'], domains: [OTHER] });
    expect((await asDadmin('GET', '/domains')).json).toEqual({ domains: [{ name: OTHER, accounts: 2 }] });
    expect((await asDadmin('GET', `/domains/${OTHER}`)).status).toBe(200);
    for (const url of [`/domains/${MAIN_DOMAIN}`, `/domains/${MAIN_DOMAIN}/accounts`, `/domains/${MAIN_DOMAIN}/accounts/postmaster`, `/accounts/${POSTMASTER.address}`]) {
      const r = await asDadmin('GET', url);
      expect([403, 404], `${url}: ${r.text}`).toContain(r.status);
    }
    expect((await asDadmin('PATCH', `/domains/${MAIN_DOMAIN}`, { settings: { loginMethods: ['CLRTXT'] } })).status).toBe(404);
    expect((await asDadmin('PATCH', `/domains/${MAIN_DOMAIN}/accounts/postmaster`, { password: 'Changed-Secret-6' })).status).toBe(404);
    // and it is not a server administrator
    for (const url of ['/server', '/listeners', '/login-log']) expect((await asDadmin('GET', url)).status).toBe(403);
    expect((await asDadmin('POST', '/domains', { name: 'third.test' })).status).toBe(403);
  });

  it('runs its own domain: accounts and Login Methods', async () => {
    const r = await asDadmin('PATCH', `/domains/${OTHER}/accounts/carol`, { settings: { failedLoginLimit: 2, failedLoginPeriod: 600 } });
    expect(r.status, r.text).toBe(200);
    expect(r.json.settings).toMatchObject({ failedLoginLimit: 2, failedLoginPeriod: 600 });
    expectNoSecrets(r);
    expect((await asDadmin('PATCH', `/domains/${OTHER}`, { settings: { loginMethods: ['CLRTXT', 'CRAM-MD5'] } })).status).toBe(200);
    // another name for the domain reaches beyond it
    expect((await asDadmin('PATCH', `/domains/${OTHER}`, { settings: { aliases: ['alias.other.test'] } })).status).toBe(403);
  });

  it('cannot grant Master (or any main-domain right), nor a right it does not hold', async () => {
    const master = await asDadmin('PUT', `/domains/${OTHER}/accounts/carol/rights`, { rights: ['Master'] });
    expect(master.status, master.text).toBe(403);
    expect((await asDadmin('PUT', `/domains/${OTHER}/accounts/carol/rights`, { rights: ['KerberosKeys'] })).status).toBe(403);
    expect((await asDadmin('PUT', `/domains/${MAIN_DOMAIN}/accounts/postmaster/rights`, { rights: [] })).status).toBe(404);
    const domain = await asDadmin('PUT', `/domains/${OTHER}/accounts/carol/rights`, { rights: ['Domain'] });
    expect(domain.status, domain.text).toBe(200);
    expect(domain.json).toEqual({ rights: ['Domain'] });
    expect((await asDadmin('PUT', `/domains/${OTHER}/accounts/carol/rights`, { rights: [] })).json).toEqual({ rights: [] });
    // even the postmaster cannot give a main-domain right to another domain's account
    expect((await asPostmaster('PUT', `/domains/${OTHER}/accounts/carol/rights`, { rights: ['Monitor'] })).status).toBe(400);
  });

  it('manages Kerberos keys only with KerberosKeys', async () => {
    const dir = await fs.mkdtemp(path.join(gw.dir, 'kt-'));
    const file = path.join(dir, 'imap.keytab');
    execFileSync('ktutil', [], {
      input: [`addent -password -p imap/mail.other.test@OTHER.TEST -k 3 -e aes256-cts-hmac-sha1-96`, 'pw', `wkt ${file}`, 'quit', ''].join('\n'),
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    const keytab = (await fs.readFile(file)).toString('base64');
    expect((await asDadmin('GET', `/domains/${OTHER}/kerberos-keys`)).status).toBe(403);
    expect((await asDadmin('POST', `/domains/${OTHER}/kerberos-keys`, { keytab })).status).toBe(403);
    expect((await asPostmaster('PUT', `/domains/${OTHER}/accounts/dadmin/rights`, { rights: ['Domain', 'KerberosKeys'] })).status).toBe(200);
    const imported = await asDadmin('POST', `/domains/${OTHER}/kerberos-keys`, { keytab });
    expect(imported.status, imported.text).toBe(200);
    expect(imported.json.imported).toBe(1);
    const listed = await asDadmin('GET', `/domains/${OTHER}/kerberos-keys`);
    expect(listed.json.keys).toEqual([expect.objectContaining({ principal: 'imap/mail.other.test@OTHER.TEST', realm: 'OTHER.TEST', kvno: 3, enctype: expect.stringMatching(/aes256/) })]);
    // still not another domain's keys, and never the key bytes in a domain's settings
    expect((await asDadmin('GET', `/domains/${MAIN_DOMAIN}/kerberos-keys`)).status).toBe(404);
    expect((await asDadmin('GET', `/domains/${OTHER}`)).json.settings).not.toHaveProperty('kerberosKeys');
    const id = listed.json.keys[0].id as string;
    const deleted = await asDadmin('POST', `/domains/${OTHER}/kerberos-keys/delete`, { ids: [id, 'no-such-id'] });
    expect(deleted.json).toEqual({ deleted: [id], unknown: ['no-such-id'] });
    expect((await asDadmin('GET', `/domains/${OTHER}/kerberos-keys`)).json).toEqual({ keys: [] });
  });
});

describe('groups and the effective-rights calculator', () => {
  it('a domain administrator keeps its groups; the merge of a mailbox ACL is explained step by step', async () => {
    const team = await asDadmin('PUT', `/domains/${OTHER}/groups/team`, { members: ['dadmin'] });
    expect(team.status, team.text).toBe(200);
    expect(team.json).toEqual({ name: 'team', members: ['dadmin'] });
    expect((await asDadmin('GET', `/domains/${OTHER}/groups`)).json).toEqual({ groups: [{ name: 'team', members: ['dadmin'] }] });
    expect((await asDadmin('PUT', `/domains/${OTHER}/groups/ghosts`, { members: ['nobody-here'] })).status).toBe(400);
    expect((await asDadmin('PUT', `/domains/${MAIN_DOMAIN}/groups/team`, { members: [] })).status).toBe(404);

    // carol shares a mailbox over IMAP: everyone in the domain lrs, dadmin not s, the team i
    const { c } = await imapConnect(gw.ports.imap);
    try {
      expect((await imapLogin(c, CAROL.address, CAROL.password)).ok).toBe(true);
      for (const cmd of ['CREATE Shared', 'SETACL Shared anyone@ lrs', 'SETACL Shared -dadmin s', 'SETACL Shared #team i']) {
        const r = await imapCommand(c, cmd);
        expect(r.ok, `${cmd}: ${r.status}`).toBe(true);
      }
    } finally {
      c.close();
    }
    const url = `/acl/effective?account=${encodeURIComponent(DADMIN.address)}&mailbox=${encodeURIComponent(`${CAROL.address}/Shared`)}`;
    const r = await asDadmin('GET', url);
    expect(r.status, r.text).toBe(200);
    expect(r.json.rights).toBe('lri');
    expect(r.json.steps.map((s: { step: string }) => s.step)).toEqual(['exact', 'direct', 'removed', 'added', 'direct minus removed', 'plus added', 'effective']);
    expect(r.json.steps.find((s: { step: string }) => s.step === 'removed')).toMatchObject({ rights: 's' });
    const owner = await asDadmin('GET', `/acl/effective?account=${encodeURIComponent(CAROL.address)}&mailbox=${encodeURIComponent(`${CAROL.address}/Shared`)}`);
    expect(owner.json.steps[0].step).toBe('owner');
    expect((await asDadmin('GET', `/acl/effective?account=${encodeURIComponent(DADMIN.address)}&mailbox=${encodeURIComponent(`${CAROL.address}/Nope`)}`)).status).toBe(404);
    expect((await asDadmin('GET', `/acl/effective?account=${encodeURIComponent(DADMIN.address)}&mailbox=${encodeURIComponent(`${POSTMASTER.address}/INBOX`)}`)).status).toBe(404);
    expect((await asDadmin('DELETE', `/domains/${OTHER}/groups/team`)).status).toBe(204);
    expect((await asDadmin('DELETE', `/domains/${OTHER}/groups/team`)).status).toBe(404);
  });
});

describe('login log and lockout (Monitor)', () => {
  it('explains a refused login: wrong password, then locked out; unlock lets the owner in again', async () => {
    // carol has failedLoginLimit 2 (set by the domain administrator above)
    const { c } = await imapConnect(gw.ports.imap);
    try {
      expect((await imapLogin(c, CAROL.address, WRONG_PASSWORD)).ok).toBe(false);
      expect((await imapLogin(c, CAROL.address, WRONG_PASSWORD)).ok).toBe(false);
      expect((await imapLogin(c, CAROL.address, CAROL.password)).ok).toBe(false);
    } finally {
      c.close();
    }
    expect(await imapLoginStatus('nobody-at-all@other.test', 'x')).toBe(false);

    const log = await asPostmaster('GET', `/login-log?account=${encodeURIComponent(CAROL.address)}&limit=3`);
    expect(log.status, log.text).toBe(200);
    expect(log.json.entries).toEqual([
      expect.objectContaining({ service: 'imap', account: CAROL.address, address: '127.0.0.1', mechanism: 'CLRTXT', ok: false, code: 'locked', rule: expect.stringMatching(/^locked out/) }),
      expect.objectContaining({ ok: false, code: 'bad-credentials', rule: 'wrong password; this failure locked the account' }),
      expect.objectContaining({ ok: false, code: 'bad-credentials', rule: 'wrong password' }),
    ]);
    expect(typeof log.json.entries[0].time).toBe('string');
    const unknown = await asPostmaster('GET', '/login-log?ok=false&account=nobody-at-all@other.test');
    expect(unknown.json.entries[0]).toMatchObject({ code: 'unknown-account', rule: 'unknown account' });
    const successes = await asPostmaster('GET', '/login-log?ok=true&limit=1000');
    expect(successes.json.entries.length).toBeGreaterThan(0);
    expect(successes.json.entries.every((e: { ok: boolean }) => e.ok)).toBe(true);
    expectNoSecrets(await asPostmaster('GET', '/login-log?limit=1000'));

    const status = await asPostmaster('GET', `/lockout?key=${encodeURIComponent(CAROL.address)}`);
    expect(status.json).toEqual({ key: CAROL.address, locked: true });
    expect((await asPostmaster('DELETE', `/lockout?key=${encodeURIComponent(CAROL.address)}`)).status).toBe(204);
    expect((await asPostmaster('GET', `/lockout?key=${encodeURIComponent(CAROL.address)}`)).json.locked).toBe(false);
    expect(await imapLoginStatus(CAROL.address, CAROL.password)).toBe(true);
  });

  it('a domain administrator may unlock its own accounts but reads no login log', async () => {
    expect((await asDadmin('GET', `/lockout?key=${encodeURIComponent(CAROL.address)}`)).json).toEqual({ key: CAROL.address, locked: false });
    expect((await asDadmin('GET', `/lockout?key=${encodeURIComponent(POSTMASTER.address)}`)).status).toBe(403);
    expect((await asDadmin('GET', '/login-log')).status).toBe(403);
    expect((await asPostmaster('GET', '/login-log?limit=0')).status).toBe(400);
  });
});

describe('a WebUser session instead of Basic', () => {
  it('authorizes the admin API with Bearer and with the cookie', async () => {
    const sessionId = await openWebSession(gw.ports.http, POSTMASTER);
    const me = await api('GET', '/me', `Bearer ${sessionId}`);
    expect(me.json).toMatchObject({ account: POSTMASTER.address, via: 'session', rights: ['Master'] });
    const byCookie = await fetch(`http://127.0.0.1:${gw.ports.http}/api/v1/domains`, { headers: { cookie: `portcullis_session=${sessionId}` } });
    expect(byCookie.status).toBe(200);
    expect((await api('DELETE', `/sessions/${sessionId}`, `Bearer ${sessionId}`)).status).toBe(204);
    expect((await api('GET', '/me', `Bearer ${sessionId}`)).status).toBe(401);
  });
});

/** Failed IMAP logins for `user`, one connection each (so that they spread over the workers). */
async function failLogins(port: number, user: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) expect((await imapLoginWorks(port, user, WRONG_PASSWORD)).ok).toBe(false);
}

async function logFor(port: number, account: string): Promise<Array<{ account: string; rule: string }>> {
  const r = await fetch(`http://127.0.0.1:${port}/api/v1/login-log?limit=1000&account=${encodeURIComponent(account)}`, {
    headers: { authorization: basic(POSTMASTER) },
  });
  expect(r.status).toBe(200);
  return ((await r.json()) as { entries: Array<{ account: string; rule: string }> }).entries;
}

describe('one login log for the whole gateway', () => {
  it('with node:cluster workers and the memory cache: every worker answers with all workers’ entries', async () => {
    const cluster = await Gateway.start({ listeners: LISTENERS, config: { workers: 2 } });
    try {
      await cluster.cliOk('account', 'set', POSTMASTER.address, `password=${POSTMASTER.password}`);
      await failLogins(cluster.ports.imap, `ghost@${MAIN_DOMAIN}`, 6);
      // each request may land on either worker: all of them must see the six refusals
      for (let i = 0; i < 4; i++) {
        const entries = await logFor(cluster.ports.http, `ghost@${MAIN_DOMAIN}`);
        expect(entries).toHaveLength(6);
        expect(entries.every((e) => e.rule === 'unknown account')).toBe(true);
      }
    } finally {
      await stopCleanly(cluster, ALL_PASSWORDS);
    }
  }, 60_000);

  it('with a Redis cache: two instances share one list', async () => {
    const redis = await startRedisServer();
    let a: Gateway<keyof typeof LISTENERS> | undefined;
    let b: Gateway<keyof typeof LISTENERS> | undefined;
    try {
      a = await Gateway.start({ listeners: LISTENERS, config: { cache: redis.url(0) } });
      b = await Gateway.start({ listeners: LISTENERS, config: { cache: redis.url(0) } });
      for (const gwN of [a, b]) await gwN.cliOk('account', 'set', POSTMASTER.address, `password=${POSTMASTER.password}`);
      await failLogins(a.ports.imap, `ghost-a@${MAIN_DOMAIN}`, 2);
      await failLogins(b.ports.imap, `ghost-b@${MAIN_DOMAIN}`, 1);
      await new Promise((r) => setTimeout(r, 200));
      expect(await logFor(b.ports.http, `ghost-a@${MAIN_DOMAIN}`)).toHaveLength(2);
      expect(await logFor(a.ports.http, `ghost-b@${MAIN_DOMAIN}`)).toHaveLength(1);
    } finally {
      await stopCleanly(a, ALL_PASSWORDS);
      await stopCleanly(b, ALL_PASSWORDS);
      await redis.stop();
    }
  }, 60_000);
});
