import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionInfo, TlsChannel } from '../src/connection.js';
import { tls as tlsConn, conn, MAIN, world, type World } from './auth-helpers.js';
import { TestPki, type Pem } from './pki-helpers.js';

let pki: TestPki;
let ca: Pem & { name: string };
let otherCa: Pem & { name: string };

beforeAll(() => {
  pki = new TestPki();
  ca = pki.ca('Example CA');
  otherCa = pki.ca('Other CA');
});
afterAll(() => pki.cleanup());

function channel(peer: Buffer | null): TlsChannel {
  return {
    exportKeyingMaterial: (n) => Buffer.alloc(n),
    serverCertificateDer: () => null,
    protocol: 'TLSv1.3',
    peerCertificateDer: () => peer,
  };
}

/** A TLS connection whose client presented `peer`. */
function withCert(peer: Buffer | null, overrides: Partial<ConnectionInfo> = {}): ConnectionInfo {
  return tlsConn({ tls: channel(peer), ...overrides });
}

function setup(): World {
  const w = world();
  w.directory.domains.get(MAIN)!.trustedCA = ca.cert;
  w.directory.domains.get('other.test')!.trustedCA = otherCa.cert;
  w.directory.accounts.set(`${MAIN}/alice`, { name: 'alice', domain: MAIN, settings: { password: '{clear}pw' } });
  w.directory.accounts.set(`${MAIN}/nocert`, { name: 'nocert', domain: MAIN, settings: { allowCertificate: false } });
  w.directory.accounts.set(`${MAIN}/imaponly`, { name: 'imaponly', domain: MAIN, settings: { enabledServices: ['pop'] } });
  w.directory.accounts.set('other.test/carol', { name: 'carol', domain: 'other.test', settings: {} });
  return w;
}

async function external(w: World, c: ConnectionInfo, authzid = '') {
  const ex = w.auth.startSasl('EXTERNAL', c);
  if (!ex) return null;
  return ex.step(Buffer.from(authzid, 'utf8'));
}

describe('SASL EXTERNAL with a client certificate', () => {
  it('logs the account named by the certificate in, with an empty authzid or its own address', async () => {
    const w = setup();
    const cert = pki.client(ca, { san: 'alice@example.test' });
    const r = await external(w, withCert(cert.der));
    expect(r).toMatchObject({ kind: 'success', success: { authcid: 'alice@example.test', authzid: 'alice@example.test', mechanism: 'EXTERNAL' } });
    expect(await external(w, withCert(cert.der), 'alice@example.test')).toMatchObject({ kind: 'success' });
  });

  it('asks for the authzid with an empty challenge when no initial response came', async () => {
    const w = setup();
    const ex = w.auth.startSasl('EXTERNAL', withCert(pki.client(ca, { san: 'alice@example.test' }).der))!;
    expect(await ex.step(null)).toEqual({ kind: 'continue', challenge: Buffer.alloc(0) });
    expect(await ex.step(Buffer.alloc(0))).toMatchObject({ kind: 'success' });
  });

  it('takes the Subject e-mail without a subjectAltName e-mail, and a domain alias', async () => {
    const w = setup();
    const cert = pki.client(ca, { subjectEmail: 'Alice@Alias.test' });
    expect(await external(w, withCert(cert.der))).toMatchObject({ kind: 'success', success: { authcid: 'alice@example.test' } });
  });

  it('refuses a certificate of another CA', async () => {
    const w = setup();
    const cert = pki.client(otherCa, { san: 'alice@example.test' });
    expect(await external(w, withCert(cert.der))).toMatchObject({ kind: 'failure', failure: { code: 'bad-credentials' } });
  });

  it('refuses an address of another domain, even when that domain trusts the CA', async () => {
    const w = setup();
    w.directory.domains.get('other.test')!.trustedCA = ca.cert;
    const cert = pki.client(ca, { san: 'carol@other.test' });
    expect(await external(w, withCert(cert.der))).toMatchObject({ kind: 'failure', failure: { code: 'bad-credentials' } });
    // on a listener of other.test the same certificate is fine
    expect(await external(w, withCert(cert.der, { listenerDomain: 'other.test' }))).toMatchObject({ kind: 'success', success: { authcid: 'carol@other.test' } });
  });

  it('checks against the listener domain CA, not the main domain one', async () => {
    const w = setup();
    const cert = pki.client(ca, { san: 'carol@other.test' });
    expect(await external(w, withCert(cert.der, { listenerDomain: 'other.test' }))).toMatchObject({ kind: 'failure', failure: { code: 'bad-credentials' } });
  });

  it('refuses an account with allowCertificate off, and an unknown account', async () => {
    const w = setup();
    expect(await external(w, withCert(pki.client(ca, { san: 'nocert@example.test' }).der))).toMatchObject({
      kind: 'failure',
      failure: { code: 'unsupported-credential' },
    });
    expect(await external(w, withCert(pki.client(ca, { san: 'ghost@example.test' }).der))).toMatchObject({
      kind: 'failure',
      failure: { code: 'unknown-account' },
    });
  });

  it('applies enabledServices and lockout like any mechanism', async () => {
    const w = setup();
    expect(await external(w, withCert(pki.client(ca, { san: 'imaponly@example.test' }).der))).toMatchObject({
      kind: 'failure',
      failure: { code: 'service-disabled' },
    });
    w.directory.accounts.get(`${MAIN}/alice`)!.settings.failedLoginLimit = 1;
    await w.cache.recordFailure('login:alice@example.test', 1, 300);
    expect(await external(w, withCert(pki.client(ca, { san: 'alice@example.test' }).der))).toMatchObject({
      kind: 'failure',
      failure: { code: 'locked' },
    });
  });

  it('refuses another authzid without impersonation rights', async () => {
    const w = setup();
    const cert = pki.client(ca, { san: 'alice@example.test' });
    expect(await external(w, withCert(cert.der), 'nocert@example.test')).toMatchObject({ kind: 'failure', failure: { code: 'impersonation-denied' } });
  });

  it('allows another authzid when canImpersonate says so', async () => {
    const w = world({ canImpersonate: async (authc, target) => authc.name === 'alice' && target === 'nocert@example.test' });
    w.directory.domains.get(MAIN)!.trustedCA = ca.cert;
    w.directory.accounts.set(`${MAIN}/alice`, { name: 'alice', domain: MAIN, settings: {} });
    w.directory.accounts.set(`${MAIN}/nocert`, { name: 'nocert', domain: MAIN, settings: {} });
    const cert = pki.client(ca, { san: 'alice@example.test' });
    expect(await external(w, withCert(cert.der), 'nocert@example.test')).toMatchObject({
      kind: 'success',
      success: { authcid: 'alice@example.test', authzid: 'nocert@example.test' },
    });
  });

  it('fails cleanly without a certificate, without TLS, and on bad input', async () => {
    const w = setup();
    expect(await external(w, withCert(null))).toMatchObject({ kind: 'failure', failure: { code: 'mechanism-unavailable' } });
    expect(w.auth.startSasl('EXTERNAL', conn())).toBeNull();
    const cert = pki.client(ca, { san: 'alice@example.test' });
    const ex = w.auth.startSasl('EXTERNAL', withCert(cert.der))!;
    expect(await ex.step(Buffer.from([0xff, 0xfe]))).toMatchObject({ kind: 'failure', failure: { code: 'malformed' } });
    const thrower = tlsConn({ tls: { ...channel(null), peerCertificateDer: () => { throw new Error('boom'); } } });
    expect(await external(w, thrower)).toMatchObject({ kind: 'failure', failure: { code: 'temporary' } });
  });

  it('is advertised only on a TLS link that presented a client certificate', async () => {
    const w = setup();
    const cert = pki.client(ca, { san: 'alice@example.test' });
    expect((await w.auth.advertise(withCert(cert.der))).saslMechanisms).toContain('EXTERNAL');
    expect((await w.auth.advertise(withCert(null))).saslMechanisms).not.toContain('EXTERNAL');
    expect((await w.auth.advertise(tlsConn())).saslMechanisms).not.toContain('EXTERNAL');
    expect((await w.auth.advertise(conn())).saslMechanisms).not.toContain('EXTERNAL');
  });
});
