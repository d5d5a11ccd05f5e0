import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkClientCertificate, parseCertificateBundle, subjectAltNameEmails, subjectEmail } from '../src/pki/index.js';
import { TestPki, type Pem } from './pki-helpers.js';

const DAY = 86_400_000;
let pki: TestPki;
let ca: Pem & { name: string };
let otherCa: Pem & { name: string };

beforeAll(() => {
  pki = new TestPki();
  ca = pki.ca('Example CA');
  otherCa = pki.ca('Other CA');
});
afterAll(() => pki.cleanup());

describe('checkClientCertificate', () => {
  it('accepts a certificate of the trusted CA and names the subjectAltName e-mail', () => {
    const c = pki.client(ca, { san: 'alice@example.test', subjectEmail: 'subject@example.test' });
    const r = checkClientCertificate(c.der, ca.cert);
    expect(r).toMatchObject({ ok: true, email: 'alice@example.test' });
  });

  it('falls back to the Subject e-mail field without a subjectAltName e-mail', () => {
    const c = pki.client(ca, { subjectEmail: 'bob@example.test' });
    expect(checkClientCertificate(c.der, ca.cert)).toMatchObject({ ok: true, email: 'bob@example.test' });
  });

  it('refuses a certificate of another CA, and one without any trusted CA', () => {
    const c = pki.client(otherCa, { san: 'alice@example.test' });
    expect(checkClientCertificate(c.der, ca.cert)).toEqual({ ok: false, reason: 'untrusted-issuer' });
    expect(checkClientCertificate(c.der, undefined)).toEqual({ ok: false, reason: 'no-trusted-ca' });
    expect(checkClientCertificate(c.der, 'not a pem')).toEqual({ ok: false, reason: 'no-trusted-ca' });
  });

  it('accepts when the trusted bundle holds the issuer among others', () => {
    const c = pki.client(otherCa, { san: 'alice@example.test' });
    expect(checkClientCertificate(c.der, `${ca.cert}\n${otherCa.cert}`).ok).toBe(true);
  });

  it('refuses a "CA" that is not marked as a CA', () => {
    const fake = pki.ca('Not a CA', { notCa: true });
    const c = pki.client(fake, { san: 'alice@example.test' });
    expect(checkClientCertificate(c.der, fake.cert)).toEqual({ ok: false, reason: 'untrusted-issuer' });
  });

  it('refuses an expired certificate, and any certificate before its CA is valid', () => {
    const c = pki.client(ca, { san: 'alice@example.test', days: 1 });
    expect(checkClientCertificate(c.der, ca.cert, Date.now() + 3 * DAY)).toEqual({ ok: false, reason: 'expired' });
    expect(checkClientCertificate(c.der, ca.cert, Date.now() - 3 * DAY).ok).toBe(false);
  });

  it('refuses a certificate restricted to other uses, and one naming no e-mail', () => {
    const server = pki.client(ca, { san: 'alice@example.test', eku: 'serverAuth' });
    expect(checkClientCertificate(server.der, ca.cert)).toEqual({ ok: false, reason: 'not-for-client-auth' });
    const anon = pki.client(ca, {});
    expect(checkClientCertificate(anon.der, ca.cert)).toEqual({ ok: false, reason: 'no-email' });
  });

  it('refuses garbage and a signature that does not verify', () => {
    expect(checkClientCertificate(Buffer.from('garbage'), ca.cert)).toEqual({ ok: false, reason: 'unparsable' });
    const c = pki.client(ca, { san: 'alice@example.test' });
    const tampered = Buffer.from(c.der);
    tampered[tampered.length - 5]! ^= 0x01; // inside the signature
    const r = checkClientCertificate(tampered, ca.cert);
    expect(r.ok).toBe(false);
  });
});

describe('name helpers', () => {
  it('reads e-mail entries of a printed subjectAltName, quoted or not', () => {
    expect(subjectAltNameEmails('DNS:a.test, email:x@a.test, email:"y,z@a.test"')).toEqual(['x@a.test', 'y,z@a.test']);
    expect(subjectAltNameEmails(undefined)).toEqual([]);
    expect(subjectEmail('C=DE\nCN=x\nemailAddress=x@a.test')).toBe('x@a.test');
    expect(subjectEmail('CN=x')).toBeUndefined();
  });

  it('skips broken blocks of a bundle', () => {
    const broken = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    expect(parseCertificateBundle(broken + ca.cert)).toHaveLength(1);
  });
});
