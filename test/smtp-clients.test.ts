/**
 * SMTP submission through the built gateway with real clients: swaks (PLAIN, LOGIN, CRAM-MD5,
 * DIGEST-MD5 over STARTTLS and implicit TLS), Python's smtplib and curl; each delivered message is
 * found in the spool with a Received header naming the authenticated account and the client.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway } from './harness/gateway.js';
import { ALICE, UNKNOWN, WRONG_PASSWORD, createAccount, stopCleanly } from './harness/fixtures.js';
import { python } from './harness/run.js';
import { LineClient } from './harness/line-client.js';
import { ScramClient, scramMechanism, type ScramHash } from './harness/scram.js';
import { curlSmtp, ehloKeywords, smtpCommand, smtpReply, spooledBySubject, swaks } from './harness/smtp.js';

const LISTENERS = {
  smtp: { service: 'smtp', tls: 'none' },
  submission: { service: 'smtp', tls: 'starttls' },
  smtps: { service: 'smtp', tls: 'implicit' },
} as const;

let gw: Gateway<keyof typeof LISTENERS>;

beforeAll(async () => {
  gw = await Gateway.start({ listeners: LISTENERS, config: { smtp: { maxMessageSize: 100_000 } } });
  await createAccount(gw, ALICE.address, ALICE.password);
});

afterAll(async () => {
  await stopCleanly(gw, [ALICE.password, WRONG_PASSWORD]);
});

function expectReceivedFor(eml: string | undefined, account: string): void {
  expect(eml, 'message not in the spool').toBeDefined();
  const received = /^Received: [^]*?;\r\n\t[^\r]+\r\n/.exec(eml!)?.[0] ?? '';
  expect(received).toContain(`(authenticated as ${account})`);
  expect(received).toContain('([127.0.0.1])');
  expect(received).toContain('by mail.example.test (Portcullis)');
}

interface SmtplibResult {
  ok: boolean;
  error: string | null;
  code: number | null;
  features: Record<string, string>;
  refused: Record<string, unknown> | null;
}

describe('swaks', () => {
  for (const mechanism of ['PLAIN', 'LOGIN', 'CRAM-MD5', 'DIGEST-MD5']) {
    it(`AUTH ${mechanism} over STARTTLS delivers to the spool`, async () => {
      const subject = `swaks ${mechanism} starttls`;
      const r = await swaks({ port: gw.ports.submission, mechanism, user: ALICE.address, password: ALICE.password, tls: '-tls', subject });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/<~\s+235 2\.7\.0/);
      const m = await spooledBySubject(gw.dataDir, subject);
      expectReceivedFor(m?.eml, ALICE.address);
      expect(m?.eml).toContain('with ESMTPSA');
      expect(m?.envelope).toMatchObject({ from: 'alice@example.test', to: ['bob@example.test'], account: ALICE.address });
    });
  }

  it('AUTH CRAM-MD5 over implicit TLS (-tlsc)', async () => {
    const subject = 'swaks implicit';
    const r = await swaks({ port: gw.ports.smtps, mechanism: 'CRAM-MD5', user: ALICE.address, password: ALICE.password, tls: '-tlsc', subject });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expectReceivedFor((await spooledBySubject(gw.dataDir, subject))?.eml, ALICE.address);
  });

  for (const mechanism of ['PLAIN', 'LOGIN', 'CRAM-MD5', 'DIGEST-MD5']) {
    it(`AUTH ${mechanism}: wrong password and unknown account get 535 and nothing is spooled`, async () => {
      const subject = `swaks ${mechanism} refused`;
      const wrong = await swaks({ port: gw.ports.submission, mechanism, user: ALICE.address, password: WRONG_PASSWORD, tls: '-tls', subject });
      expect(wrong.code).not.toBe(0);
      expect(wrong.stdout + wrong.stderr).toMatch(/<~\*\s+535 5\.7\.8/);
      const unknown = await swaks({ port: gw.ports.submission, mechanism, user: UNKNOWN, password: WRONG_PASSWORD, tls: '-tls', subject });
      expect(unknown.code).not.toBe(0);
      expect(unknown.stdout + unknown.stderr).toMatch(/<~\*\s+535 5\.7\.8/);
      expect(await spooledBySubject(gw.dataDir, subject)).toBeUndefined();
    });
  }
});

describe('Python smtplib', () => {
  const message = (subject: string) => `From: alice@example.test\r\nTo: bob@example.test\r\nSubject: ${subject}\r\n\r\nHello from smtplib.\r\n.leading dot\r\n`;

  it('login + sendmail over STARTTLS', async () => {
    const subject = 'smtplib starttls';
    const r = await python<SmtplibResult>('smtp_client.py', {
      host: '127.0.0.1', port: gw.ports.submission, security: 'starttls', user: ALICE.address, password: ALICE.password,
      sender: 'alice@example.test', recipients: ['bob@example.test'], message: message(subject),
    });
    expect(r.error).toBeNull();
    expect(r).toMatchObject({ ok: true, code: 235, refused: {} });
    expect(r.features).toMatchObject({ size: '100000', pipelining: '', '8bitmime': '', smtputf8: '', enhancedstatuscodes: '' });
    const m = await spooledBySubject(gw.dataDir, subject);
    expectReceivedFor(m?.eml, ALICE.address);
    expect(m?.eml).toContain('\r\n.leading dot\r\n');
  });

  it('SMTP_SSL with AUTH PLAIN, and CRAM-MD5 on the plain port', async () => {
    const ssl = await python<SmtplibResult>('smtp_client.py', {
      host: '127.0.0.1', port: gw.ports.smtps, security: 'ssl', user: ALICE.address, password: ALICE.password, mechanism: 'PLAIN',
      sender: 'alice@example.test', recipients: ['bob@example.test'], message: message('smtplib ssl'),
    });
    expect(ssl).toMatchObject({ ok: true, code: 235, error: null });
    expectReceivedFor((await spooledBySubject(gw.dataDir, 'smtplib ssl'))?.eml, ALICE.address);
    const cram = await python<SmtplibResult>('smtp_client.py', {
      host: '127.0.0.1', port: gw.ports.smtp, security: 'plain', user: ALICE.address, password: ALICE.password, mechanism: 'CRAM-MD5',
    });
    expect(cram).toMatchObject({ ok: true, code: 235 });
  });

  it('a wrong password and an unknown account raise SMTPAuthenticationError 535', async () => {
    for (const user of [ALICE.address, UNKNOWN]) {
      const r = await python<SmtplibResult>('smtp_client.py', {
        host: '127.0.0.1', port: gw.ports.submission, security: 'starttls', user, password: WRONG_PASSWORD,
      });
      expect(r.ok).toBe(false);
      expect(r.code).toBe(535);
      expect(r.error).toMatch(/SMTPAuthenticationError/);
    }
  });
});

describe('curl', () => {
  let file: string;
  beforeAll(async () => {
    file = path.join(gw.dir, 'curl-message.eml');
  });

  async function writeMessage(subject: string): Promise<void> {
    await fs.writeFile(file, `From: alice@example.test\r\nTo: bob@example.test\r\nSubject: ${subject}\r\n\r\nsent by curl\r\n.\r\nstill the body\r\n`);
  }

  for (const mechanism of ['PLAIN', 'LOGIN', 'CRAM-MD5', 'DIGEST-MD5']) {
    it(`smtp:// with --ssl-reqd and AUTH=${mechanism}`, async () => {
      const subject = `curl ${mechanism}`;
      await writeMessage(subject);
      const r = await curlSmtp({
        url: `smtp://127.0.0.1:${gw.ports.submission}`, user: ALICE.address, password: ALICE.password,
        loginOptions: `AUTH=${mechanism}`, file, sslReqd: true,
      });
      expect(r.code, r.stderr).toBe(0);
      const m = await spooledBySubject(gw.dataDir, subject);
      expectReceivedFor(m?.eml, ALICE.address);
      // curl dot-stuffed the lone dot line; the spool has it back as sent
      expect(m?.eml).toContain('\r\nsent by curl\r\n.\r\nstill the body\r\n');
    });
  }

  it('smtps:// (implicit TLS)', async () => {
    await writeMessage('curl smtps');
    const r = await curlSmtp({ url: `smtps://127.0.0.1:${gw.ports.smtps}`, user: ALICE.address, password: ALICE.password, file });
    expect(r.code, r.stderr).toBe(0);
    expectReceivedFor((await spooledBySubject(gw.dataDir, 'curl smtps'))?.eml, ALICE.address);
  });

  it('a wrong password and an unknown account: login denied (exit 67)', async () => {
    await writeMessage('curl refused');
    for (const user of [ALICE.address, UNKNOWN]) {
      const r = await curlSmtp({
        url: `smtp://127.0.0.1:${gw.ports.submission}`, user, password: WRONG_PASSWORD, loginOptions: 'AUTH=PLAIN', file, sslReqd: true,
      });
      expect(r.code).toBe(67);
    }
    expect(await spooledBySubject(gw.dataDir, 'curl refused')).toBeUndefined();
  });
});

describe('SCRAM (an independent client half in the harness)', () => {
  /** AUTH with client-first as the initial response; the server-final comes as a 334 to answer empty */
  async function scram(c: LineClient, client: ScramClient, mechanism: string): Promise<{ code: number; verified: boolean }> {
    const first = await smtpCommand(c, `AUTH ${mechanism} ${client.clientFirst().toString('base64')}`);
    if (first.code !== 334) return { code: first.code, verified: false };
    const final = await smtpCommand(c, client.clientFinal(Buffer.from(first.text, 'base64')).toString('base64'));
    if (final.code !== 334) return { code: final.code, verified: false };
    const verified = client.verifyServerFinal(Buffer.from(final.text, 'base64'));
    return { code: (await smtpCommand(c, '')).code, verified };
  }

  for (const hash of ['sha1', 'sha256'] as ScramHash[]) {
    it(`${scramMechanism(hash, false)} on the plain port, and a wrong password gets 535`, async () => {
      const c = await LineClient.connect(gw.ports.smtp);
      try {
        await smtpReply(c);
        await smtpCommand(c, 'EHLO scram.test');
        const bad = await scram(c, new ScramClient({ hash, user: ALICE.address, password: WRONG_PASSWORD }), scramMechanism(hash, false));
        expect(bad.code).toBe(535);
        const good = await scram(c, new ScramClient({ hash, user: ALICE.address, password: ALICE.password }), scramMechanism(hash, false));
        expect(good).toEqual({ code: 235, verified: true });
      } finally {
        c.close();
      }
    });
  }

  it('SCRAM-SHA-256-PLUS after STARTTLS, bound to the TLS connection', async () => {
    const c = await LineClient.connect(gw.ports.submission);
    try {
      await smtpReply(c);
      await smtpCommand(c, 'EHLO scram.test');
      expect((await smtpCommand(c, 'STARTTLS')).code).toBe(220);
      await c.startTls();
      const auth = ehloKeywords(await smtpCommand(c, 'EHLO scram.test')).find((k) => k.startsWith('AUTH '));
      expect(auth?.split(' ')).toContain('SCRAM-SHA-256-PLUS');
      const client = new ScramClient({ hash: 'sha256', user: ALICE.address, password: ALICE.password, binding: { type: 'tls-exporter', socket: c.tlsSocket } });
      expect(await scram(c, client, 'SCRAM-SHA-256-PLUS')).toEqual({ code: 235, verified: true });
    } finally {
      c.close();
    }
  });
});
