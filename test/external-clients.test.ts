/**
 * SASL EXTERNAL with TLS client certificates, driven by real clients against the built gateway:
 * curl (--cert/--key, AUTH=EXTERNAL) on IMAP, POP3 and SMTP over STARTTLS and implicit TLS, and
 * OpenLDAP's ldapwhoami -Y EXTERNAL over ldaps and StartTLS. The CA and the certificates come
 * from `portcullis pki dev-ca`; the domain trusts the CA with `domain set trustedCA=@ca.pem`.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway, MAIN_DOMAIN } from './harness/gateway.js';
import { ALICE, createAccount, stopCleanly } from './harness/fixtures.js';
import { curl, run } from './harness/run.js';
import { spooledBySubject } from './harness/smtp.js';

/** CURLE_LOGIN_DENIED */
const LOGIN_DENIED = 67;
const OTHER_DOMAIN = 'other.test';

const LISTENERS = {
  imapStarttls: { service: 'imap', tls: 'starttls' },
  imaps: { service: 'imap', tls: 'implicit' },
  popStarttls: { service: 'pop', tls: 'starttls' },
  pops: { service: 'pop', tls: 'implicit' },
  submission: { service: 'smtp', tls: 'starttls' },
  smtps: { service: 'smtp', tls: 'implicit' },
  ldapStarttls: { service: 'ldap', tls: 'starttls' },
  ldaps: { service: 'ldap', tls: 'implicit' },
} as const;

let gw: Gateway<keyof typeof LISTENERS>;
let pki: string;
let otherPki: string;

interface Identity {
  cert: string;
  key: string;
}
const own = (address: string): Identity => ({ cert: path.join(pki, `${address}.pem`), key: path.join(pki, `${address}.key`) });
const foreign = (address: string): Identity => ({ cert: path.join(otherPki, `${address}.pem`), key: path.join(otherPki, `${address}.key`) });

beforeAll(async () => {
  gw = await Gateway.start({ listeners: LISTENERS });
  pki = path.join(gw.dir, 'pki');
  otherPki = path.join(gw.dir, 'other-pki');
  await gw.cliOk('pki', 'dev-ca', pki, '--domain', MAIN_DOMAIN, '--client', ALICE.address, '--client', `nocert@${MAIN_DOMAIN}`, '--client', `carol@${OTHER_DOMAIN}`);
  await gw.cliOk('pki', 'dev-ca', otherPki, '--domain', 'elsewhere.test', '--client', ALICE.address);
  await gw.cliOk('domain', 'set', MAIN_DOMAIN, `trustedCA=@${path.join(pki, 'ca.pem')}`);
  // the other domain trusts the same CA: its accounts still cannot log in through example.test
  await gw.cliOk('domain', 'create', OTHER_DOMAIN, `trustedCA=@${path.join(pki, 'ca.pem')}`);
  await createAccount(gw, ALICE.address, ALICE.password);
  await createAccount(gw, `nocert@${MAIN_DOMAIN}`, 'Nocert-Secret-1', 'allowCertificate=false');
  await createAccount(gw, `carol@${OTHER_DOMAIN}`, 'Carol-Secret-1');
});

afterAll(async () => {
  await stopCleanly(gw, [ALICE.password, 'Nocert-Secret-1', 'Carol-Secret-1']);
});

type Mail = 'imap' | 'pop3';

function mailUrl(proto: Mail, transport: 'starttls' | 'implicit'): string[] {
  const p = gw.ports;
  if (proto === 'imap') return transport === 'starttls' ? ['--ssl-reqd', `imap://127.0.0.1:${p.imapStarttls}/`] : [`imaps://127.0.0.1:${p.imaps}/`];
  return transport === 'starttls' ? ['--ssl-reqd', `pop3://127.0.0.1:${p.popStarttls}/`] : [`pop3s://127.0.0.1:${p.pops}/`];
}

function curlExternal(proto: Mail, transport: 'starttls' | 'implicit', id: Identity | null, extra: string[] = []) {
  return curl(['-k', '-v', ...(id ? ['--cert', id.cert, '--key', id.key] : []), '--login-options', 'AUTH=EXTERNAL', ...extra, ...mailUrl(proto, transport)]);
}

describe.each(['imap', 'pop3'] as const)('curl %s AUTH=EXTERNAL', (proto) => {
  describe.each(['starttls', 'implicit'] as const)('over %s', (transport) => {
    it('logs in with a certificate of the trusted CA (empty authzid)', async () => {
      const r = await curlExternal(proto, transport, own(ALICE.address));
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(proto === 'imap' ? /> \S+ AUTHENTICATE EXTERNAL/ : /> AUTH EXTERNAL/);
      if (proto === 'imap') expect(r.stdout).toMatch(/^\* LIST .*INBOX/im);
      else expect(r.stderr).toMatch(/> LIST[\s\S]*< \+OK/);
    });

    it('refuses a certificate of another CA', async () => {
      const r = await curlExternal(proto, transport, foreign(ALICE.address));
      expect(r.code, r.stderr + r.stdout).toBe(LOGIN_DENIED);
    });

    it('refuses an account with allowCertificate off', async () => {
      const r = await curlExternal(proto, transport, own(`nocert@${MAIN_DOMAIN}`));
      expect(r.code, r.stderr + r.stdout).toBe(LOGIN_DENIED);
    });

    it('refuses an address of another domain', async () => {
      const r = await curlExternal(proto, transport, own(`carol@${OTHER_DOMAIN}`));
      expect(r.code, r.stderr + r.stdout).toBe(LOGIN_DENIED);
    });
  });
});

describe('curl IMAP EXTERNAL details', () => {
  it('an authzid equal to the certificate identity is accepted', async () => {
    const r = await curlExternal('imap', 'implicit', own(ALICE.address), ['--user', `${ALICE.address}:`]);
    expect(r.code, r.stderr).toBe(0);
  });

  it('another authzid is refused without the CanImpersonate right', async () => {
    const r = await curlExternal('imap', 'implicit', own(ALICE.address), ['--user', `nocert@${MAIN_DOMAIN}:`]);
    expect(r.code, r.stderr + r.stdout).toBe(LOGIN_DENIED);
  });

  it('without a client certificate EXTERNAL is not advertised, and other logins still work', async () => {
    const caps = await curl(['-k', '-v', '--user', `${ALICE.address}:${ALICE.password}`, `imaps://127.0.0.1:${gw.ports.imaps}/`]);
    expect(caps.code, caps.stderr).toBe(0);
    expect(caps.stderr).toMatch(/AUTH=PLAIN/);
    expect(caps.stderr).not.toMatch(/AUTH=EXTERNAL/);
    const withCert = await curlExternal('imap', 'implicit', own(ALICE.address));
    expect(withCert.stderr).toMatch(/AUTH=EXTERNAL/);
  });
});

describe.each(['starttls', 'implicit'] as const)('curl SMTP AUTH=EXTERNAL over %s', (transport) => {
  const url = (): string[] =>
    transport === 'starttls' ? ['--ssl-reqd', `smtp://127.0.0.1:${gw.ports.submission}`] : [`smtps://127.0.0.1:${gw.ports.smtps}`];

  async function send(id: Identity, subject: string) {
    const file = path.join(gw.dir, `${subject.replace(/\W+/g, '-')}.eml`);
    await fs.writeFile(file, `From: alice@example.test\r\nTo: bob@example.test\r\nSubject: ${subject}\r\n\r\nsent with a client certificate\r\n`);
    return curl(['-k', '--cert', id.cert, '--key', id.key, '--login-options', 'AUTH=EXTERNAL', '--mail-from', ALICE.address, '--mail-rcpt', 'bob@example.test', '--upload-file', file, ...url()]);
  }

  it('submits a message after EXTERNAL', async () => {
    const subject = `external smtp ${transport}`;
    const r = await send(own(ALICE.address), subject);
    expect(r.code, r.stderr).toBe(0);
    expect(await spooledBySubject(gw.dataDir, subject)).toBeDefined();
  });

  it('refuses a certificate of another CA, allowCertificate off, and another domain', async () => {
    for (const id of [foreign(ALICE.address), own(`nocert@${MAIN_DOMAIN}`), own(`carol@${OTHER_DOMAIN}`)]) {
      const r = await send(id, `refused ${transport} ${path.basename(id.cert)}`);
      expect(r.code, `${id.cert}: ${r.stderr}`).toBe(LOGIN_DENIED);
    }
  });
});

describe.each(['ldaps', 'starttls'] as const)('ldapwhoami -Y EXTERNAL over %s', (transport) => {
  function whoami(id: Identity) {
    const port = transport === 'ldaps' ? gw.ports.ldaps : gw.ports.ldapStarttls;
    const scheme = transport === 'ldaps' ? 'ldaps' : 'ldap';
    return run('ldapwhoami', ['-H', `${scheme}://127.0.0.1:${port}`, ...(transport === 'starttls' ? ['-ZZ'] : []), '-o', 'nettimeout=10', '-Y', 'EXTERNAL', '-N'], {
      timeoutMs: 20_000,
      env: {
        ...process.env,
        LDAPTLS_REQCERT: 'never',
        LDAPTLS_CERT: id.cert,
        LDAPTLS_KEY: id.key,
        LDAPCONF: '/nonexistent/ldap.conf',
        LDAPRC: 'nonexistent-ldaprc',
      },
    });
  }

  it('binds as the certificate account', async () => {
    const r = await whoami(own(ALICE.address));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`u:${ALICE.address}`);
  });

  it('is refused for another CA and another domain: invalidCredentials (49)', async () => {
    for (const id of [foreign(ALICE.address), own(`carol@${OTHER_DOMAIN}`)]) {
      const r = await whoami(id);
      expect(r.code, `${id.cert}: ${r.stdout}${r.stderr}`).toBe(49);
    }
  });

  it('is refused for an account with allowCertificate off: inappropriateAuthentication (48)', async () => {
    const r = await whoami(own(`nocert@${MAIN_DOMAIN}`));
    expect(r.code, r.stdout + r.stderr).toBe(48);
  });
});
