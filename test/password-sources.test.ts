/**
 * One account, four password sources, one gateway run: the account has its own password
 * (useCGPassword), a real OS user's password (useOSPassword), a password in a real slapd
 * (authenticationURI) and a password the sample External Authentication helper knows
 * (useExtPassword), all different, so each successful IMAP LOGIN proves the source it came from
 * ("any match"). The one-way sources cannot serve CRAM-MD5; the own password can. Switching a
 * source off on the running server takes exactly that password away.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway } from './harness/gateway.js';
import { createAccount, stopCleanly, WRONG_PASSWORD } from './harness/fixtures.js';
import { imapAuthenticate, imapConnect, imapLoginWorks } from './harness/imap.js';
import { createOsUser, removeOsUsers, shadowHash } from './harness/os-users.js';
import { REPO_ROOT } from './harness/run.js';
import { cramResponder } from './harness/sasl.js';
import { startSlapd, type Slapd } from './harness/slapd.js';

const suffix = randomBytes(3).toString('hex');
/** the OS user name is the account name, so it is unique per run (OS users are machine-wide) */
const NAME = `carol${suffix}`;
const CAROL = {
  address: `${NAME}@example.test`,
  own: `Carol-Own-${suffix}`,
  os: `Carol-Os-${suffix}!`,
  uri: `Carol-Ldap-${suffix}`,
  ext: `Carol Helper ${suffix}`,
};
const PASSWORDS = [CAROL.own, CAROL.os, CAROL.uri, CAROL.ext, WRONG_PASSWORD];

const LDIF = `dn: dc=example,dc=test
objectClass: dcObject
objectClass: organization
dc: example
o: Example

dn: ou=people,dc=example,dc=test
objectClass: organizationalUnit
ou: people

dn: uid=${NAME},ou=people,dc=example,dc=test
objectClass: inetOrgPerson
uid: ${NAME}
cn: Carol
sn: Carol
userPassword: ${CAROL.uri}
`;

const createdOsUsers: string[] = [];
let slapd: Slapd | undefined;
let gw: Gateway<'imap'> | undefined;
let dir: string | undefined;

beforeAll(async () => {
  // creating OS users needs root; the CI and development machines run the tests as root
  expect(process.getuid?.(), 'this file creates an OS user and must run as root').toBe(0);
  createdOsUsers.push(NAME);
  await createOsUser(NAME, CAROL.os);

  slapd = await startSlapd({ suffixes: ['dc=example,dc=test'], ldif: LDIF });

  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'portcullis-sources-'));
  const usersFile = path.join(dir, 'users');
  await fs.writeFile(usersFile, `${CAROL.address}:${CAROL.ext}\n`);

  gw = await Gateway.start({ listeners: { imap: { service: 'imap', tls: 'none' } } });
  await gw.cliOk(
    'server', 'set',
    `externalAuth.program=${path.join(REPO_ROOT, 'deploy/helpers/sample-helper.sh')}`,
    `externalAuth.args=${usersFile}`,
    'externalAuth.timeout=5',
  );
  await createAccount(
    gw, CAROL.address, CAROL.own,
    'useCGPassword=true',
    'useOSPassword=true',
    `authenticationURI=${slapd.url}/uid=*,ou=people,dc=example,dc=test`,
    'useExtPassword=true',
  );
}, 90_000);

afterAll(async () => {
  try {
    await stopCleanly(gw, PASSWORDS);
  } finally {
    await slapd?.stop();
    await removeOsUsers(createdOsUsers);
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  }
  expect(shadowHash(NAME), `OS user ${NAME} left behind`).toBe('');
});

async function login(password: string): Promise<boolean> {
  return (await imapLoginWorks(gw!.ports.imap, CAROL.address, password)).ok;
}

async function cram(password: string): Promise<boolean> {
  const { c } = await imapConnect(gw!.ports.imap);
  try {
    return (await imapAuthenticate(c, 'CRAM-MD5', cramResponder(CAROL.address, password))).ok;
  } finally {
    c.close();
  }
}

describe('one account, four password sources (IMAP LOGIN)', () => {
  it('the account has all four sources on, and the passwords are all different', async () => {
    const shown = (await gw!.cliOk('account', 'show', CAROL.address)).stdout;
    expect(shown, shown).toMatch(/useCGPassword\W+true/);
    expect(shown).toMatch(/useOSPassword\W+true/);
    expect(shown).toMatch(/useExtPassword\W+true/);
    expect(shown).toContain(slapd!.url);
    expect(new Set([CAROL.own, CAROL.os, CAROL.uri, CAROL.ext]).size).toBe(4);
    expect(shadowHash(NAME)).toMatch(/^\$/);
  });

  it('logs in with its own password', async () => {
    expect(await login(CAROL.own)).toBe(true);
  });

  it('logs in with its OS password', async () => {
    expect(await login(CAROL.os)).toBe(true);
  });

  it('logs in with its Authentication URI (LDAP) password', async () => {
    expect(await login(CAROL.uri)).toBe(true);
  });

  it('logs in with its External Authentication helper password', async () => {
    expect(await login(CAROL.ext)).toBe(true);
  });

  it('refuses a wrong password, and a mix of two sources\' passwords', async () => {
    expect(await login(WRONG_PASSWORD)).toBe(false);
    expect(await login(`${CAROL.own}${CAROL.os}`)).toBe(false);
    expect(await login(CAROL.ext.toUpperCase())).toBe(false);
  });
});

describe('CRAM-MD5 needs a password the gateway can read', () => {
  it('works with the own password', async () => {
    expect(await cram(CAROL.own)).toBe(true);
  });

  it('is refused with the OS, Authentication URI and helper passwords (one-way sources)', async () => {
    expect(await cram(CAROL.os)).toBe(false);
    expect(await cram(CAROL.uri)).toBe(false);
    expect(await cram(CAROL.ext)).toBe(false);
  });
});

describe('each password belongs to its source', () => {
  const sources = [
    { setting: 'useCGPassword', password: CAROL.own },
    { setting: 'useOSPassword', password: CAROL.os },
    { setting: 'useExtPassword', password: CAROL.ext },
  ] as const;

  for (const { setting, password } of sources) {
    it(`${setting}=false takes away exactly that password`, async () => {
      await gw!.cliOk('account', 'set', CAROL.address, `${setting}=false`);
      try {
        expect(await login(password)).toBe(false);
        // the other sources still answer
        expect(await login(CAROL.uri)).toBe(true);
      } finally {
        await gw!.cliOk('account', 'set', CAROL.address, `${setting}=true`);
      }
      expect(await login(password)).toBe(true);
    });
  }

  it('an empty authenticationURI takes away the LDAP password', async () => {
    await gw!.cliOk('account', 'set', CAROL.address, 'authenticationURI=');
    try {
      expect(await login(CAROL.uri)).toBe(false);
      expect(await login(CAROL.own)).toBe(true);
    } finally {
      await gw!.cliOk('account', 'set', CAROL.address, `authenticationURI=${slapd!.url}/uid=*,ou=people,dc=example,dc=test`);
    }
    expect(await login(CAROL.uri)).toBe(true);
  });
});
