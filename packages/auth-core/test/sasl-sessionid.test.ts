import { describe, expect, it } from 'vitest';
import { parseSessionIdMessage, sessionIdMechanism } from '../src/sasl/sessionid.js';
import { advertisementFor } from '../src/service/advertise.js';
import { createDefaultMechanisms } from '../src/sasl/index.js';
import { DEFAULT_WEBUSER_SESSION_TTL, sessionExpiresAt, webUserSessionTtl } from '../src/service/session-login.js';
import { addAccount, conn, MAIN, world } from './auth-helpers.js';

function setup(loginMethods: string[] | null = ['CLRTXT', 'SESSIONID']) {
  const w = world();
  if (loginMethods) w.directory.domains.set(MAIN, { name: MAIN, aliases: ['alias.test'], loginMethods: loginMethods as never });
  addAccount(w, `alice@${MAIN}`, { password: 'a-pass' });
  addAccount(w, `bob@${MAIN}`, { password: 'b-pass' });
  addAccount(w, `poponly@${MAIN}`, { password: 'p', enabledServices: ['pop'] });
  addAccount(w, `locky@${MAIN}`, { password: 'l', failedLoginLimit: 2, failedLoginPeriod: 60 });
  return w;
}

async function open(w: ReturnType<typeof setup>, id: string, account: string, kind: 'webuser' | 'ximss' = 'webuser') {
  await w.cache.putSession(id, { account, kind, createdAt: w.clock.now() }, 1800);
}

async function login(w: ReturnType<typeof setup>, message: string | null, service: 'imap' | 'pwd' = 'imap') {
  const ex = w.auth.startSasl('SESSIONID', conn({ service }))!;
  if (message === null) return ex.step(null);
  return ex.step(Buffer.from(message, 'utf8'));
}

describe('SESSIONID message', () => {
  it('parses `user SP session-id` and refuses anything else', () => {
    expect(parseSessionIdMessage(Buffer.from('john@doe.dom 114-bXaKw92JK1pZVB5taj1r'))).toEqual({
      user: 'john@doe.dom',
      sessionId: '114-bXaKw92JK1pZVB5taj1r',
    });
    for (const bad of ['', 'john', 'john ', ' id', 'a b c', 'a\tb', 'a  b', 'a b\n']) {
      expect(parseSessionIdMessage(Buffer.from(bad)), JSON.stringify(bad)).toBeNull();
    }
    expect(parseSessionIdMessage(Buffer.from([0x61, 0x20, 0xff]))).toBeNull();
  });

  it('is advertised only when the domain has the SESSIONID Login Method', () => {
    const registry = createDefaultMechanisms();
    const link = { secure: false };
    expect(advertisementFor({ name: MAIN }, registry, link).saslMechanisms).not.toContain('SESSIONID');
    expect(advertisementFor({ name: MAIN, loginMethods: ['CLRTXT', 'SESSIONID'] }, registry, link).saslMechanisms).toContain('SESSIONID');
    expect(sessionIdMechanism.loginMethod).toBe('SESSIONID');
  });

  it('lifetime: webUserSessionTTL, default 1800 s, bad values fall back', () => {
    expect(webUserSessionTtl({})).toBe(DEFAULT_WEBUSER_SESSION_TTL);
    expect(webUserSessionTtl({ webUserSessionTTL: 5 })).toBe(5);
    expect(webUserSessionTtl({ webUserSessionTTL: 0 })).toBe(1800);
    expect(sessionExpiresAt({ createdAt: 1000 }, { webUserSessionTTL: 2 })).toBe(3000);
  });
});

describe('SESSIONID login', () => {
  it("opens the session's account, with and without the initial response", async () => {
    const w = setup();
    await open(w, 'sess-alice-1', `alice@${MAIN}`);
    expect(await login(w, `alice@${MAIN} sess-alice-1`)).toMatchObject({
      kind: 'success',
      success: { authcid: `alice@${MAIN}`, authzid: `alice@${MAIN}`, mechanism: 'SESSIONID' },
    });
    const ex = w.auth.startSasl('SESSIONID', conn())!;
    expect(await ex.step(null)).toEqual({ kind: 'continue', challenge: Buffer.alloc(0) });
    // a name without a domain is in the main (or listener) domain; an alias names the same account
    expect(await ex.step(Buffer.from('alice sess-alice-1'))).toMatchObject({ kind: 'success' });
    expect(await login(w, 'ALICE@alias.test sess-alice-1')).toMatchObject({ kind: 'success' });
  });

  it('is refused unless the domain has the SESSIONID Login Method (off by default)', async () => {
    const w = setup(null);
    await open(w, 'sess-a', `alice@${MAIN}`);
    expect(await login(w, `alice@${MAIN} sess-a`)).toMatchObject({ kind: 'failure', failure: { code: 'mechanism-unavailable' } });
  });

  it("refuses another account's session, an unknown, closed or expired one", async () => {
    const w = setup();
    await open(w, 'sess-bob', `bob@${MAIN}`);
    await open(w, 'sess-alice', `alice@${MAIN}`);
    expect(await login(w, `alice@${MAIN} sess-bob`)).toMatchObject({ kind: 'failure', failure: { code: 'bad-credentials' } });
    expect(await login(w, `alice@${MAIN} nope`)).toMatchObject({ kind: 'failure', failure: { code: 'bad-credentials' } });
    await w.cache.deleteSession('sess-alice');
    expect(await login(w, `alice@${MAIN} sess-alice`)).toMatchObject({ kind: 'failure', failure: { code: 'bad-credentials' } });
    await open(w, 'sess-alice-2', `alice@${MAIN}`);
    // the server setting shortened: sessions already open end sooner too
    w.directory.server = { ...w.directory.server, webUserSessionTTL: 10 };
    w.clock.advance(11);
    expect(await login(w, `alice@${MAIN} sess-alice-2`)).toMatchObject({ kind: 'failure', failure: { code: 'bad-credentials' } });
  });

  it('refuses a tagged name, an unknown account (hidden under hideUnknownAccount), and a disabled service', async () => {
    const w = setup();
    await open(w, 'sess-p', `poponly@${MAIN}`);
    expect(await login(w, `alice$tag@${MAIN} x`)).toMatchObject({ kind: 'failure', failure: { code: 'unknown-account' } });
    expect(await login(w, `nobody@${MAIN} x`)).toMatchObject({ kind: 'failure', failure: { code: 'unknown-account' } });
    expect(await login(w, `poponly@${MAIN} sess-p`)).toMatchObject({ kind: 'failure', failure: { code: 'service-disabled' } });
    w.directory.server = { ...w.directory.server, hideUnknownAccount: true };
    expect(await login(w, `nobody@${MAIN} x`)).toMatchObject({ kind: 'failure', failure: { code: 'bad-credentials' } });
  });

  it('counts wrong session IDs toward lockout, and a locked account stays refused with a good one', async () => {
    const w = setup();
    await open(w, 'sess-l', `locky@${MAIN}`);
    expect(await login(w, `locky@${MAIN} wrong1`)).toMatchObject({ kind: 'failure' });
    expect(await login(w, `locky@${MAIN} wrong2`)).toMatchObject({ kind: 'failure' });
    expect(await login(w, `locky@${MAIN} sess-l`)).toMatchObject({ kind: 'failure', failure: { code: 'locked' } });
  });

  it('with a cache that can touch, a login slides the expiry; a refused attempt does not', async () => {
    const w = setup();
    const touched: [string, number][] = [];
    Object.assign(w.cache, {
      touchSession: async (id: string, ttl: number) => {
        touched.push([id, ttl]);
        return w.cache.sessions.has(id);
      },
    });
    w.directory.server = { webUserSessionTTL: 600 };
    await open(w, 'sess-a', `alice@${MAIN}`);
    expect(await login(w, `bob@${MAIN} sess-a`)).toMatchObject({ kind: 'failure' });
    expect(touched).toEqual([]);
    expect(await login(w, `alice@${MAIN} sess-a`)).toMatchObject({ kind: 'success' });
    expect(touched).toEqual([['sess-a', 600]]);
    // gone between the read and the touch: refused
    Object.assign(w.cache, { touchSession: async () => false });
    expect(await login(w, `alice@${MAIN} sess-a`)).toMatchObject({ kind: 'failure', failure: { code: 'bad-credentials' } });
  });

  it('malformed input fails cleanly', async () => {
    const w = setup();
    expect(await login(w, 'just-one-field')).toMatchObject({ kind: 'failure', failure: { code: 'malformed' } });
    expect(await login(w, `alice@${MAIN} ${'x'.repeat(2000)}`)).toMatchObject({ kind: 'failure', failure: { code: 'malformed' } });
  });
});
