/**
 * The admin API operations added after the first cut, against the built gateway: deleting
 * accounts and domains (a deleted account no longer logs in over IMAP), listener Grant/Deny
 * changed at run time (a new IMAP connection is refused while POP still answers, also with two
 * workers), and listing an account's WebUser sessions (closed when the account is deleted).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApi as api, basicAuth as basic, openWebSession, webSessionStatus, type ApiReply as Reply } from './harness/admin-api.js';
import { Gateway, MAIN_DOMAIN } from './harness/gateway.js';
import { WRONG_PASSWORD, stopCleanly } from './harness/fixtures.js';
import { imapConnect, imapLoginWorks } from './harness/imap.js';
import { popConnect } from './harness/pop.js';
import { startRedisServer } from './harness/redis-server.js';

const LISTENERS = {
  http: { service: 'http', tls: 'none' },
  imap: { service: 'imap', tls: 'none' },
  pop: { service: 'pop', tls: 'none' },
} as const;

const POSTMASTER = { address: `postmaster@${MAIN_DOMAIN}`, password: 'Postmaster-Secret-9' };
const DOOMED = 'doomed.test';
const JOE = { address: `joe@${DOOMED}`, password: 'Joe-Secret-7' };
const ANN = { address: `ann@${DOOMED}`, password: 'Ann-Secret-8' };
const DADMIN = { address: `dadmin@${DOOMED}`, password: 'Dadmin-Secret-5' };
const SUE = { address: `sue@${MAIN_DOMAIN}`, password: 'Sue-Secret-3' };
const MONITOR = { address: `monitor@${MAIN_DOMAIN}`, password: 'Monitor-Secret-2' };
const ALL_PASSWORDS = [POSTMASTER.password, JOE.password, ANN.password, DADMIN.password, SUE.password, MONITOR.password, WRONG_PASSWORD];

let gw: Gateway<keyof typeof LISTENERS>;

beforeAll(async () => {
  gw = await Gateway.start({ listeners: LISTENERS });
  await gw.cliOk('account', 'set', POSTMASTER.address, `password=${POSTMASTER.password}`);
}, 60_000);

afterAll(async () => {
  await stopCleanly(gw, ALL_PASSWORDS);
});

const asPostmaster = (method: string, url: string, body?: unknown): Promise<Reply> => api(gw.ports.http, method, url, basic(POSTMASTER), body);
const asDadmin = (method: string, url: string, body?: unknown): Promise<Reply> => api(gw.ports.http, method, url, basic(DADMIN), body);

async function imapOk(port: number, who: { address: string; password: string }): Promise<boolean> {
  return (await imapLoginWorks(port, who.address, who.password)).ok;
}

/** Whether a new IMAP connection gets its greeting (a refused one is closed before any byte). */
async function imapGreets(port: number): Promise<boolean> {
  try {
    const { c, greeting } = await imapConnect(port);
    c.close();
    return greeting.startsWith('* OK');
  } catch {
    return false;
  }
}

async function popGreets(port: number): Promise<boolean> {
  try {
    const { c, greeting } = await popConnect(port);
    c.close();
    return greeting.startsWith('+OK');
  } catch {
    return false;
  }
}

describe('deleting accounts and domains', () => {
  beforeAll(async () => {
    expect((await asPostmaster('POST', '/domains', { name: DOOMED })).status).toBe(201);
    for (const who of [JOE, ANN, DADMIN]) {
      const r = await asPostmaster('POST', `/domains/${DOOMED}/accounts`, { name: who.address.split('@')[0], password: who.password });
      expect(r.status, r.text).toBe(201);
    }
    expect((await asPostmaster('PUT', `/domains/${DOOMED}/accounts/dadmin/rights`, { rights: ['Domain'] })).status).toBe(200);
    expect((await asPostmaster('PUT', `/domains/${DOOMED}/groups/team`, { members: ['joe', 'ann'] })).status).toBe(200);
  });

  it('a domain administrator deletes an account of its domain; it no longer logs in over IMAP', async () => {
    expect(await imapOk(gw.ports.imap, JOE)).toBe(true);
    expect((await asDadmin('DELETE', `/domains/${MAIN_DOMAIN}/accounts/postmaster`)).status).toBe(404);
    const r = await asDadmin('DELETE', `/domains/${DOOMED}/accounts/joe`);
    expect(r.status, r.text).toBe(204);
    expect(await imapOk(gw.ports.imap, JOE)).toBe(false);
    expect((await asPostmaster('GET', `/domains/${DOOMED}/accounts/joe`)).status).toBe(404);
    expect((await asPostmaster('GET', `/domains/${DOOMED}/accounts`)).json.accounts.map((a: { name: string }) => a.name)).toEqual(['ann', 'dadmin']);
    expect((await asPostmaster('GET', `/domains/${DOOMED}/groups`)).json.groups).toEqual([{ name: 'team', members: ['ann'] }]);
    expect((await asDadmin('DELETE', `/domains/${DOOMED}/accounts/joe`)).status).toBe(404);
    // a new account of the same name starts afresh: no old password, no old memberships
    expect((await asPostmaster('POST', `/domains/${DOOMED}/accounts`, { name: 'joe' })).status).toBe(201);
    expect((await asPostmaster('GET', `/domains/${DOOMED}/accounts/joe`)).json).toMatchObject({ passwordSet: false, rights: [] });
    expect(await imapOk(gw.ports.imap, JOE)).toBe(false);
  });

  it('never deletes the main postmaster, nor an account holding a right the caller lacks', async () => {
    const r = await asPostmaster('DELETE', `/domains/${MAIN_DOMAIN}/accounts/postmaster`);
    expect(r.status).toBe(409);
    expect(r.json.error).toMatch(/postmaster/);
    expect(await imapOk(gw.ports.imap, POSTMASTER)).toBe(true);
    expect((await asPostmaster('PUT', `/domains/${DOOMED}/accounts/ann/rights`, { rights: ['KerberosKeys'] })).status).toBe(200);
    expect((await asDadmin('DELETE', `/domains/${DOOMED}/accounts/ann`)).status).toBe(403);
    expect(await imapOk(gw.ports.imap, ANN)).toBe(true);
  });

  it('deletes a domain only when empty unless ?force=true; never the main domain; AllDomains needed', async () => {
    expect((await asDadmin('DELETE', `/domains/${DOOMED}`)).status).toBe(403);
    const busy = await asPostmaster('DELETE', `/domains/${DOOMED}`);
    expect(busy.status).toBe(409);
    expect(busy.json.error).toMatch(/has 3 accounts/);
    expect((await asPostmaster('DELETE', `/domains/${MAIN_DOMAIN}?force=true`)).status).toBe(409);
    expect((await asPostmaster('DELETE', `/domains/${DOOMED}?force=maybe`)).status).toBe(400);
    expect(await imapOk(gw.ports.imap, ANN)).toBe(true);
    expect((await asPostmaster('DELETE', `/domains/${DOOMED}?force=true`)).status).toBe(204);
    expect(await imapOk(gw.ports.imap, ANN)).toBe(false);
    expect(await imapOk(gw.ports.imap, DADMIN)).toBe(false);
    expect((await asPostmaster('GET', `/domains/${DOOMED}`)).status).toBe(404);
    expect((await asPostmaster('GET', '/domains')).json.domains.map((d: { name: string }) => d.name)).toEqual([MAIN_DOMAIN]);
    expect((await asPostmaster('DELETE', `/domains/${DOOMED}`)).status).toBe(404);
    // an empty domain goes without force
    expect((await asPostmaster('POST', '/domains', { name: 'empty.test' })).status).toBe(201);
    expect((await asPostmaster('DELETE', '/domains/empty.test')).status).toBe(204);
  });
});

describe('listener Grant/Deny changed at run time', () => {
  const imapName = (): string => `imap:${gw.ports.imap}`;

  it('PATCH deny 127.0.0.1 on the IMAP listener refuses new IMAP connections; POP still answers; clearing it lets in again', async () => {
    expect(await imapGreets(gw.ports.imap)).toBe(true);
    const r = await asPostmaster('PATCH', `/listeners/${imapName()}`, { deny: ['127.0.0.1'] });
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({ name: imapName(), deny: ['127.0.0.1'], overridden: { grant: false, deny: true } });
    expect(await imapGreets(gw.ports.imap)).toBe(false);
    expect(await imapGreets(gw.ports.imap)).toBe(false);
    expect(await popGreets(gw.ports.pop)).toBe(true);
    const listed = (await asPostmaster('GET', '/listeners')).json.listeners;
    expect(listed.find((l: { name: string }) => l.name === imapName())).toMatchObject({ deny: ['127.0.0.1'], config: { grant: [], deny: [] } });
    expect(listed.find((l: { name: string }) => l.name === `pop:${gw.ports.pop}`)).toMatchObject({ deny: [], overridden: { deny: false } });
    // the refusals are in the login log, with the listener's rule
    const log = (await asPostmaster('GET', '/login-log?limit=10&ok=false')).json.entries;
    expect(log.some((e: { service: string; code?: string }) => e.service === 'imap' && e.code === 'deny')).toBe(true);
    expect((await asPostmaster('PATCH', `/listeners/${imapName()}`, { deny: null })).json).toMatchObject({ deny: [], overridden: { deny: false } });
    expect(await imapGreets(gw.ports.imap)).toBe(true);
    // a grant list that leaves loopback out refuses too; an empty one lets everyone in
    expect((await asPostmaster('PATCH', `/listeners/${imapName()}`, { grant: ['192.0.2.0/24'] })).status).toBe(200);
    expect(await imapGreets(gw.ports.imap)).toBe(false);
    expect((await asPostmaster('PATCH', `/listeners/${imapName()}`, { grant: [] })).status).toBe(200);
    expect(await imapGreets(gw.ports.imap)).toBe(true);
    expect((await asPostmaster('PATCH', `/listeners/${imapName()}`, { grant: null })).status).toBe(200);
  });

  it('checks rights, names and ranges', async () => {
    expect((await api(gw.ports.http, 'PATCH', `/listeners/${imapName()}`, null, { deny: [] })).status).toBe(401);
    expect((await asPostmaster('PATCH', '/listeners/imap:1', { deny: [] })).status).toBe(404);
    expect((await asPostmaster('PATCH', `/listeners/${imapName()}`, { deny: ['nope'] })).status).toBe(400);
    expect((await asPostmaster('PATCH', `/listeners/${imapName()}`, { deny: 'x' })).status).toBe(400);
    expect((await asPostmaster('PATCH', `/listeners/${imapName()}`, {})).status).toBe(400);
    // the http listeners keep the config file's lists (no locking the admin API out by mistake)
    expect((await asPostmaster('PATCH', `/listeners/http:${gw.ports.http}`, { deny: ['127.0.0.1'] })).status).toBe(400);
    expect(await imapGreets(gw.ports.imap)).toBe(true);
  });

  it('applies in every worker (workers: 2)', async () => {
    const cluster = await Gateway.start({ listeners: LISTENERS, config: { workers: 2 } });
    try {
      await cluster.cliOk('account', 'set', POSTMASTER.address, `password=${POSTMASTER.password}`);
      const name = `imap:${cluster.ports.imap}`;
      const r = await api(cluster.ports.http, 'PATCH', `/listeners/${name}`, basic(POSTMASTER), { deny: ['127.0.0.0/8'] });
      expect(r.status, r.text).toBe(200);
      // connections are spread over the workers: every one of them must refuse
      for (let i = 0; i < 6; i++) expect(await imapGreets(cluster.ports.imap)).toBe(false);
      expect(await popGreets(cluster.ports.pop)).toBe(true);
      expect((await api(cluster.ports.http, 'PATCH', `/listeners/${name}`, basic(POSTMASTER), { deny: null })).status).toBe(200);
      for (let i = 0; i < 6; i++) expect(await imapGreets(cluster.ports.imap)).toBe(true);
      // sessions made through any worker are listed by every worker (the memory cache is the primary's)
      const ids = [await openWebSession(cluster.ports.http, POSTMASTER), await openWebSession(cluster.ports.http, POSTMASTER)];
      for (let i = 0; i < 4; i++) {
        const listed = await api(cluster.ports.http, 'GET', `/sessions?account=${POSTMASTER.address}`, basic(POSTMASTER));
        expect(listed.status, listed.text).toBe(200);
        expect(listed.json.sessions.map((x: { id: string }) => x.id).sort()).toEqual(ids.sort());
      }
    } finally {
      await stopCleanly(cluster, ALL_PASSWORDS);
    }
  }, 60_000);
});

describe('listing sessions', () => {
  beforeAll(async () => {
    for (const who of [SUE, MONITOR]) {
      const r = await asPostmaster('POST', `/domains/${MAIN_DOMAIN}/accounts`, { name: who.address.split('@')[0], password: who.password });
      expect(r.status, r.text).toBe(201);
    }
    expect((await asPostmaster('PUT', `/domains/${MAIN_DOMAIN}/accounts/monitor/rights`, { rights: ['Monitor'] })).status).toBe(200);
  });

  it('GET /sessions?account= lists the account\'s WebUser sessions (IDs to Monitor only); deleting the account closes them', async () => {
    const first = await openWebSession(gw.ports.http, SUE);
    const second = await openWebSession(gw.ports.http, SUE);
    await openWebSession(gw.ports.http, MONITOR);
    const asMonitor = (method: string, url: string): Promise<Reply> => api(gw.ports.http, method, url, basic(MONITOR));
    const r = await asMonitor('GET', `/sessions?account=${encodeURIComponent(SUE.address.toUpperCase())}`);
    expect(r.status, r.text).toBe(200);
    expect(r.json.sessions.map((x: { id: string }) => x.id).sort()).toEqual([first, second].sort());
    for (const x of r.json.sessions) {
      expect(x).toMatchObject({ account: SUE.address, kind: 'webuser' });
      expect(x.expiresAt).toBeGreaterThan(Date.now());
      expect(x.createdAt).toBeLessThanOrEqual(Date.now());
    }
    // an account without Monitor (nor Domain there) sees no one's sessions, not even with a session of its own
    expect((await api(gw.ports.http, 'GET', `/sessions?account=${MONITOR.address}`, `Bearer ${first}`)).status).toBe(403);
    expect((await asMonitor('GET', '/sessions')).status).toBe(400);
    // closed one by its ID: gone from the list and from the web
    expect((await asMonitor('DELETE', `/sessions/${encodeURIComponent(first)}`)).status).toBe(204);
    expect(await webSessionStatus(gw.ports.http, first)).toBe(401);
    expect((await asMonitor('GET', `/sessions?account=${SUE.address}`)).json.sessions.map((x: { id: string }) => x.id)).toEqual([second]);
    // deleting the account ends its remaining session at once
    expect(await webSessionStatus(gw.ports.http, second)).toBe(200);
    expect((await asPostmaster('DELETE', `/domains/${MAIN_DOMAIN}/accounts/sue`)).status).toBe(204);
    expect(await webSessionStatus(gw.ports.http, second)).toBe(401);
    expect((await asMonitor('GET', `/sessions?account=${SUE.address}`)).json.sessions).toEqual([]);
  });
});

describe('with the directory and the cache in Redis', () => {
  it('deletes an account (no IMAP login, its sessions closed and unlisted) and applies a listener override within a second', async () => {
    const redis = await startRedisServer();
    let rgw: Gateway<keyof typeof LISTENERS> | undefined;
    try {
      rgw = await Gateway.start({ listeners: LISTENERS, config: { directory: redis.url(0), cache: redis.url(1) } });
      await rgw.cliOk('account', 'set', POSTMASTER.address, `password=${POSTMASTER.password}`);
      await rgw.cliOk('account', 'create', SUE.address, '--password', SUE.password);
      const port = rgw.ports.http;
      const asPm = (method: string, url: string, body?: unknown): Promise<Reply> => api(port, method, url, basic(POSTMASTER), body);
      expect(await imapOk(rgw.ports.imap, SUE)).toBe(true);
      const id = await openWebSession(port, SUE);
      expect((await asPm('GET', `/sessions?account=${SUE.address}`)).json.sessions.map((x: { id: string }) => x.id)).toEqual([id]);
      expect((await asPm('DELETE', `/domains/${MAIN_DOMAIN}/accounts/sue`)).status).toBe(204);
      expect(await webSessionStatus(port, id)).toBe(401);
      expect((await asPm('GET', `/sessions?account=${SUE.address}`)).json.sessions).toEqual([]);
      expect(await imapOk(rgw.ports.imap, SUE)).toBe(false);
      await rgw.cliOk('domain', 'create', 'gone.test');
      await rgw.cliOk('account', 'create', 'x@gone.test', '--password', SUE.password);
      expect((await asPm('DELETE', '/domains/gone.test')).status).toBe(409);
      expect((await asPm('DELETE', '/domains/gone.test?force=true')).status).toBe(204);
      expect((await asPm('GET', '/domains')).json.domains.map((d: { name: string }) => d.name)).toEqual([MAIN_DOMAIN]);

      // the override comes from Redis, re-read at most once a second by each process
      const name = `imap:${rgw.ports.imap}`;
      expect((await asPm('PATCH', `/listeners/${name}`, { deny: ['127.0.0.1'] })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 1100));
      expect(await imapGreets(rgw.ports.imap)).toBe(false);
      expect(await popGreets(rgw.ports.pop)).toBe(true);
      expect((await asPm('PATCH', `/listeners/${name}`, { deny: null })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 1100));
      expect(await imapGreets(rgw.ports.imap)).toBe(true);
    } finally {
      await stopCleanly(rgw, ALL_PASSWORDS);
      await redis.stop();
    }
  }, 60_000);
});
