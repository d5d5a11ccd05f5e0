/**
 * Client certificates for SASL EXTERNAL: is a certificate issued by a domain's trusted CA, valid
 * now, and which e-mail address does it name? Parsed with Node's own X509Certificate (OpenSSL):
 * node-forge's ASN.1 and signature code has had too many recent CVEs to sit on a login path.
 */
import { X509Certificate } from 'node:crypto';

export type ClientCertificateCheck =
  | { ok: true; email: string; subject: string; fingerprint256: string }
  | { ok: false; reason: ClientCertificateProblem };

export type ClientCertificateProblem =
  | 'unparsable'
  | 'no-trusted-ca'
  | 'untrusted-issuer'
  | 'not-yet-valid'
  | 'expired'
  | 'not-for-client-auth'
  | 'no-email';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const CLIENT_AUTH_EKU = '1.3.6.1.5.5.7.3.2';
const ANY_EKU = '2.5.29.37.0';

/** The certificates of a PEM bundle; blocks that do not parse are left out. */
export function parseCertificateBundle(pem: string): X509Certificate[] {
  const out: X509Certificate[] = [];
  for (const block of pem.match(PEM_CERTIFICATE) ?? []) {
    try {
      out.push(new X509Certificate(block));
    } catch {
      // a broken block in the bundle must not hide the good ones
    }
  }
  return out;
}

function parse(der: Buffer): X509Certificate | null {
  try {
    return new X509Certificate(der);
  } catch {
    return null;
  }
}

function validAt(cert: X509Certificate, now: number): 'valid' | 'not-yet-valid' | 'expired' {
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  if (!Number.isFinite(from) || now < from) return 'not-yet-valid';
  if (!Number.isFinite(to) || now > to) return 'expired';
  return 'valid';
}

// Node prints a name value that needs escaping as a JSON string ("..."); plain ones as they are.
function unquote(value: string): string {
  if (!value.startsWith('"')) return value;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'string' ? parsed : value;
  } catch {
    return value;
  }
}

/** Every `email:` entry of a subjectAltName as X509Certificate prints it. */
export function subjectAltNameEmails(subjectAltName: string | undefined): string[] {
  if (!subjectAltName) return [];
  const out: string[] = [];
  const entry = /(?:^|, )email:("(?:[^"\\]|\\.)*"|[^,]*)/g;
  for (const m of subjectAltName.matchAll(entry)) {
    const value = unquote(m[1] ?? '').trim();
    if (value) out.push(value);
  }
  return out;
}

/** The Subject's emailAddress (PKCS #9) field, as X509Certificate prints the subject. */
export function subjectEmail(subject: string): string | undefined {
  for (const line of subject.split('\n')) {
    if (line.startsWith('emailAddress=')) {
      const value = unquote(line.slice('emailAddress='.length)).trim();
      if (value) return value;
    }
  }
  return undefined;
}

/**
 * Check `der` against the CAs of `trustedCaPem`: issued and signed by one of them (both valid
 * now, the CA marked as a CA), the certificate valid now and, if it limits its use, usable for
 * client authentication. The account is the subjectAltName e-mail, failing that the Subject's.
 */
export function checkClientCertificate(der: Buffer, trustedCaPem: string | undefined, now: number = Date.now()): ClientCertificateCheck {
  const cert = parse(der);
  if (!cert) return { ok: false, reason: 'unparsable' };
  const cas = trustedCaPem ? parseCertificateBundle(trustedCaPem) : [];
  if (cas.length === 0) return { ok: false, reason: 'no-trusted-ca' };
  const issuer = cas.find((ca) => {
    try {
      return ca.ca && validAt(ca, now) === 'valid' && cert.checkIssued(ca) && cert.verify(ca.publicKey);
    } catch {
      // an exotic key type Node cannot verify with counts as not issued by that CA
      return false;
    }
  });
  if (!issuer) return { ok: false, reason: 'untrusted-issuer' };
  const validity = validAt(cert, now);
  if (validity !== 'valid') return { ok: false, reason: validity };
  const usages = cert.keyUsage;
  if (Array.isArray(usages) && usages.length > 0 && !usages.includes(CLIENT_AUTH_EKU) && !usages.includes(ANY_EKU)) {
    return { ok: false, reason: 'not-for-client-auth' };
  }
  const email = subjectAltNameEmails(cert.subjectAltName)[0] ?? subjectEmail(cert.subject);
  if (!email) return { ok: false, reason: 'no-email' };
  return { ok: true, email, subject: cert.subject, fingerprint256: cert.fingerprint256 };
}
