/**
 * Impersonation (PLAIN with an authzid) through the built gateway with curl: refused without the
 * CanImpersonate right, allowed once `portcullis rights grant` gave it, the session belonging to
 * the authorization account; refused for a wrong password, a service the authenticating account
 * may not use, another domain's account, and after `rights revoke`.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway } from './harness/gateway.js';
import { ALICE, WRONG_PASSWORD, createAccount, stopCleanly } from './harness/fixtures.js';
import { imapAuthenticate, imapConnect } from './harness/imap.js';
import { curl } from './harness/run.js';
import { ScramClient } from './harness/scram.js';
import { spooledBySubject } from './harness/smtp.js';

/** CURLE_LOGIN_DENIED */
const LOGIN_DENIED = 67;
const BOB = { address: 'bob@example.test', password: 'Bob-Secret-2' };
const CAROL = { address: 'carol@other.test', password: 'Carol-Secret-3' };
const POSTMASTER_PASSWORD = 'Postmaster-Secret-4';

const LISTENERS = {
  imap: { service: 'imap', tls: 'none' },
  pop: { service: 'pop', tls: 'none' },
  submission: { service: 'smtp', tls: 'starttls' },
} as const;

let gw: Gateway<keyof typeof LISTENERS>;

beforeAll(async () => {
  gw = await Gateway.start({ listeners: LISTENERS });
  await createAccount(gw, ALICE.address, ALICE.password);
  await createAccount(gw, BOB.address, BOB.password);
  await gw.cliOk('domain', 'create', 'other.test');
  await createAccount(gw, CAROL.address, CAROL.password);
});

afterAll(async () => {
  await stopCleanly(gw, [ALICE.password, BOB.password, CAROL.password, POSTMASTER_PASSWORD, WRONG_PASSWORD]);
});

function imapAs(authzid: string, password = ALICE.password) {
  return curl([
    '--login-options', 'AUTH=PLAIN',
    '--sasl-authzid', authzid,
    '--user', `${ALICE.address}:${password}`,
    `imap://127.0.0.1:${gw.ports.imap}/`,
  ]);
}

/** The JSON log lines of the server that carry `msg`. */
function logLines(msg: string): Record<string, unknown>[] {
  return (gw.stdout + gw.stderr)
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((o) => o['msg'] === msg);
}

async function smtpAs(authzid: string, subject: string) {
  const file = path.join(gw.dir, `${subject.replace(/\W+/g, '-')}.eml`);
  await fs.writeFile(file, `From: bob@example.test\r\nTo: carol@other.test\r\nSubject: ${subject}\r\n\r\nsent for bob\r\n`);
  return curl([
    '-k', '--ssl-reqd',
    `smtp://127.0.0.1:${gw.ports.submission}`,
    '--mail-from', 'bob@example.test',
    '--mail-rcpt', 'carol@other.test',
    '--upload-file', file,
    '--login-options', 'AUTH=PLAIN',
    '--sasl-authzid', authzid,
    '--user', `${ALICE.address}:${ALICE.password}`,
  ]);
}

describe('impersonation with PLAIN', () => {
  it('is refused while alice holds no CanImpersonate right', async () => {
    expect((await gw.cliOk('rights', 'show', ALICE.address)).stdout).toBe('alice@example.test: (none)\n');
    const r = await imapAs(BOB.address);
    expect(r.code, r.stderr + r.stdout).toBe(LOGIN_DENIED);
    expect(logLines('login failed').some((l) => l['account'] === ALICE.address && l['result'] === 'impersonation-denied')).toBe(true);
  });

  it('after `rights grant`, opens bob over IMAP; the logs name both accounts', async () => {
    const g = await gw.cliOk('rights', 'grant', ALICE.address, 'CanImpersonate');
    expect(g.stdout).toBe('alice@example.test: CanImpersonate\n');
    expect((await gw.cliOk('rights', 'show', ALICE.address)).stdout).toBe('alice@example.test: CanImpersonate\n');
    const r = await imapAs(BOB.address);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^\* LIST .*INBOX/im);
    const ok = logLines('login succeeded').filter((l) => l['service'] === 'imap' && l['authzid'] === BOB.address);
    expect(ok.length).toBeGreaterThan(0);
    expect(ok[0]).toMatchObject({ account: ALICE.address, authzid: BOB.address, mechanism: 'PLAIN' });
  });

  it('opens bob over POP3 too', async () => {
    const r = await curl([
      '--login-options', 'AUTH=PLAIN',
      '--sasl-authzid', BOB.address,
      '--user', `${ALICE.address}:${ALICE.password}`,
      `pop3://127.0.0.1:${gw.ports.pop}/`,
    ]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(logLines('login succeeded').some((l) => l['service'] === 'pop' && l['account'] === ALICE.address && l['authzid'] === BOB.address)).toBe(true);
  });

  it('an authzid without a domain is taken in alice’s domain', async () => {
    const r = await imapAs('bob');
    expect(r.code, r.stderr + r.stdout).toBe(0);
  });

  it('is refused with a wrong password, and for an account of another domain', async () => {
    expect((await imapAs(BOB.address, WRONG_PASSWORD)).code).toBe(LOGIN_DENIED);
    expect(logLines('login failed').some((l) => l['account'] === ALICE.address && l['result'] === 'bad-credentials')).toBe(true);
    // CanImpersonate reaches alice's own domain only
    const r = await imapAs(CAROL.address);
    expect(r.code, r.stderr + r.stdout).toBe(LOGIN_DENIED);
  });

  it('over SMTP the message is submitted as bob, with alice as the credentials owner', async () => {
    const subject = 'impersonated submission';
    const r = await smtpAs(BOB.address, subject);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const m = await spooledBySubject(gw.dataDir, subject);
    expect(m, 'message not in the spool').toBeDefined();
    expect(m!.envelope).toMatchObject({ account: BOB.address, authcid: ALICE.address });
    expect(m!.eml).toContain(`(authenticated as ${BOB.address})`);
    const smtpLogin = logLines('smtp login').find((l) => l['account'] === BOB.address);
    expect(smtpLogin).toMatchObject({ account: BOB.address, authcid: ALICE.address, mechanism: 'PLAIN' });
  });

  it('is refused when IMAP is not among alice’s enabledServices (SMTP still works)', async () => {
    await gw.cliOk('account', 'set', ALICE.address, 'enabledServices=smtp');
    try {
      const r = await imapAs(BOB.address);
      expect(r.code, r.stderr + r.stdout).toBe(LOGIN_DENIED);
      expect(logLines('login failed').some((l) => l['account'] === ALICE.address && l['result'] === 'service-disabled')).toBe(true);
      expect((await smtpAs(BOB.address, 'smtp still allowed')).code).toBe(0);
    } finally {
      await gw.cliOk('account', 'set', ALICE.address, 'enabledServices=');
    }
    expect((await imapAs(BOB.address)).code).toBe(0);
  });

  it('SCRAM cannot open another account even with the right (the spec: PLAIN and GSSAPI only)', async () => {
    const { c } = await imapConnect(gw.ports.imap);
    try {
      const client = new ScramClient({ hash: 'sha256', user: ALICE.address, password: ALICE.password, authzid: BOB.address });
      const r = await imapAuthenticate(c, 'SCRAM-SHA-256', (challenge, step) => {
        if (step === 0) return client.clientFirst();
        if (step === 1) return client.clientFinal(challenge);
        return Buffer.alloc(0);
      });
      expect(r.ok, r.status).toBe(false);
      expect(r.status).toMatch(/^NO\b/);
    } finally {
      c.close();
    }
    expect(logLines('login failed').some((l) => l['mechanism'] === 'SCRAM-SHA-256' && l['result'] === 'impersonation-denied')).toBe(true);
  });

  it('is refused again after `rights revoke`', async () => {
    expect((await gw.cliOk('rights', 'revoke', ALICE.address, 'CanImpersonate')).stdout).toBe('alice@example.test: (none)\n');
    expect((await imapAs(BOB.address)).code).toBe(LOGIN_DENIED);
    // alice's own login is not affected
    const own = await curl(['--login-options', 'AUTH=PLAIN', '--user', `${ALICE.address}:${ALICE.password}`, `imap://127.0.0.1:${gw.ports.imap}/`]);
    expect(own.code, own.stderr).toBe(0);
  });
});

describe('rights on the command line against a running server', () => {
  it('refuses main-domain rights for another domain and unknown rights', async () => {
    const main = await gw.cli('rights', 'grant', CAROL.address, 'Master');
    expect(main.code).toBe(2);
    expect(main.stderr).toMatch(/main domain/);
    const unknown = await gw.cli('rights', 'grant', ALICE.address, 'CanFly');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown access right 'CanFly'/);
  });

  it('a Master holder (the main postmaster) may open another domain’s account', async () => {
    // the server made the main postmaster at its first start; give it a known password
    await gw.cliOk('account', 'set', 'postmaster@example.test', `password=${POSTMASTER_PASSWORD}`);
    const r = await curl([
      '--login-options', 'AUTH=PLAIN',
      '--sasl-authzid', CAROL.address,
      '--user', `postmaster@example.test:${POSTMASTER_PASSWORD}`,
      `imap://127.0.0.1:${gw.ports.imap}/`,
    ]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
  });
});
