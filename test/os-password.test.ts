/**
 * OS passwords with real Unix users: useradd + chpasswd write /etc/shadow the way the OS does
 * ($y$ yescrypt by Debian 12's default, $6$ with `chpasswd -c SHA512`), and the gateway checks
 * IMAP logins against them. Also the migration path: an account without an own password logs in
 * with its OS password and then sets an own one through PWD.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway } from './harness/gateway.js';
import { imapAuthenticate, imapConnect, imapLogin, imapLoginWorks } from './harness/imap.js';
import { pwdChange } from './harness/pwd.js';
import { createOsUser, lockOsUser, removeOsUsers, setOsPassword, shadowHash } from './harness/os-users.js';
import { stopCleanly } from './harness/fixtures.js';

const suffix = randomBytes(3).toString('hex');
/** an OS user with a yescrypt hash, one with a sha512-crypt hash, and `<name>-mail` for osUserName */
const YES = { name: `pcy${suffix}`, password: `Os-Yes-${suffix}!` };
const SHA = { name: `pcs${suffix}`, password: `Os-Sha-${suffix}!` };
const MAPPED = { account: `pcm${suffix}`, name: `pcm${suffix}-mail`, password: `Os-Map-${suffix}!` };
const MIGRATE = { name: `pcn${suffix}`, password: `Os-Mig-${suffix}!`, own: `Own-New-${suffix}!` };
const OS_USERS = [YES.name, SHA.name, MAPPED.name, MIGRATE.name];
const PASSWORDS = [YES.password, SHA.password, MAPPED.password, MIGRATE.password, MIGRATE.own];

const created: string[] = [];
let gw: Gateway<'imap' | 'pwd'> | undefined;

async function addOsUser(name: string, password: string, method?: string): Promise<void> {
  created.push(name);
  await createOsUser(name, password, method);
}

const addr = (name: string): string => `${name}@example.test`;

beforeAll(async () => {
  // creating OS users needs root; the CI and development machines run the tests as root
  expect(process.getuid?.(), 'this file creates OS users and must run as root').toBe(0);
  await addOsUser(YES.name, YES.password);
  await addOsUser(SHA.name, SHA.password, 'SHA512');
  await addOsUser(MAPPED.name, MAPPED.password);
  await addOsUser(MIGRATE.name, MIGRATE.password);

  gw = await Gateway.start({ listeners: { imap: { service: 'imap', tls: 'none' }, pwd: { service: 'pwd', tls: 'none' } } });
  await gw.cliOk('account', 'create', addr(YES.name), 'useOSPassword=true');
  await gw.cliOk('account', 'create', addr(SHA.name), 'useOSPassword=true');
  await gw.cliOk('account', 'create', addr(MAPPED.account), 'useOSPassword=true', 'osUserName=*-mail');
  await gw.cliOk('account', 'create', addr(MIGRATE.name), 'useOSPassword=true');
  await gw.cliOk('account', 'create', addr(`win${suffix}`), 'useOSPassword=true', 'osUserName=*%corp');
}, 60_000);

afterAll(async () => {
  try {
    await stopCleanly(gw, PASSWORDS);
  } finally {
    await removeOsUsers(created);
  }
  for (const name of OS_USERS) expect(shadowHash(name), `OS user ${name} left behind`).toBe('');
});

describe('OS passwords through IMAP LOGIN', () => {
  it('the OS wrote the hash formats under test', () => {
    expect(shadowHash(YES.name)).toMatch(/^\$y\$/);
    expect(shadowHash(SHA.name)).toMatch(/^\$6\$/);
  });

  it('logs in with a yescrypt OS password', async () => {
    expect((await imapLoginWorks(gw!.ports.imap, addr(YES.name), YES.password)).ok).toBe(true);
  });

  it('logs in with a sha512-crypt OS password', async () => {
    expect((await imapLoginWorks(gw!.ports.imap, addr(SHA.name), SHA.password)).ok).toBe(true);
  });

  it('refuses a wrong password, and another OS user\'s password', async () => {
    expect((await imapLoginWorks(gw!.ports.imap, addr(YES.name), `${YES.password}x`)).ok).toBe(false);
    expect((await imapLoginWorks(gw!.ports.imap, addr(YES.name), SHA.password)).ok).toBe(false);
  });

  it('maps the account through osUserName=*-mail', async () => {
    expect((await imapLoginWorks(gw!.ports.imap, addr(MAPPED.account), MAPPED.password)).ok).toBe(true);
  });

  it('refuses a Windows domain osUserName (%) and logs why, without the password', async () => {
    expect((await imapLoginWorks(gw!.ports.imap, addr(`win${suffix}`), YES.password)).ok).toBe(false);
    expect(gw!.stderr).toMatch(/Windows domain/);
  });

  it('sees a password changed with chpasswd at the next login', async () => {
    const next = `${SHA.password}2`;
    PASSWORDS.push(next);
    await setOsPassword(SHA.name, next);
    expect((await imapLoginWorks(gw!.ports.imap, addr(SHA.name), SHA.password)).ok).toBe(false);
    expect((await imapLoginWorks(gw!.ports.imap, addr(SHA.name), next)).ok).toBe(true);
  });

  it('refuses a locked OS user (usermod -L)', async () => {
    await lockOsUser(YES.name, true);
    try {
      expect((await imapLoginWorks(gw!.ports.imap, addr(YES.name), YES.password)).ok).toBe(false);
    } finally {
      await lockOsUser(YES.name, false);
    }
    expect((await imapLoginWorks(gw!.ports.imap, addr(YES.name), YES.password)).ok).toBe(true);
  });

  it('is one-way: CRAM-MD5 cannot use the OS password', async () => {
    const { c } = await imapConnect(gw!.ports.imap);
    try {
      const r = await imapAuthenticate(c, 'CRAM-MD5', () => Buffer.from(`${addr(YES.name)} ${'0'.repeat(32)}`));
      expect(r.ok).toBe(false);
      // the connection is still usable, and LOGIN with the OS password works on it
      expect((await imapLogin(c, addr(YES.name), YES.password)).ok).toBe(true);
    } finally {
      c.close();
    }
  });
});

describe('migration: no own password, OS login, then an own password through PWD', () => {
  it('sets the own password after logging in with the OS one', async () => {
    const r = await pwdChange(gw!.ports.pwd, addr(MIGRATE.name), MIGRATE.password, MIGRATE.own);
    expect(r.pass).toMatch(/^200/);
    expect(r.newpass).toMatch(/^200/);
    expect((await imapLoginWorks(gw!.ports.imap, addr(MIGRATE.name), MIGRATE.own)).ok).toBe(true);
    // both sources stay on: the OS password still logs in too
    expect((await imapLoginWorks(gw!.ports.imap, addr(MIGRATE.name), MIGRATE.password)).ok).toBe(true);
    const show = await gw!.cliOk('account', 'show', addr(MIGRATE.name));
    expect(show.stdout).not.toContain(MIGRATE.own);
  });
});
