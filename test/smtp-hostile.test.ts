/**
 * Hostile input on the SMTP listeners of the built gateway: garbage, NUL bytes, over-long lines,
 * broken AUTH exchanges, pipelined garbage, a huge DATA, disconnects mid-DATA. Each gets a
 * protocol error or a closed connection; the process lives on and a good submission still works.
 */
import fs from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway } from './harness/gateway.js';
import { ALICE, createAccount, stopCleanly } from './harness/fixtures.js';
import { LineClient } from './harness/line-client.js';
import { plainResponse, readSpool, smtpCommand, smtpReply, spoolTmpFiles, spooledBySubject, swaks } from './harness/smtp.js';

const LISTENERS = {
  smtp: { service: 'smtp', tls: 'none' },
  submission: { service: 'smtp', tls: 'starttls' },
} as const;
const LIMIT = 100_000;

let gw: Gateway<keyof typeof LISTENERS>;

beforeAll(async () => {
  gw = await Gateway.start({ listeners: LISTENERS, config: { smtp: { maxMessageSize: LIMIT } } });
  await createAccount(gw, ALICE.address, ALICE.password);
});

afterAll(async () => {
  await stopCleanly(gw, [ALICE.password]);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function loggedIn(): Promise<LineClient> {
  const c = await LineClient.connect(gw.ports.smtp);
  await smtpReply(c);
  expect((await smtpCommand(c, 'EHLO hostile.test')).code).toBe(250);
  expect((await smtpCommand(c, `AUTH PLAIN ${plainResponse(ALICE.address, ALICE.password)}`)).code).toBe(235);
  return c;
}

async function rssKiB(pid: number): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

async function goodSubmissionWorks(subject: string): Promise<void> {
  gw.assertAlive();
  const r = await swaks({ port: gw.ports.submission, mechanism: 'PLAIN', user: ALICE.address, password: ALICE.password, tls: '-tls', subject });
  expect(r.code, r.stdout + r.stderr).toBe(0);
  expect(await spooledBySubject(gw.dataDir, subject)).toBeDefined();
}

describe('hostile input', () => {
  it('random bytes on many connections, then a good submission', async () => {
    for (let i = 0; i < 30; i++) {
      const c = await LineClient.connect(i % 2 ? gw.ports.smtp : gw.ports.submission);
      c.sendRaw(randomBytes(4096));
      await sleep(5);
      c.close();
    }
    await goodSubmissionWorks('after random bytes');
  });

  it('NUL bytes and over-long lines are 500s and the session goes on', async () => {
    const c = await LineClient.connect(gw.ports.smtp);
    try {
      await smtpReply(c);
      c.sendRaw(Buffer.from('EHLO a\0b\r\n'));
      expect((await smtpReply(c)).code).toBe(500);
      c.send(`MAIL FROM:<${'a'.repeat(50_000)}@example.test>`);
      const long = await smtpReply(c);
      expect(long.code).toBe(500);
      expect(long.text).toMatch(/^5\.5\.2 /);
      expect((await smtpCommand(c, 'NOOP')).code).toBe(250);
    } finally {
      c.close();
    }
  });

  it('broken AUTH exchanges: bad base64, an over-long answer, `*`', async () => {
    const c = await LineClient.connect(gw.ports.smtp);
    try {
      await smtpReply(c);
      await smtpCommand(c, 'EHLO x.test');
      expect((await smtpCommand(c, 'AUTH PLAIN !!!')).code).toBe(501);
      expect((await smtpCommand(c, 'AUTH LOGIN')).code).toBe(334);
      expect((await smtpCommand(c, '%%%not base64%%%')).code).toBe(501);
      expect((await smtpCommand(c, 'AUTH LOGIN')).code).toBe(334);
      c.send('A'.repeat(70_000));
      expect((await smtpReply(c)).code).toBe(500);
      expect((await smtpCommand(c, 'AUTH CRAM-MD5')).code).toBe(334);
      expect((await smtpCommand(c, '*')).code).toBe(501);
      expect((await smtpCommand(c, `AUTH PLAIN ${plainResponse(ALICE.address, ALICE.password)}`)).code).toBe(235);
    } finally {
      c.close();
    }
  });

  it('pipelined garbage ends in 421 after too many errors, and the connection closes', async () => {
    const c = await LineClient.connect(gw.ports.smtp);
    try {
      await smtpReply(c);
      c.sendRaw(Array.from({ length: 40 }, (_, i) => `XYZZY ${i}\r\n`).join(''));
      const lines = await c.readUntil((l) => l.startsWith('421'));
      expect(lines.filter((l) => l.startsWith('500'))).toHaveLength(10);
      expect(await c.waitClosed(5000)).toBe(true);
    } finally {
      c.close();
    }
  });

  it('a huge DATA gets 552 5.3.4 after it is read, without the server keeping it', async () => {
    const pid = gw.pid!;
    const before = await rssKiB(pid);
    const c = await loggedIn();
    try {
      expect((await smtpCommand(c, 'MAIL FROM:<alice@example.test>')).code).toBe(250);
      expect((await smtpCommand(c, 'RCPT TO:<bob@example.test>')).code).toBe(250);
      expect((await smtpCommand(c, 'DATA')).code).toBe(354);
      const block = Buffer.from(`${'z'.repeat(1000)}\r\n`.repeat(1024)); // ~1 MiB
      for (let i = 0; i < 64; i++) {
        if (!c.socket.write(block)) await new Promise((r) => c.socket.once('drain', r));
      }
      c.sendRaw('.\r\n');
      const r = await smtpReply(c, 60_000);
      expect(r.code).toBe(552);
      expect(r.text).toMatch(/^5\.3\.4 /);
      expect((await smtpCommand(c, 'NOOP')).code).toBe(250);
    } finally {
      c.close();
    }
    const after = await rssKiB(pid);
    // 64 MiB went through; keeping it would show as at least that much more memory
    expect(after - before).toBeLessThan(48 * 1024);
    expect(await spoolTmpFiles(gw.dataDir)).toEqual([]);
  });

  it('disconnects mid-DATA and mid-AUTH leave nothing behind', async () => {
    const spooled = (await readSpool(gw.dataDir)).length;
    for (let i = 0; i < 5; i++) {
      const c = await loggedIn();
      await smtpCommand(c, 'MAIL FROM:<alice@example.test>');
      await smtpCommand(c, 'RCPT TO:<bob@example.test>');
      await smtpCommand(c, 'DATA');
      c.sendRaw(`Subject: cut ${i}\r\n\r\n${'partial '.repeat(5000)}`);
      await sleep(20);
      c.close();
    }
    const a = await LineClient.connect(gw.ports.smtp);
    await smtpReply(a);
    await smtpCommand(a, 'EHLO x.test');
    a.send('AUTH LOGIN');
    await sleep(20);
    a.close();
    await sleep(300);
    expect(await spoolTmpFiles(gw.dataDir)).toEqual([]);
    expect((await readSpool(gw.dataDir)).length).toBe(spooled);
    await goodSubmissionWorks('after disconnects');
  });

  it('bare LF line ends are refused (no smuggling), then a good submission works', async () => {
    const c = await loggedIn();
    try {
      await smtpCommand(c, 'MAIL FROM:<alice@example.test>');
      await smtpCommand(c, 'RCPT TO:<bob@example.test>');
      await smtpCommand(c, 'DATA');
      c.sendRaw('Subject: smuggle\r\n\r\nx\n.\nMAIL FROM:<mallory@example.test>\r\n.\r\n');
      expect((await smtpReply(c)).code).toBe(554);
    } finally {
      c.close();
    }
    expect(await spooledBySubject(gw.dataDir, 'smuggle')).toBeUndefined();
    await goodSubmissionWorks('after smuggling attempt');
  });
});
