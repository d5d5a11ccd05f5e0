/**
 * The LDAP listener driven by OpenLDAP's own clients: ldapwhoami and ldapsearch, simple and SASL
 * binds (Cyrus SASL plugins from libsasl2-modules) over plain LDAP, StartTLS and ldaps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway, MAIN_DOMAIN } from './harness/gateway.js';
import { ALICE, UNKNOWN, WRONG_PASSWORD, createAccount, stopCleanly } from './harness/fixtures.js';
import {
  additionalInfo,
  cyrusMechanisms,
  ldapsearch,
  ldapwhoami,
  ldifValues,
  type LdapBind,
  type LdapTarget,
  type LdapTransport,
} from './harness/ldap.js';

const LISTENERS = {
  ldap: { service: 'ldap', tls: 'none' },
  ldapStarttls: { service: 'ldap', tls: 'starttls' },
  ldaps: { service: 'ldap', tls: 'implicit' },
} as const;

const BOB = { address: 'bob@example.test', password: 'Bob-Secret-2' };

let gw: Gateway<keyof typeof LISTENERS>;

beforeAll(async () => {
  gw = await Gateway.start({ listeners: LISTENERS });
  await createAccount(gw, ALICE.address, ALICE.password);
  await createAccount(gw, BOB.address, BOB.password);
});

afterAll(async () => {
  await stopCleanly(gw, [ALICE.password, BOB.password, WRONG_PASSWORD]);
});

function target(transport: LdapTransport): LdapTarget {
  const port = transport === 'plain' ? gw.ports.ldap : transport === 'starttls' ? gw.ports.ldapStarttls : gw.ports.ldaps;
  return { port, transport };
}

type Method = { label: string; bind: (user: string, password: string) => LdapBind };

const METHODS: Method[] = [
  { label: 'simple, e-mail address', bind: (user, password) => ({ kind: 'simple', name: user, password }) },
  {
    label: 'simple, uid DN',
    bind: (user, password) => {
      const [name, domain] = user.split('@') as [string, string];
      return { kind: 'simple', name: `uid=${name},${domain.split('.').map((p) => `dc=${p}`).join(',')}`, password };
    },
  },
  { label: 'simple, mail DN', bind: (user, password) => ({ kind: 'simple', name: `mail=${user},ou=people,dc=example,dc=test`, password }) },
  ...cyrusMechanisms().map((mechanism) => ({
    label: `SASL ${mechanism}`,
    bind: (user: string, password: string): LdapBind => ({ kind: 'sasl', mechanism, user, password }),
  })),
];

describe('the SASL plugins the tests rely on are installed', () => {
  it('PLAIN, CRAM-MD5 and DIGEST-MD5 at least', () => {
    expect(cyrusMechanisms()).toEqual(expect.arrayContaining(['PLAIN', 'CRAM-MD5', 'DIGEST-MD5']));
  });
});

describe.each<LdapTransport>(['plain', 'starttls', 'ldaps'])('ldapwhoami over %s', (transport) => {
  describe.each(METHODS.map((m) => [m.label, m] as const))('%s', (_label, method) => {
    it('good password: u:alice@example.test', async () => {
      const r = await ldapwhoami(target(transport), method.bind(ALICE.address, ALICE.password));
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe(`u:${ALICE.address}`);
    });

    it('wrong password: invalidCredentials (49)', async () => {
      const r = await ldapwhoami(target(transport), method.bind(ALICE.address, WRONG_PASSWORD));
      expect(r.code, r.stdout + r.stderr).toBe(49);
      expect(r.stderr).toMatch(/Invalid credentials \(49\)/);
    });

    it('unknown account: invalidCredentials (49)', async () => {
      const r = await ldapwhoami(target(transport), method.bind(UNKNOWN, ALICE.password));
      expect(r.code, r.stdout + r.stderr).toBe(49);
    });
  });
});

describe('root DSE', () => {
  it('anonymous ldapsearch reads supportedSASLMechanisms, and they follow the Domain Login Methods', async () => {
    const before = await ldapsearch(target('plain'), { kind: 'anonymous' }, ['-b', '', '-s', 'base', 'supportedSASLMechanisms']);
    expect(before.code, before.stderr).toBe(0);
    const mechs = ldifValues(before.stdout, 'supportedSASLMechanisms');
    expect(mechs).toEqual(expect.arrayContaining(['PLAIN', 'CRAM-MD5', 'DIGEST-MD5', 'SCRAM-SHA-256']));
    await gw.cliOk('domain', 'set', MAIN_DOMAIN, 'loginMethods=CLRTXT,CRAM-MD5');
    try {
      const after = await ldapsearch(target('plain'), { kind: 'anonymous' }, ['-b', '', '-s', 'base', 'supportedSASLMechanisms']);
      const now = ldifValues(after.stdout, 'supportedSASLMechanisms');
      expect(now).toContain('CRAM-MD5');
      expect(now).not.toContain('DIGEST-MD5');
      expect(now).not.toContain('SCRAM-SHA-256');
      // advertising never restricts: DIGEST-MD5 still works
      const r = await ldapwhoami(target('plain'), { kind: 'sasl', mechanism: 'DIGEST-MD5', user: ALICE.address, password: ALICE.password });
      expect(r.code, r.stderr).toBe(0);
    } finally {
      await gw.cliOk('domain', 'set', MAIN_DOMAIN, 'loginMethods=CLRTXT,CRAM-MD5,DIGEST-MD5,APOP,SCRAM');
    }
  });

  it('the whole root DSE names the naming context, version 3, StartTLS and Who am I?', async () => {
    // StartTLS is listed while it can still be used: on the STARTTLS listener, before TLS
    const r = await ldapsearch({ port: gw.ports.ldapStarttls, transport: 'plain' }, { kind: 'anonymous' }, ['-b', '', '-s', 'base', '+']);
    expect(r.code, r.stderr).toBe(0);
    expect(ldifValues(r.stdout, 'namingContexts')).toEqual(['dc=example,dc=test']);
    expect(ldifValues(r.stdout, 'supportedLDAPVersion')).toEqual(['3']);
    expect(ldifValues(r.stdout, 'supportedExtension')).toEqual(['1.3.6.1.4.1.1466.20037', '1.3.6.1.4.1.4203.1.11.3']);
    expect(ldifValues(r.stdout, 'vendorName')).toEqual(['Portcullis']);
  });

  it('anonymous clients may not search the directory', async () => {
    const r = await ldapsearch(target('plain'), { kind: 'anonymous' }, ['-b', 'dc=example,dc=test', '(uid=*)']);
    expect(r.code).toBe(50);
    expect(r.stderr).toMatch(/Insufficient access/);
  });
});

describe('search after bind', () => {
  const alice: LdapBind = { kind: 'simple', name: ALICE.address, password: ALICE.password };

  it('finds accounts of the domain as inetOrgPerson entries', async () => {
    const r = await ldapsearch(target('plain'), alice, ['-b', 'dc=example,dc=test', '(&(objectClass=inetOrgPerson)(uid=b*))', 'mail', 'cn']);
    expect(r.code, r.stderr).toBe(0);
    expect(ldifValues(r.stdout, 'dn')).toEqual(['uid=bob,dc=example,dc=test']);
    expect(ldifValues(r.stdout, 'mail')).toEqual([BOB.address]);
    expect(ldifValues(r.stdout, 'cn')).toEqual(['bob']);
    expect(ldifValues(r.stdout, 'objectClass')).toEqual([]);
  });

  it('with a SASL bind over ldaps, a one-level search with an OR filter', async () => {
    const r = await ldapsearch(
      target('ldaps'),
      { kind: 'sasl', mechanism: 'CRAM-MD5', user: ALICE.address, password: ALICE.password },
      ['-b', 'dc=example,dc=test', '-s', 'one', '(|(uid=alice)(mail=bob@example.test))', 'uid'],
    );
    expect(r.code, r.stderr).toBe(0);
    expect(ldifValues(r.stdout, 'uid').sort()).toEqual(['alice', 'bob']);
  });

  it('a size limit of 1 answers one entry and sizeLimitExceeded (4)', async () => {
    const r = await ldapsearch(target('plain'), alice, ['-z', '1', '-b', 'dc=example,dc=test', '(objectClass=inetOrgPerson)', 'uid']);
    expect(r.code).toBe(4);
    expect(ldifValues(r.stdout, 'dn')).toHaveLength(1);
  });

  it('a base that is not there is noSuchObject (32)', async () => {
    const r = await ldapsearch(target('plain'), alice, ['-b', 'uid=zed,dc=example,dc=test', '-s', 'base']);
    expect(r.code).toBe(32);
  });

  it('the diagnostic message of a refused bind reaches the client', async () => {
    const r = await ldapwhoami(target('plain'), { kind: 'simple', name: ALICE.address, password: WRONG_PASSWORD });
    expect(additionalInfo(r)).not.toBe('');
    expect(additionalInfo(r)).not.toContain(WRONG_PASSWORD);
  });
});
