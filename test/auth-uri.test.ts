/**
 * Authentication URI: accounts whose passwords live in an external LDAP server. A real OpenLDAP
 * slapd holds two entry layouts (uid=NAME,ou=people,dc=example,dc=test and
 * cn=NAME,ou=DOMAIN,o=mail); clients log in through IMAP and SMTP with directory passwords.
 * slapd accepts simple binds by DN only, so the Active Directory `*@^0` and `DOMAIN\*` forms are
 * shown against a second Portcullis, whose LDAP listener takes user@domain and DOMAIN\user bind
 * names as AD does (DOMAIN: the first label of a domain, EXAMPLE → example.test).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway } from './harness/gateway.js';
import { createAccount, stopCleanly, WRONG_PASSWORD } from './harness/fixtures.js';
import { imapLoginWorks, imapConnect, imapAuthenticate } from './harness/imap.js';
import { LineClient } from './harness/line-client.js';
import { freePorts } from './harness/ports.js';
import { cramResponder } from './harness/sasl.js';
import { plainResponse, smtpCommand, smtpReply } from './harness/smtp.js';
import { startSlapd, type Slapd } from './harness/slapd.js';

const DANA = { address: 'dana@example.test', own: 'Dana-Own-1', directory: 'Dana-Dir-1' };
const EVE = { address: 'eve@example.test', directory: 'Eve Dir 2' };
const GINA = { address: 'gina@example.test', upstream: 'Gina-Upn-3' };
const FRANK = { address: 'frank@example.test', own: 'Frank-Own-4' };
const HUGO = { address: 'hugo@example.test', upstream: 'Hugo-Upn-5' };

const LDIF = `dn: dc=example,dc=test
objectClass: dcObject
objectClass: organization
dc: example
o: Example

dn: ou=people,dc=example,dc=test
objectClass: organizationalUnit
ou: people

dn: uid=dana,ou=people,dc=example,dc=test
objectClass: inetOrgPerson
uid: dana
cn: Dana
sn: Dana
userPassword: ${DANA.directory}

dn: o=mail
objectClass: organization
o: mail

dn: ou=example.test,o=mail
objectClass: organizationalUnit
ou: example.test

dn: cn=eve,ou=example.test,o=mail
objectClass: inetOrgPerson
cn: eve
sn: Eve
userPassword: ${EVE.directory}
`;

const LISTENERS = { imap: { service: 'imap', tls: 'none' }, smtp: { service: 'smtp', tls: 'none' } } as const;

let slapd: Slapd | undefined;
let gw: Gateway<keyof typeof LISTENERS>;
let upstream: Gateway<'ldap'> | undefined;

beforeAll(async () => {
  slapd = await startSlapd({ suffixes: ['dc=example,dc=test', 'o=mail'], ldif: LDIF });
  upstream = await Gateway.start({ listeners: { ldap: { service: 'ldap', tls: 'none' } } });
  await createAccount(upstream, GINA.address, GINA.upstream);
  await createAccount(upstream, HUGO.address, HUGO.upstream);
  gw = await Gateway.start({ listeners: LISTENERS });
  await createAccount(gw, DANA.address, DANA.own, `authenticationURI=${slapd.url}/uid=*,ou=people,dc=example,dc=test`);
  await gw.cliOk('account', 'create', EVE.address, `authenticationURI=${slapd.url}/cn=*,ou=^0,o=mail`);
  await gw.cliOk('account', 'create', GINA.address, `authenticationURI=ldap://127.0.0.1:${upstream.ports.ldap}/*@^0`);
  await gw.cliOk('account', 'create', HUGO.address, `authenticationURI=ldap://127.0.0.1:${upstream.ports.ldap}/EXAMPLE\\*`);
}, 90_000);

afterAll(async () => {
  const passwords = [DANA.own, DANA.directory, EVE.directory, GINA.upstream, FRANK.own, HUGO.upstream, WRONG_PASSWORD];
  await stopCleanly(gw, passwords);
  await stopCleanly(upstream, passwords);
  await slapd?.stop();
});

async function smtpAuthPlain(user: string, password: string): Promise<number> {
  const c = await LineClient.connect(gw.ports.smtp);
  try {
    expect((await smtpReply(c)).code).toBe(220);
    expect((await smtpCommand(c, 'EHLO uri.client.test')).code).toBe(250);
    return (await smtpCommand(c, `AUTH PLAIN ${plainResponse(user, password)}`)).code;
  } finally {
    c.close();
  }
}

describe('Authentication URI with slapd', () => {
  it('logs in through IMAP with the directory password (uid=*,ou=people,... layout)', async () => {
    expect((await imapLoginWorks(gw.ports.imap, DANA.address, DANA.directory)).ok).toBe(true);
    // any match: the own password still works too
    expect((await imapLoginWorks(gw.ports.imap, DANA.address, DANA.own)).ok).toBe(true);
    expect((await imapLoginWorks(gw.ports.imap, DANA.address, WRONG_PASSWORD)).ok).toBe(false);
  });

  it('logs in through IMAP and SMTP on the cn=*,ou=^0,o=mail layout (an account with no own password)', async () => {
    expect((await imapLoginWorks(gw.ports.imap, EVE.address, EVE.directory)).ok).toBe(true);
    expect((await imapLoginWorks(gw.ports.imap, EVE.address, WRONG_PASSWORD)).ok).toBe(false);
    expect(await smtpAuthPlain(EVE.address, EVE.directory)).toBe(235);
    expect(await smtpAuthPlain(EVE.address, WRONG_PASSWORD)).toBe(535);
  });

  it('logs in through SMTP AUTH PLAIN with the directory password', async () => {
    expect(await smtpAuthPlain(DANA.address, DANA.directory)).toBe(235);
  });

  it('is not used by a shared-secret method: CRAM-MD5 with the directory password fails', async () => {
    const { c } = await imapConnect(gw.ports.imap);
    try {
      const dir = await imapAuthenticate(c, 'CRAM-MD5', cramResponder(DANA.address, DANA.directory));
      expect(dir.ok).toBe(false);
      const own = await imapAuthenticate(c, 'CRAM-MD5', cramResponder(DANA.address, DANA.own));
      expect(own.ok).toBe(true);
    } finally {
      c.close();
    }
  });
});

describe('Authentication URI, other forms and failures', () => {
  it('the *@^0 form binds with user@domain (here to a second Portcullis LDAP listener)', async () => {
    expect((await imapLoginWorks(gw.ports.imap, GINA.address, GINA.upstream)).ok).toBe(true);
    expect((await imapLoginWorks(gw.ports.imap, GINA.address, WRONG_PASSWORD)).ok).toBe(false);
  });

  it('the DOMAIN\\* form binds with EXAMPLE\\user (the second Portcullis maps EXAMPLE to example.test)', async () => {
    expect((await imapLoginWorks(gw.ports.imap, HUGO.address, HUGO.upstream)).ok).toBe(true);
    expect((await imapLoginWorks(gw.ports.imap, HUGO.address, WRONG_PASSWORD)).ok).toBe(false);
    expect(await smtpAuthPlain(HUGO.address, HUGO.upstream)).toBe(235);
  });

  it('an unreachable server is a failed check, promptly; the own password still works', async () => {
    const [closed] = await freePorts(1);
    await createAccount(gw, FRANK.address, FRANK.own, `authenticationURI=ldap://127.0.0.1:${closed}/uid=*,dc=example,dc=test`);
    const started = Date.now();
    expect((await imapLoginWorks(gw.ports.imap, FRANK.address, 'Some-Other-Pass')).ok).toBe(false);
    expect(Date.now() - started).toBeLessThan(8000);
    expect((await imapLoginWorks(gw.ports.imap, FRANK.address, FRANK.own)).ok).toBe(true);
  });
});
