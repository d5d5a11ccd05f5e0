/** Login policies through the Authenticator. */
import { describe, expect, it } from 'vitest';
import { cramMd5Digest } from '../src/sasl/index.js';
import { createMechanismRegistry, createDefaultMechanisms, plainMechanism } from '../src/sasl/index.js';
import type { Mechanism } from '../src/sasl/mechanism.js';
import type { Authenticator } from '../src/authenticator.js';
import type { ConnectionInfo } from '../src/connection.js';
import { encodePassword } from '../src/passwords/index.js';
import { addAccount, conn, MAIN, plain, tls, world } from './auth-helpers.js';

async function cram(auth: Authenticator, user: string, secret: string, c: ConnectionInfo = conn()) {
  const ex = auth.startSasl('CRAM-MD5', c)!;
  const first = await ex.step(null);
  if (first.kind !== 'continue') throw new Error('expected a challenge');
  return ex.step(Buffer.from(`${user} ${cramMd5Digest(first.challenge.toString('utf8'), secret).toString('hex')}`));
}

describe('lockout', () => {
  function locking(settings = { failedLoginLimit: 3, failedLoginPeriod: 60 }) {
    const w = world();
    addAccount(w, `alice@${MAIN}`, { password: '{clear}right', ...settings });
    return w;
  }

  it('locks after failedLoginLimit wrong passwords; then even the right one is refused', async () => {
    const w = locking();
    for (let i = 0; i < 3; i++) {
      expect(await w.auth.loginPlaintext('alice', 'wrong', conn())).toMatchObject({ ok: false, failure: { code: 'bad-credentials' } });
    }
    expect(await w.auth.loginPlaintext('alice', 'right', conn())).toEqual({
      ok: false,
      failure: { code: 'locked', message: 'account is temporarily locked' },
    });
    // every kind of login is refused while locked
    expect(await cram(w.auth, 'alice', 'right')).toMatchObject({ kind: 'failure', failure: { code: 'locked' } });
    expect((await w.auth.startSasl('PLAIN', tls())!.step(plain('alice', 'right'))).kind).toBe('failure');
    expect(w.log.some((e) => e.level === 'warn' && e.msg?.includes('locked'))).toBe(true);
  });

  it('the lock expires after failedLoginPeriod', async () => {
    const w = locking();
    for (let i = 0; i < 3; i++) await w.auth.loginPlaintext('alice', 'wrong', conn());
    w.clock.advance(59);
    expect((await w.auth.loginPlaintext('alice', 'right', conn())).ok).toBe(false);
    w.clock.advance(2);
    expect((await w.auth.loginPlaintext('alice', 'right', conn())).ok).toBe(true);
  });

  it('failures older than the period do not add up', async () => {
    const w = locking();
    await w.auth.loginPlaintext('alice', 'wrong', conn());
    await w.auth.loginPlaintext('alice', 'wrong', conn());
    w.clock.advance(61);
    await w.auth.loginPlaintext('alice', 'wrong', conn());
    expect((await w.auth.loginPlaintext('alice', 'right', conn())).ok).toBe(true);
  });

  it('a good login clears the count', async () => {
    const w = locking();
    await w.auth.loginPlaintext('alice', 'wrong', conn());
    await w.auth.loginPlaintext('alice', 'wrong', conn());
    expect((await w.auth.loginPlaintext('alice', 'right', conn())).ok).toBe(true);
    await w.auth.loginPlaintext('alice', 'wrong', conn());
    await w.auth.loginPlaintext('alice', 'wrong', conn());
    expect((await w.auth.loginPlaintext('alice', 'right', conn())).ok).toBe(true);
  });

  it('wrong CRAM-MD5 proofs count too', async () => {
    const w = locking();
    for (let i = 0; i < 3; i++) await cram(w.auth, 'alice', 'wrong');
    expect(await w.auth.loginPlaintext('alice', 'right', conn())).toMatchObject({ ok: false, failure: { code: 'locked' } });
  });

  it('a limit of 0 never locks', async () => {
    const w = locking({ failedLoginLimit: 0, failedLoginPeriod: 60 });
    for (let i = 0; i < 20; i++) await w.auth.loginPlaintext('alice', 'wrong', conn());
    expect((await w.auth.loginPlaintext('alice', 'right', conn())).ok).toBe(true);
    expect(w.cache.recordFailureCalls).toBe(0);
  });

  it('the server default limit applies when the account sets none', async () => {
    const w = world();
    w.directory.server = { defaultAccountSettings: { failedLoginLimit: 2, failedLoginPeriod: 30 } };
    addAccount(w, `bob@${MAIN}`, { password: '{clear}right' });
    await w.auth.loginPlaintext('bob', 'x', conn());
    await w.auth.loginPlaintext('bob', 'y', conn());
    expect(await w.auth.loginPlaintext('bob', 'right', conn())).toMatchObject({ ok: false, failure: { code: 'locked' } });
  });

  it('unknown accounts are not counted', async () => {
    const w = locking();
    await w.auth.loginPlaintext('ghost', 'x', conn());
    expect(w.cache.recordFailureCalls).toBe(0);
  });
});

describe('hideUnknownAccount', () => {
  function hiding(hide: boolean) {
    const w = world();
    w.directory.server = { hideUnknownAccount: hide };
    addAccount(w, `alice@${MAIN}`, { password: '{clear}right', failedLoginLimit: 1, failedLoginPeriod: 60 });
    addAccount(w, `legacy@${MAIN}`, { password: '{U-crpt}abJnggxhB/yWI' });
    return w;
  }

  it('with hiding, unknown account and wrong password answer alike', async () => {
    const w = hiding(true);
    const unknown = await w.auth.loginPlaintext('ghost', 'x', conn());
    const wrong = await w.auth.loginPlaintext('alice', 'x', conn());
    expect(unknown).toEqual({ ok: false, failure: { code: 'bad-credentials', message: 'incorrect account name or password' } });
    expect(wrong).toEqual(unknown);
    // now locked: still the same answer
    expect(await w.auth.loginPlaintext('alice', 'right', conn())).toEqual(unknown);
    const malformedName = await w.auth.loginPlaintext('a b', 'x', conn());
    expect(malformedName).toEqual(unknown);
  });

  it('with hiding, CRAM-MD5 runs to the proof for unknown, one-way and locked accounts alike', async () => {
    const w = hiding(true);
    const expected = { kind: 'failure', failure: { code: 'bad-credentials', message: 'incorrect account name or password' } };
    expect(await cram(w.auth, 'ghost', 'x')).toEqual(expected);
    expect(await cram(w.auth, 'legacy', 'password')).toEqual(expected);
    expect(await cram(w.auth, 'alice', 'wrong')).toEqual(expected);
    expect(await cram(w.auth, 'alice', 'right')).toEqual(expected); // locked by the wrong proof
  });

  it('without hiding, the messages differ', async () => {
    const w = hiding(false);
    expect(await w.auth.loginPlaintext('ghost', 'x', conn())).toEqual({ ok: false, failure: { code: 'unknown-account', message: 'unknown account' } });
    expect(await w.auth.loginPlaintext('alice', 'x', conn())).toEqual({ ok: false, failure: { code: 'bad-credentials', message: 'incorrect password' } });
  });

  it('every failure waits the failure delay, on both paths', async () => {
    const w = hiding(true);
    const { auth } = world({ directory: w.directory, cache: w.cache, failureDelayMs: 40 });
    for (const [user, pw] of [['ghost', 'x'], ['legacy', 'wrong']] as const) {
      const start = performance.now();
      expect((await auth.loginPlaintext(user, pw, conn())).ok).toBe(false);
      expect(performance.now() - start).toBeGreaterThanOrEqual(35);
    }
  });
});

describe('secureMethodRequired', () => {
  function secure(hide = false) {
    const w = world();
    w.directory.server = { hideUnknownAccount: hide };
    w.directory.domains.get(MAIN)!.defaultAccountSettings = { secureMethodRequired: true };
    addAccount(w, `alice@${MAIN}`, { password: '{clear}right' });
    addAccount(w, `relaxed@${MAIN}`, { password: '{clear}right', secureMethodRequired: false });
    return w;
  }

  it('refuses cleartext passwords on a plain link, accepts them over TLS', async () => {
    const w = secure();
    const refused = { code: 'secure-method-required' };
    expect(await w.auth.loginPlaintext('alice', 'right', conn())).toMatchObject({ ok: false, failure: refused });
    expect((await w.auth.startSasl('PLAIN', conn())!.step(plain('alice', 'right')))).toMatchObject({ kind: 'failure', failure: refused });
    const login = w.auth.startSasl('LOGIN', conn())!;
    let step = await login.step(null);
    step = await login.step(Buffer.from('alice'));
    step = await login.step(Buffer.from('right'));
    expect(step).toMatchObject({ kind: 'failure', failure: refused });
    expect((await w.auth.loginPlaintext('alice', 'right', tls())).ok).toBe(true);
    expect((await w.auth.startSasl('PLAIN', tls())!.step(plain('alice', 'right'))).kind).toBe('success');
  });

  it('secure mechanisms work on a plain link', async () => {
    const w = secure();
    expect((await cram(w.auth, 'alice', 'right')).kind).toBe('success');
  });

  it('an account can switch it off', async () => {
    const w = secure();
    expect((await w.auth.loginPlaintext('relaxed', 'right', conn())).ok).toBe(true);
  });

  it('with hiding, a wrong password is just a wrong password', async () => {
    const w = secure(true);
    expect(await w.auth.loginPlaintext('alice', 'wrong', conn())).toMatchObject({ ok: false, failure: { code: 'bad-credentials' } });
    expect(await w.auth.loginPlaintext('alice', 'right', conn())).toMatchObject({ ok: false, failure: { code: 'secure-method-required' } });
  });
});

describe('client addresses', () => {
  function restricted() {
    const w = world();
    w.directory.server = { clientAddresses: ['192.0.2.0/24', '2001:db8::/32'], loginsFromNonClients: 'prohibit' };
    addAccount(w, `alice@${MAIN}`, { password: '{clear}right' });
    return w;
  }

  it('checkClientAddress: listed ranges, loopback and the server itself pass; others fail', async () => {
    const w = restricted();
    expect(await w.auth.checkClientAddress(conn({ remoteAddress: '192.0.2.44' }))).toBeNull();
    expect(await w.auth.checkClientAddress(conn({ remoteAddress: '2001:db8:5::9' }))).toBeNull();
    expect(await w.auth.checkClientAddress(conn({ remoteAddress: '127.0.0.1' }))).toBeNull();
    expect(await w.auth.checkClientAddress(conn({ remoteAddress: '::1' }))).toBeNull();
    expect(await w.auth.checkClientAddress(conn({ remoteAddress: '198.51.100.1' }))).toBeNull(); // = localAddress
    expect(await w.auth.checkClientAddress(conn({ remoteAddress: '203.0.113.9' }))).toMatchObject({ code: 'client-address' });
    expect(await w.auth.checkClientAddress(conn({ remoteAddress: '2001:db9::1' }))).toMatchObject({ code: 'client-address' });
  });

  it('logins from a non-client address fail even with the right password', async () => {
    const w = restricted();
    expect(await w.auth.loginPlaintext('alice', 'right', conn({ remoteAddress: '203.0.113.9' }))).toMatchObject({ ok: false, failure: { code: 'client-address' } });
    expect(await cram(w.auth, 'alice', 'right', conn({ remoteAddress: '203.0.113.9' }))).toMatchObject({ kind: 'failure', failure: { code: 'client-address' } });
    expect((await w.auth.loginPlaintext('alice', 'right', conn({ remoteAddress: '192.0.2.44' }))).ok).toBe(true);
  });

  it('allow lets every address in', async () => {
    const w = restricted();
    w.directory.server.loginsFromNonClients = 'allow';
    expect(await w.auth.checkClientAddress(conn({ remoteAddress: '203.0.113.9' }))).toBeNull();
  });
});

describe('enabledServices', () => {
  it('a login to a service not enabled fails; a wrong password still says wrong password', async () => {
    const w = world();
    addAccount(w, `alice@${MAIN}`, { password: '{clear}right', enabledServices: ['imap', 'smtp'] });
    expect((await w.auth.loginPlaintext('alice', 'right', conn({ service: 'imap' }))).ok).toBe(true);
    expect(await w.auth.loginPlaintext('alice', 'right', conn({ service: 'pop' }))).toMatchObject({ ok: false, failure: { code: 'service-disabled' } });
    expect(await w.auth.loginPlaintext('alice', 'wrong', conn({ service: 'pop' }))).toMatchObject({ ok: false, failure: { code: 'bad-credentials' } });
    expect(await cram(w.auth, 'alice', 'right', conn({ service: 'ftp' }))).toMatchObject({ kind: 'failure', failure: { code: 'service-disabled' } });
  });
});

describe('impersonation', () => {
  function two(canImpersonate?: (a: { name: string }, addr: string) => Promise<boolean>) {
    const w = world(canImpersonate ? { canImpersonate } : {});
    addAccount(w, `alice@${MAIN}`, { password: '{clear}right' });
    addAccount(w, `bob@${MAIN}`, { password: '{clear}bobs' });
    return w;
  }

  it('an authzid naming another account is refused without a hook', async () => {
    const w = two();
    expect(await w.auth.startSasl('PLAIN', tls())!.step(plain('alice', 'right', 'bob'))).toMatchObject({
      kind: 'failure',
      failure: { code: 'impersonation-denied' },
    });
  });

  it('an authzid naming oneself, in any case, with or without (alias) domain, is fine', async () => {
    const w = two();
    for (const authzid of ['alice', 'ALICE', 'alice@example.test', 'Alice@Alias.Test']) {
      expect(await w.auth.startSasl('PLAIN', tls())!.step(plain('alice', 'right', authzid))).toMatchObject({
        kind: 'success',
        success: { authcid: 'alice@example.test', authzid: 'alice@example.test' },
      });
    }
  });

  it('the canImpersonate hook decides', async () => {
    const asked: string[] = [];
    const w = two(async (a, addr) => {
      asked.push(`${a.name}->${addr}`);
      return a.name === 'alice';
    });
    expect(await w.auth.startSasl('PLAIN', tls())!.step(plain('alice', 'right', 'bob@alias.test'))).toMatchObject({
      kind: 'success',
      success: { authcid: 'alice@example.test', authzid: 'bob@example.test', account: { name: 'bob' } },
    });
    expect(await w.auth.startSasl('PLAIN', tls())!.step(plain('bob', 'bobs', 'alice'))).toMatchObject({
      kind: 'failure',
      failure: { code: 'impersonation-denied' },
    });
    expect(asked).toEqual(['alice->bob@example.test', 'bob->alice@example.test']);
  });

  it('the hook is not asked before the password is right', async () => {
    let asked = 0;
    const w = two(async () => {
      asked += 1;
      return true;
    });
    expect((await w.auth.startSasl('PLAIN', tls())!.step(plain('alice', 'wrong', 'bob'))).kind).toBe('failure');
    expect(asked).toBe(0);
  });
});

describe('advertise and startSasl', () => {
  it('advertises the default login methods, -PLUS only over TLS', async () => {
    const w = world();
    const plainAd = await w.auth.advertise(conn());
    expect(plainAd).toEqual({
      saslMechanisms: ['SCRAM-SHA-256', 'SCRAM-SHA-1', 'DIGEST-MD5', 'CRAM-MD5', 'PLAIN', 'LOGIN'],
      clearText: true,
      apop: true,
    });
    const tlsAd = await w.auth.advertise(tls());
    expect(tlsAd.saslMechanisms.slice(0, 2)).toEqual(['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-1-PLUS']);
  });

  it('follows the listener domain, else the main domain', async () => {
    const w = world();
    w.directory.domains.get('other.test')!.loginMethods = ['CLRTXT'];
    w.directory.domains.get(MAIN)!.loginMethods = ['CRAM-MD5', 'APOP'];
    expect(await w.auth.advertise(conn({ listenerDomain: 'other.test' }))).toEqual({ saslMechanisms: ['PLAIN', 'LOGIN'], clearText: true, apop: false });
    expect(await w.auth.advertise(conn())).toEqual({ saslMechanisms: ['CRAM-MD5'], clearText: false, apop: true });
  });

  it('any registered mechanism may be used, advertised or not', async () => {
    const w = world();
    w.directory.domains.get(MAIN)!.loginMethods = ['CLRTXT'];
    addAccount(w, `alice@${MAIN}`, { password: '{clear}right' });
    expect((await cram(w.auth, 'alice', 'right')).kind).toBe('success');
    expect(w.auth.startSasl('cram-md5', conn())?.mechanism).toBe('CRAM-MD5');
  });

  it('unknown mechanisms and -PLUS without TLS give null', () => {
    const w = world();
    expect(w.auth.startSasl('X-UNKNOWN', conn())).toBeNull();
    expect(w.auth.startSasl('SCRAM-SHA-256-PLUS', conn())).toBeNull();
    expect(w.auth.startSasl('SCRAM-SHA-256-PLUS', tls())).not.toBeNull();
  });

  it('cancel ends the exchange', async () => {
    const w = world();
    const ex = w.auth.startSasl('CRAM-MD5', conn())!;
    await ex.step(null);
    expect(ex.cancel()).toEqual({ code: 'cancelled', message: 'authentication cancelled' });
    expect(await ex.step(Buffer.from('alice 00000000000000000000000000000000'))).toMatchObject({ kind: 'failure', failure: { code: 'malformed' } });
  });

  it('no step after the end', async () => {
    const w = world();
    addAccount(w, `alice@${MAIN}`, { password: '{clear}right' });
    const ex = w.auth.startSasl('PLAIN', tls())!;
    expect((await ex.step(plain('alice', 'right'))).kind).toBe('success');
    expect((await ex.step(plain('alice', 'right'))).kind).toBe('failure');
  });
});

describe('robustness', () => {
  it('a storage outage is a temporary failure, not an exception', async () => {
    const w = world();
    w.directory.broken = true;
    expect(await w.auth.loginPlaintext('alice', 'x', conn())).toMatchObject({ ok: false, failure: { code: 'temporary' } });
    expect(await cram(w.auth, 'alice', 'x')).toMatchObject({ kind: 'failure', failure: { code: 'temporary' } });
    expect(await w.auth.checkClientAddress(conn())).toMatchObject({ code: 'temporary' });
    expect((await w.auth.advertise(conn())).clearText).toBe(true);
  });

  it('a mechanism cannot report a success the engine did not grant', async () => {
    const forger: Mechanism = {
      name: 'X-FORGE',
      cleartext: false,
      credential: 'none',
      loginMethod: 'CLRTXT',
      create: () => ({
        step: async () => ({
          kind: 'success',
          success: { authcid: 'root@example.test', authzid: 'root@example.test', account: { name: 'root', domain: MAIN, settings: {} }, mechanism: 'X-FORGE' },
        }),
      }),
    };
    const w = world({ mechanisms: createMechanismRegistry([forger, plainMechanism]) });
    expect(await w.auth.startSasl('X-FORGE', conn())!.step(null)).toMatchObject({ kind: 'failure', failure: { code: 'bad-credentials' } });
  });

  it('a mechanism that throws gives a failure', async () => {
    const thrower: Mechanism = {
      name: 'X-THROW',
      cleartext: false,
      credential: 'none',
      loginMethod: 'CLRTXT',
      create: () => ({ step: async () => { throw new Error('boom'); } }),
    };
    const w = world({ mechanisms: createMechanismRegistry([thrower, ...createDefaultMechanisms().all()]) });
    expect((await w.auth.startSasl('X-THROW', conn())!.step(null)).kind).toBe('failure');
  });
});

describe('logging', () => {
  it('logs every outcome with account, service, mechanism, result and address, never the password', async () => {
    const w = world();
    addAccount(w, `alice@${MAIN}`, { password: await encodePassword('S3cret-Phrase', 'clear'), tagPasswords: { t: '{clear}Tag-Secret-9' } });
    await w.auth.loginPlaintext('alice', 'S3cret-Phrase', conn({ service: 'pop', remoteAddress: '192.0.2.5' }));
    await w.auth.loginPlaintext('alice', 'Wrong-Guess-77', conn());
    await w.auth.startSasl('PLAIN', tls())!.step(plain('alice$t', 'Tag-Secret-9'));
    await cram(w.auth, 'alice', 'S3cret-Phrase');
    const text = JSON.stringify(w.log);
    for (const secret of ['S3cret-Phrase', 'Wrong-Guess-77', 'Tag-Secret-9']) expect(text).not.toContain(secret);
    const outcomes = w.log.filter((e) => 'result' in e.obj).map((e) => e.obj);
    expect(outcomes).toHaveLength(4);
    expect(outcomes[0]).toMatchObject({ account: 'alice@example.test', service: 'pop', mechanism: 'CLRTXT', result: 'success', remoteAddress: '192.0.2.5' });
    expect(outcomes[1]).toMatchObject({ account: 'alice@example.test', mechanism: 'CLRTXT', result: 'bad-credentials' });
    expect(outcomes[2]).toMatchObject({ mechanism: 'PLAIN', result: 'success' });
    expect(outcomes[3]).toMatchObject({ mechanism: 'CRAM-MD5', result: 'success' });
  });
});
