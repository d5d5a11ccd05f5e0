/**
 * The PWD password-change service through a socket client: greeting (with the APOP timestamp when
 * APOP is advertised), USER/PASS/NEWPASS, the new password then working over IMAP and POP3, the
 * foundation's policies, a TLS listener, and hostile input.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway } from './harness/gateway.js';
import { imapLoginWorks } from './harness/imap.js';
import { popLoginWorks } from './harness/pop.js';
import { proxyV1 } from './harness/proxy-header.js';
import { pwdChange, pwdCommand, pwdConnect } from './harness/pwd.js';
import { ALICE, UNKNOWN, WRONG_PASSWORD, createAccount, stopCleanly } from './harness/fixtures.js';

const LISTENERS = {
  pwd: { service: 'pwd', tls: 'none' },
  pwdStarttls: { service: 'pwd', tls: 'starttls' },
  pwds: { service: 'pwd', tls: 'implicit' },
  pwdProxy: { service: 'pwd', tls: 'none', proxyProtocol: true },
  imap: { service: 'imap', tls: 'none' },
  pop: { service: 'pop', tls: 'none' },
} as const;

const CHANGER = { address: 'changer@example.test', password: 'Old-Pass-1', next: 'New Pass "2" with spaces' };
const CRYPTED = { address: 'crypted@example.test', password: 'Old-Crypt-1', next: 'New-Crypt-2' };
const SECURE = { address: 'secure@example.test', password: 'Secure-Pass-1' };
const LOCKED = { address: 'locked@example.test', password: 'Locked-Pass-1' };

let gw: Gateway<keyof typeof LISTENERS>;

beforeAll(async () => {
  gw = await Gateway.start({ listeners: LISTENERS });
  await createAccount(gw, ALICE.address, ALICE.password);
  await createAccount(gw, CHANGER.address, CHANGER.password);
  await createAccount(gw, CRYPTED.address, CRYPTED.password, 'passwordEncryption=U-crpt');
  await createAccount(gw, SECURE.address, SECURE.password, 'secureMethodRequired=true');
  await createAccount(gw, LOCKED.address, LOCKED.password, 'failedLoginLimit=2', 'failedLoginPeriod=60');
});

afterAll(async () => {
  await stopCleanly(gw, [
    ALICE.password, WRONG_PASSWORD, CHANGER.password, CHANGER.next, CRYPTED.password, CRYPTED.next,
    SECURE.password, LOCKED.password,
  ]);
});

describe('PWD logins', () => {
  it('greets with 200 and the APOP timestamp (APOP is advertised by default)', async () => {
    const { c, greeting } = await pwdConnect(gw.ports.pwd);
    c.close();
    expect(greeting).toMatch(/^200 mail\.example\.test PWD server ready <[^<>@\s]+@mail\.example\.test>$/);
  });

  it('greets without a timestamp when the domain does not advertise APOP', async () => {
    await gw.cliOk('domain', 'set', 'example.test', 'loginMethods=CLRTXT,CRAM-MD5');
    try {
      const { c, greeting } = await pwdConnect(gw.ports.pwd);
      c.close();
      expect(greeting).toBe('200 mail.example.test PWD server ready');
    } finally {
      await gw.cliOk('domain', 'set', 'example.test', 'loginMethods=CLRTXT,CRAM-MD5,DIGEST-MD5,APOP,SCRAM');
    }
  });

  it('good password: 200; wrong password and unknown account: 500', async () => {
    expect((await pwdChange(gw.ports.pwd, ALICE.address, ALICE.password)).pass).toMatch(/^200 /);
    expect((await pwdChange(gw.ports.pwd, ALICE.address, WRONG_PASSWORD)).pass).toMatch(/^500 /);
    expect((await pwdChange(gw.ports.pwd, UNKNOWN, WRONG_PASSWORD)).pass).toMatch(/^500 /);
  });

  it('NEWPASS before a login, and an empty NEWPASS, are refused', async () => {
    const { c } = await pwdConnect(gw.ports.pwd);
    try {
      expect(await pwdCommand(c, `NEWPASS ${WRONG_PASSWORD}`)).toMatch(/^500 /);
      expect(await pwdCommand(c, `USER ${ALICE.address}`)).toMatch(/^200 /);
      expect(await pwdCommand(c, `PASS ${ALICE.password}`)).toMatch(/^200 /);
      expect(await pwdCommand(c, 'NEWPASS')).toMatch(/^500 /);
      expect(await pwdCommand(c, 'QUIT')).toMatch(/^200 /);
    } finally {
      c.close();
    }
    expect((await imapLoginWorks(gw.ports.imap, ALICE.address, ALICE.password)).ok).toBe(true);
  });

  it('AUTH: other methods are unsupported; SESSIONID is refused while the domain lacks its Login Method (test/websession.test.ts has the rest)', async () => {
    const { c } = await pwdConnect(gw.ports.pwd);
    try {
      expect(await pwdCommand(c, `AUTH CRAM-MD5 ${ALICE.address} x`)).toBe('500 unsupported');
      expect(await pwdCommand(c, `AUTH SESSIONID ${ALICE.address} 0123456789abcdef`)).toBe('500 this authentication mechanism is not available');
    } finally {
      c.close();
    }
  });
});

describe('NEWPASS', () => {
  it('stores the new password: it works over IMAP and POP3 and the old one no longer does', async () => {
    const r = await pwdChange(gw.ports.pwd, CHANGER.address, CHANGER.password, CHANGER.next);
    expect(r.newpass).toMatch(/^200 /);
    expect((await imapLoginWorks(gw.ports.imap, CHANGER.address, CHANGER.next)).ok).toBe(true);
    expect(await popLoginWorks(gw.ports.pop, CHANGER.address, CHANGER.next)).toMatch(/^\+OK/);
    expect((await imapLoginWorks(gw.ports.imap, CHANGER.address, CHANGER.password)).ok).toBe(false);
    expect((await pwdChange(gw.ports.pwd, CHANGER.address, CHANGER.next)).pass).toMatch(/^200 /);
  });

  it('stores it per passwordEncryption (U-crpt, never in the clear)', async () => {
    const r = await pwdChange(gw.ports.pwd, CRYPTED.address, CRYPTED.password, CRYPTED.next);
    expect(r.newpass).toMatch(/^200 /);
    const files = await gw.cliOk('account', 'show', CRYPTED.address);
    expect(files.stdout).not.toContain(CRYPTED.next);
    const stored = await readFile(path.join(gw.dataDir, 'domains/example.test/accounts/crypted.yaml'), 'utf8');
    expect(stored).not.toContain(CRYPTED.next);
    expect(stored).toMatch(/password: "?\{U-crpt\}/);
    expect((await imapLoginWorks(gw.ports.imap, CRYPTED.address, CRYPTED.next)).ok).toBe(true);
  });
});

describe('policies through PWD', () => {
  it('secureMethodRequired: refused on a plain link, accepted after STLS and over implicit TLS', async () => {
    expect((await pwdChange(gw.ports.pwd, SECURE.address, SECURE.password)).pass).toMatch(/^500 /);
    const { c } = await pwdConnect(gw.ports.pwdStarttls);
    try {
      expect(await pwdCommand(c, 'STLS')).toMatch(/^200 /);
      await c.startTls();
      expect(await pwdCommand(c, `USER ${SECURE.address}`)).toMatch(/^200 /);
      expect(await pwdCommand(c, `PASS ${SECURE.password}`)).toMatch(/^200 /);
    } finally {
      c.close();
    }
    expect((await pwdChange(gw.ports.pwds, SECURE.address, SECURE.password, undefined, { tls: true })).pass).toMatch(/^200 /);
  });

  it('hideUnknownAccount: the same reply for an unknown account and a wrong password', async () => {
    await gw.cliOk('server', 'set', 'hideUnknownAccount=true');
    try {
      const wrong = (await pwdChange(gw.ports.pwd, ALICE.address, WRONG_PASSWORD)).pass;
      const unknown = (await pwdChange(gw.ports.pwd, UNKNOWN, WRONG_PASSWORD)).pass;
      expect(wrong).toMatch(/^500 /);
      expect(unknown).toBe(wrong);
    } finally {
      await gw.cliOk('server', 'set', 'hideUnknownAccount=false');
    }
  });

  it('lockout: after the limit even the right password is refused', async () => {
    for (let i = 0; i < 2; i++) expect((await pwdChange(gw.ports.pwd, LOCKED.address, WRONG_PASSWORD)).pass).toMatch(/^500 /);
    expect((await pwdChange(gw.ports.pwd, LOCKED.address, LOCKED.password)).pass).toMatch(/^500 /);
  });

  it('client addresses: a non-client behind a PROXY header gets 500 at connect and is closed', async () => {
    await gw.cliOk('server', 'set', 'loginsFromNonClients=prohibit', 'clientAddresses=10.0.0.0/8');
    try {
      const { c, greeting } = await pwdConnect(gw.ports.pwdProxy, { preamble: proxyV1({ source: '198.51.100.9' }) });
      expect(greeting).toMatch(/^500 /);
      expect(await c.waitClosed()).toBe(true);
      const ok = await pwdChange(gw.ports.pwdProxy, ALICE.address, ALICE.password, undefined, { preamble: proxyV1({ source: '10.1.2.3' }) });
      expect(ok.pass).toMatch(/^200 /);
    } finally {
      await gw.cliOk('server', 'set', 'loginsFromNonClients=allow');
    }
  });
});

describe('hostile input on PWD', () => {
  it('garbage, NUL, invalid UTF-8, an over-long line, a disconnect mid-login: then a good login works', async () => {
    const { c } = await pwdConnect(gw.ports.pwd);
    c.sendRaw(Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0d, 0x0a]));
    expect(await c.readLine()).toMatch(/^500 /);
    c.send('x'.repeat(100_000));
    expect(await c.readLine()).toMatch(/^500 .*too long/);
    expect(await pwdCommand(c, 'NOOP')).toMatch(/^500 /);
    c.close();
    // too many bad commands close the connection
    const b = await pwdConnect(gw.ports.pwd);
    for (let i = 0; i < 20; i++) b.c.send(`BOGUS${i}`);
    expect(await b.c.waitClosed()).toBe(true);
    // a disconnect between USER and PASS
    const d = await pwdConnect(gw.ports.pwd);
    d.c.send(`USER ${ALICE.address}`);
    d.c.close();
    gw.assertAlive();
    expect((await pwdChange(gw.ports.pwd, ALICE.address, ALICE.password)).pass).toMatch(/^200 /);
  });
});
