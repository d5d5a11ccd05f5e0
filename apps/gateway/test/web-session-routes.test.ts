/** The WebUser session routes and resolveCaller, driven with fastify.inject over a real auth-core. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuthenticator, createDefaultMechanisms } from '@portcullis/auth-core';
import { MemoryDirectory } from '@portcullis/auth-core/testing';
import { createHttpApp, type HttpApp } from '@portcullis/http';
import { createMemoryCache, type ManagedSessionCache } from '@portcullis/session-cache';
import { resolveCaller, webSessionRoutes } from '../src/web/index.js';
import { requestCredentials, sessionCookie } from '../src/web/credentials.js';
import { safeNext } from '../src/web/login-page.js';

const DOMAIN = 'example.test';
const ALICE = { user: `alice@${DOMAIN}`, password: 'Alice-Pw-1' };

let directory: MemoryDirectory;
let cache: ManagedSessionCache;
let app: HttpApp;
let clock: number;

beforeEach(async () => {
  directory = new MemoryDirectory();
  directory.domains.set(DOMAIN, { name: DOMAIN });
  directory.accounts.set(`${DOMAIN}/alice`, { name: 'alice', domain: DOMAIN, settings: { password: ALICE.password } });
  directory.accounts.set(`${DOMAIN}/webless`, { name: 'webless', domain: DOMAIN, settings: { password: 'x', enabledServices: ['imap'] } });
  clock = Date.now();
  cache = createMemoryCache({ now: () => clock });
  const authenticator = createAuthenticator({ directory, cache, mainDomain: DOMAIN, mechanisms: createDefaultMechanisms(), failureDelayMs: 0 });
  app = await createHttpApp({
    routes: [
      webSessionRoutes({ authenticator, directory, cache, serverName: 'mail.example.test', now: () => clock }),
      // what the admin API does: ask resolveCaller
      (f) => f.get('/whoami', async (request, reply) => {
        const caller = await resolveCaller(request);
        return caller ? caller : reply.code(401).send({ error: 'who?' });
      }),
    ],
  });
});

afterEach(async () => {
  await app.close();
  await cache.close();
});

async function login(): Promise<string> {
  const r = await app.fastify.inject({ method: 'POST', url: '/session', payload: ALICE });
  expect(r.statusCode, r.body).toBe(200);
  return r.json<{ sessionId: string }>().sessionId;
}

describe('POST /session', () => {
  it('opens a session from JSON: 128-bit random ID, the account, expiry, and the cookie', async () => {
    const r = await app.fastify.inject({ method: 'POST', url: '/session', payload: ALICE });
    expect(r.statusCode).toBe(200);
    const body = r.json<{ sessionId: string; account: string; expiresAt: number }>();
    expect(Buffer.from(body.sessionId, 'base64url')).toHaveLength(16);
    expect(body).toMatchObject({ account: ALICE.user, expiresAt: clock + 1800_000 });
    expect(r.headers['set-cookie']).toBe(`portcullis_session=${body.sessionId}; HttpOnly; SameSite=Strict; Path=/`);
    expect(await cache.getSession(body.sessionId)).toMatchObject({ account: ALICE.user, kind: 'webuser' });
    expect(await login()).not.toBe(body.sessionId);
  });

  it('opens a session from a form, and from Basic', async () => {
    const form = await app.fastify.inject({
      method: 'POST',
      url: '/session',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(ALICE).toString(),
    });
    expect(form.statusCode).toBe(200);
    const basic = await app.fastify.inject({
      method: 'POST',
      url: '/session',
      headers: { authorization: `Basic ${Buffer.from(`${ALICE.user}:${ALICE.password}`).toString('base64')}` },
    });
    expect(basic.statusCode).toBe(200);
    expect(basic.json()).toMatchObject({ account: ALICE.user });
  });

  it('refuses a wrong password, a disabled http service, and bad input', async () => {
    const wrong = await app.fastify.inject({ method: 'POST', url: '/session', payload: { user: ALICE.user, password: 'nope' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toEqual({ error: 'incorrect password' });
    const webless = await app.fastify.inject({ method: 'POST', url: '/session', payload: { user: `webless@${DOMAIN}`, password: 'x' } });
    expect(webless.statusCode).toBe(401);
    expect(webless.json()).toEqual({ error: 'this service is not enabled for the account' });
    expect((await app.fastify.inject({ method: 'POST', url: '/session', payload: { user: ALICE.user } })).statusCode).toBe(400);
    expect((await app.fastify.inject({ method: 'POST', url: '/session', payload: { user: 'x'.repeat(2000), password: 'p' } })).statusCode).toBe(400);
    const none = await app.fastify.inject({ method: 'POST', url: '/session' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toEqual(['Negotiate', 'Basic realm="mail.example.test"']);
  });

  it('refuses a login posted from another site (Origin), accepts the same site and clients without Origin', async () => {
    const post = (origin?: string) =>
      app.fastify.inject({
        method: 'POST',
        url: '/session',
        headers: { host: 'mail.example.test:8100', 'content-type': 'application/x-www-form-urlencoded', ...(origin ? { origin } : {}) },
        payload: new URLSearchParams(ALICE).toString(),
      });
    expect((await post('https://evil.example')).statusCode).toBe(403);
    expect((await post('null')).statusCode).toBe(403);
    expect((await post('http://mail.example.test:8100')).statusCode).toBe(200);
    expect((await post()).statusCode).toBe(200);
  });

  it('a directory outage is 503, not a crash', async () => {
    directory.broken = true;
    const r = await app.fastify.inject({ method: 'POST', url: '/session', payload: ALICE });
    expect(r.statusCode).toBe(503);
  });

  it('Negotiate without the GSS-SPNEGO mechanism registered is a plain 401', async () => {
    const r = await app.fastify.inject({ method: 'POST', url: '/session', headers: { authorization: 'Negotiate YWJjZA==' } });
    expect(r.statusCode).toBe(401);
    expect(r.json()).toEqual({ error: 'Negotiate is not available' });
  });
});

describe('GET and DELETE /session, resolveCaller', () => {
  it('finds the session by Bearer and by cookie; DELETE closes it and clears the cookie', async () => {
    const id = await login();
    const bearer = await app.fastify.inject({ url: '/session', headers: { authorization: `Bearer ${id}` } });
    expect(bearer.json()).toEqual({ account: ALICE.user, expiresAt: clock + 1800_000 });
    const cookie = await app.fastify.inject({ url: '/session', headers: { cookie: `other=1; portcullis_session=${id}` } });
    expect(cookie.statusCode).toBe(200);
    expect(await app.fastify.inject({ url: '/whoami', headers: { cookie: `portcullis_session=${id}` } }).then((r) => r.json())).toEqual({
      account: ALICE.user,
      via: 'session',
    });
    const del = await app.fastify.inject({ method: 'DELETE', url: '/session', headers: { authorization: `Bearer ${id}` } });
    expect(del.statusCode).toBe(204);
    expect(del.headers['set-cookie']).toBe('portcullis_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0');
    expect((await app.fastify.inject({ url: '/session', headers: { authorization: `Bearer ${id}` } })).statusCode).toBe(401);
    expect((await app.fastify.inject({ url: '/whoami', headers: { authorization: `Bearer ${id}` } })).statusCode).toBe(401);
    expect((await app.fastify.inject({ method: 'DELETE', url: '/session' })).statusCode).toBe(401);
  });

  it('expires webUserSessionTTL after its last use (each use slides it), with the TTL in force at that use', async () => {
    directory.server = { webUserSessionTTL: 60 };
    const id = await login();
    const get = () => app.fastify.inject({ url: '/session', headers: { authorization: `Bearer ${id}` } });
    clock += 59_000;
    const first = await get();
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ expiresAt: clock + 60_000 });
    clock += 59_000; // 118 s after login, 59 s after the last use
    expect((await get()).statusCode).toBe(200);
    directory.server = { webUserSessionTTL: 30 };
    expect((await get()).json()).toMatchObject({ expiresAt: clock + 30_000 });
    clock += 31_000;
    expect((await get()).statusCode).toBe(401);
  });

  it('resolveCaller takes Basic through the authenticator', async () => {
    const basic = (pw: string) => ({ authorization: `Basic ${Buffer.from(`${ALICE.user}:${pw}`).toString('base64')}` });
    expect((await app.fastify.inject({ url: '/whoami', headers: basic(ALICE.password) })).json()).toEqual({ account: ALICE.user, via: 'basic' });
    expect((await app.fastify.inject({ url: '/whoami', headers: basic('wrong') })).statusCode).toBe(401);
    expect((await app.fastify.inject({ url: '/whoami' })).statusCode).toBe(401);
  });

  it('GET /login is a form posting to /session', async () => {
    const r = await app.fastify.inject({ url: '/login?next=/admin/' });
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    expect(r.body).toContain('<form method="post" action="/session">');
    expect(r.body).toContain('<input type="hidden" name="next" value="/admin/">');
  });
});

describe('credential parsing', () => {
  it('reads the session cookie among others and ignores implausible values', () => {
    expect(sessionCookie('a=b; portcullis_session=abc_DEF-1; c=d')).toBe('abc_DEF-1');
    expect(sessionCookie('portcullis_session=../etc')).toBeUndefined();
    expect(sessionCookie(undefined)).toBeUndefined();
  });

  it('parses Authorization schemes case-insensitively and flags malformed ones', () => {
    const req = (authorization: string) => ({ headers: { authorization } }) as never;
    expect(requestCredentials(req('bearer abc'))).toEqual({ kind: 'session', sessionId: 'abc' });
    expect(requestCredentials(req(`Basic ${Buffer.from('u:p:q').toString('base64')}`))).toEqual({ kind: 'basic', user: 'u', password: 'p:q' });
    expect(requestCredentials(req('Basic ???'))).toMatchObject({ kind: 'malformed' });
    expect(requestCredentials(req(`Basic ${Buffer.from(':p').toString('base64')}`))).toMatchObject({ kind: 'malformed' });
    expect(requestCredentials(req('Digest x'))).toMatchObject({ kind: 'malformed' });
    expect(requestCredentials(req('Negotiate YWJj'))).toEqual({ kind: 'negotiate', token: Buffer.from('abc') });
  });

  it('only local paths are followed after a form login', () => {
    expect(safeNext('/admin/')).toBe('/admin/');
    for (const bad of ['//evil.example/', 'https://evil.example/', '/\\evil', 'admin', '/a b', 42]) expect(safeNext(bad)).toBeUndefined();
  });
});
