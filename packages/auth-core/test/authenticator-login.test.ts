/** Logins through the Authenticator: passwords, tags, aliases, levels, mechanisms, APOP. */
import { describe, expect, it } from 'vitest';
import { apopDigest, cramMd5Digest } from '../src/sasl/index.js';
import { encodePassword } from '../src/passwords/index.js';
import type { Authenticator } from '../src/authenticator.js';
import type { ConnectionInfo } from '../src/connection.js';
import { addAccount, conn, MAIN, plain, tls, world } from './auth-helpers.js';

async function cram(auth: Authenticator, user: string, secret: string, c: ConnectionInfo = conn()) {
  const ex = auth.startSasl('CRAM-MD5', c)!;
  const first = await ex.step(null);
  if (first.kind !== 'continue') throw new Error('expected a challenge');
  const digest = cramMd5Digest(first.challenge.toString('utf8'), secret).toString('hex');
  return ex.step(Buffer.from(`${user} ${digest}`, 'utf8'));
}

describe('plaintext logins', () => {
  it('opens the account with the right password and names it canonically', async () => {
    const w = world();
    addAccount(w, `alice@${MAIN}`, { password: '{clear}Wonder1' });
    const r = await w.auth.loginPlaintext('Alice', 'Wonder1', conn());
    expect(r).toMatchObject({ ok: true, success: { authcid: 'alice@example.test', authzid: 'alice@example.test', mechanism: 'CLRTXT' } });
    expect(await w.auth.loginPlaintext('alice', 'wonder1', conn())).toMatchObject({ ok: false, failure: { code: 'bad-credentials' } });
  });

  it('a domain alias names the same account', async () => {
    const w = world();
    addAccount(w, `alice@${MAIN}`, { password: '{clear}Wonder1' });
    const r = await w.auth.loginPlaintext('alice@ALIAS.test', 'Wonder1', conn());
    expect(r).toMatchObject({ ok: true, success: { authcid: 'alice@example.test' } });
  });

  it('a name without a domain goes to the listener domain, else the main domain', async () => {
    const w = world();
    addAccount(w, 'carol@other.test', { password: '{clear}pw-other' });
    expect((await w.auth.loginPlaintext('carol', 'pw-other', conn({ listenerDomain: 'other.test' }))).ok).toBe(true);
    expect(await w.auth.loginPlaintext('carol', 'pw-other', conn())).toMatchObject({ ok: false, failure: { code: 'unknown-account' } });
  });

  it('an unknown domain is an unknown account', async () => {
    const w = world();
    expect(await w.auth.loginPlaintext('x@nowhere.test', 'pw', conn())).toMatchObject({ ok: false, failure: { code: 'unknown-account', message: 'unknown account' } });
  });

  it('an absent or empty password never logs in', async () => {
    const w = world();
    addAccount(w, `nopw@${MAIN}`, {});
    addAccount(w, `emptypw@${MAIN}`, { password: '{clear}' });
    addAccount(w, `bare@${MAIN}`, { password: '' });
    for (const user of ['nopw', 'emptypw', 'bare']) {
      expect((await w.auth.loginPlaintext(user, '', conn())).ok).toBe(false);
      const ex = w.auth.startSasl('PLAIN', conn())!;
      expect((await ex.step(Buffer.from(`\0${user}\0x`))).kind).toBe('failure');
    }
  });

  it('useCGPassword false: the own password is not checked', async () => {
    const w = world();
    addAccount(w, `dave@${MAIN}`, { password: '{clear}pw', useCGPassword: false });
    expect(await w.auth.loginPlaintext('dave', 'pw', conn())).toMatchObject({ ok: false, failure: { code: 'bad-credentials' } });
    expect(await cram(w.auth, 'dave', 'pw')).toMatchObject({ kind: 'failure', failure: { code: 'unsupported-credential' } });
  });

  it('U-crpt accounts log in, and only the first 8 characters count', async () => {
    const w = world();
    addAccount(w, `legacy@${MAIN}`, { password: await encodePassword('password', 'U-crpt') });
    expect((await w.auth.loginPlaintext('legacy', 'password', conn())).ok).toBe(true);
    expect((await w.auth.loginPlaintext('legacy', 'password-and-more', conn())).ok).toBe(true);
    expect((await w.auth.loginPlaintext('legacy', 'passwor', conn())).ok).toBe(false);
  });

  it('UB-crpt accounts log in with PLAIN', async () => {
    const w = world();
    addAccount(w, `bf@${MAIN}`, { password: await encodePassword('blow fish', 'UB-crpt') });
    expect((await w.auth.startSasl('PLAIN', tls())!.step(plain('bf', 'blow fish'))).kind).toBe('success');
    expect((await w.auth.startSasl('PLAIN', tls())!.step(plain('bf', 'blow-fish'))).kind).toBe('failure');
  });
});

describe('tagged passwords', () => {
  function tagged() {
    const w = world();
    addAccount(w, `alice@${MAIN}`, {
      password: '{clear}main-pw',
      tagPasswords: { Phone: '{clear}phone-pw', app: '{U-crpt}abJnggxhB/yWI' },
    });
    return w;
  }

  it('user$tag checks the tag password only', async () => {
    const w = tagged();
    expect(await w.auth.loginPlaintext('alice$phone', 'phone-pw', conn())).toMatchObject({ ok: true, success: { authcid: 'alice@example.test' } });
    expect((await w.auth.loginPlaintext('alice$phone', 'main-pw', conn())).ok).toBe(false);
    expect((await w.auth.loginPlaintext('alice', 'phone-pw', conn())).ok).toBe(false);
    expect((await w.auth.loginPlaintext('alice$nosuch', 'main-pw', conn())).ok).toBe(false);
    expect((await w.auth.loginPlaintext('alice$app@alias.test', 'password', conn())).ok).toBe(true);
  });

  it('a clear tag password serves CRAM-MD5 and APOP', async () => {
    const w = tagged();
    expect(await cram(w.auth, 'alice$phone', 'phone-pw')).toMatchObject({ kind: 'success', success: { authcid: 'alice@example.test' } });
    expect(await cram(w.auth, 'alice$phone', 'main-pw')).toMatchObject({ kind: 'failure' });
    const ts = w.auth.apopTimestamp(conn());
    expect((await w.auth.loginApop('alice$phone', ts, apopDigest(ts, 'phone-pw'), conn())).ok).toBe(true);
  });

  it('a one-way tag password cannot serve CRAM-MD5', async () => {
    const w = tagged();
    expect(await cram(w.auth, 'alice$app', 'password')).toMatchObject({ kind: 'failure', failure: { code: 'unsupported-credential' } });
  });
});

describe('shared-secret mechanisms', () => {
  it('CRAM-MD5 with a clear password', async () => {
    const w = world();
    addAccount(w, `alice@${MAIN}`, { password: '{clear}tanstaaftanstaaf' });
    expect(await cram(w.auth, 'alice', 'tanstaaftanstaaf')).toMatchObject({ kind: 'success', success: { mechanism: 'CRAM-MD5' } });
    expect(await cram(w.auth, 'alice', 'wrong')).toMatchObject({ kind: 'failure', failure: { code: 'bad-credentials', message: 'incorrect password' } });
  });

  it('a one-way password fails CRAM-MD5 cleanly, without counting a failure', async () => {
    const w = world();
    addAccount(w, `legacy@${MAIN}`, { password: await encodePassword('password', 'U-crpt'), failedLoginLimit: 1 });
    const r = await cram(w.auth, 'legacy', 'password');
    expect(r).toEqual({
      kind: 'failure',
      failure: { code: 'unsupported-credential', message: 'this authentication method is not available for the account' },
    });
    expect(w.cache.recordFailureCalls).toBe(0);
    expect((await w.auth.loginPlaintext('legacy', 'password', conn())).ok).toBe(true);
  });

  it('CRAM-MD5 for an unknown account', async () => {
    const w = world();
    expect(await cram(w.auth, 'ghost', 'x')).toMatchObject({ kind: 'failure', failure: { code: 'unknown-account' } });
  });
});

describe('APOP', () => {
  it('makes an RFC 1939 timestamp with the server name', () => {
    const w = world();
    const a = w.auth.apopTimestamp(conn());
    const b = w.auth.apopTimestamp(conn());
    expect(a).toMatch(/^<[0-9a-f]{16}\.\d+@mail\.example\.test>$/);
    expect(a).not.toBe(b);
  });

  it('logs in with the right digest and not with a wrong one', async () => {
    const w = world();
    addAccount(w, `alice@${MAIN}`, { password: '{clear}tanstaaf' });
    const ts = w.auth.apopTimestamp(conn({ service: 'pop' }));
    const good = apopDigest(ts, 'tanstaaf');
    expect(await w.auth.loginApop('alice', ts, good.toUpperCase(), conn({ service: 'pop' }))).toMatchObject({
      ok: true,
      success: { authcid: 'alice@example.test', mechanism: 'APOP' },
    });
    expect(await w.auth.loginApop('alice', ts, apopDigest(ts, 'tanstaaF'), conn({ service: 'pop' }))).toMatchObject({
      ok: false,
      failure: { code: 'bad-credentials' },
    });
  });

  it('the RFC 1939 example digest', async () => {
    const w = world();
    addAccount(w, `mrose@${MAIN}`, { password: '{clear}tanstaaf' });
    const r = await w.auth.loginApop('mrose', '<1896.697170952@dbc.mtview.ca.us>', 'c4c9334bac560ecc979e58001b3e22fb', conn());
    expect(r.ok).toBe(true);
  });

  it('a malformed digest or timestamp is refused as malformed', async () => {
    const w = world();
    addAccount(w, `alice@${MAIN}`, { password: '{clear}tanstaaf' });
    expect(await w.auth.loginApop('alice', '<1.2@x>', 'nothex', conn())).toMatchObject({ ok: false, failure: { code: 'malformed' } });
    expect(await w.auth.loginApop('alice', 'no brackets', 'c4c9334bac560ecc979e58001b3e22fb', conn())).toMatchObject({ ok: false, failure: { code: 'malformed' } });
  });

  it('a one-way password cannot serve APOP', async () => {
    const w = world();
    addAccount(w, `legacy@${MAIN}`, { password: '{U-crpt}abJnggxhB/yWI' });
    const ts = w.auth.apopTimestamp(conn());
    expect(await w.auth.loginApop('legacy', ts, apopDigest(ts, 'password'), conn())).toMatchObject({ ok: false, failure: { code: 'unsupported-credential' } });
  });
});

describe('default settings levels reach the login', () => {
  it('domain defaults override server defaults; the account overrides both', async () => {
    const w = world();
    w.directory.server = { defaultAccountSettings: { enabledServices: ['pop'] } };
    w.directory.domains.get(MAIN)!.defaultAccountSettings = { enabledServices: ['imap'] };
    addAccount(w, `a@${MAIN}`, { password: '{clear}pw' });
    addAccount(w, `b@${MAIN}`, { password: '{clear}pw', enabledServices: ['ftp'] });
    addAccount(w, 'c@other.test', { password: '{clear}pw' });
    expect((await w.auth.loginPlaintext('a', 'pw', conn({ service: 'imap' }))).ok).toBe(true);
    expect((await w.auth.loginPlaintext('b', 'pw', conn({ service: 'imap' }))).ok).toBe(false);
    expect((await w.auth.loginPlaintext('b', 'pw', conn({ service: 'ftp' }))).ok).toBe(true);
    expect((await w.auth.loginPlaintext('c@other.test', 'pw', conn({ service: 'imap' }))).ok).toBe(false);
    expect((await w.auth.loginPlaintext('c@other.test', 'pw', conn({ service: 'pop' }))).ok).toBe(true);
  });
});
