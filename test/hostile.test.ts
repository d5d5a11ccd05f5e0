/**
 * Hostile input on IMAP and POP3. The answer is a protocol error or a closed connection; the
 * process never dies, never hangs, and the next good login still works.
 */
import crypto from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Gateway, STANDARD_LISTENERS, type ListenerSpec } from './harness/gateway.js';
import { imapCommand, imapConnect, imapLogin, imapLoginWorks, nextTag } from './harness/imap.js';
import { ClosedError, LineClient } from './harness/line-client.js';
import { popCommand, popConnect, popLoginWorks, popUserPass } from './harness/pop.js';
import { ALICE, WRONG_PASSWORD, createAccount, stopCleanly } from './harness/fixtures.js';

const LISTENERS = {
  ...STANDARD_LISTENERS,
  imapIdle: { service: 'imap', tls: 'none', idleTimeoutPreLogin: 2 },
  popIdle: { service: 'pop', tls: 'none', idleTimeoutPreLogin: 2 },
} satisfies Record<string, ListenerSpec>;

let gw: Gateway<keyof typeof LISTENERS>;

beforeAll(async () => {
  gw = await Gateway.start({ listeners: LISTENERS });
  await createAccount(gw, ALICE.address, ALICE.password);
});

afterAll(async () => {
  await stopCleanly(gw, [ALICE.password, WRONG_PASSWORD]);
});

afterEach(async () => {
  // after every hostile exchange: alive, and good logins on both protocols
  gw.assertAlive();
  expect((await imapLoginWorks(gw.ports.imap, ALICE.address, ALICE.password)).ok).toBe(true);
  expect(await popLoginWorks(gw.ports.pop, ALICE.address, ALICE.password)).toMatch(/^\+OK/);
});

/**
 * Read the server's answer to something hostile: either lines until `done` matches, or a close.
 * A hang (neither within the time) fails.
 */
async function answerOrClose(c: LineClient, done: (l: string) => boolean, timeoutMs = 10_000): Promise<{ closed: boolean; lines: string[] }> {
  try {
    const lines = await c.readUntil(done, timeoutMs);
    return { closed: false, lines };
  } catch (e) {
    if (e instanceof ClosedError) return { closed: true, lines: c.history };
    throw e;
  }
}

const B64_GARBAGE = ['!!!not base64!!!', '====', 'A', 'YWxp\x00Y2U=', '*'.repeat(3)];

describe('IMAP', () => {
  it.each(B64_GARBAGE)('malformed base64 %j in AUTHENTICATE gets BAD or NO', async (garbage) => {
    const { c } = await imapConnect(gw.ports.imap);
    try {
      const tag = nextTag();
      c.send(`${tag} AUTHENTICATE PLAIN`);
      expect(await c.readLine()).toMatch(/^\+/);
      c.send(garbage);
      const r = await answerOrClose(c, (l) => l.startsWith(`${tag} `));
      if (!r.closed) expect(r.lines.at(-1)).toMatch(new RegExp(`^${tag} (BAD|NO)\\b`));
      if (!r.closed) expect((await imapLogin(c, ALICE.address, ALICE.password)).ok).toBe(true);
    } finally {
      c.close();
    }
  });

  it('malformed base64 as a SASL-IR initial response gets BAD or NO', async () => {
    const { c } = await imapConnect(gw.ports.imap);
    try {
      const r = await imapCommand(c, 'AUTHENTICATE PLAIN %%%%');
      expect(r.status).toMatch(/^(BAD|NO)\b/);
    } finally {
      c.close();
    }
  });

  it('a 100 KiB line gets an error or a close, never a hang', async () => {
    const { c } = await imapConnect(gw.ports.imap);
    try {
      c.sendRaw(`x1 LOGIN ${'A'.repeat(100 * 1024)} pw\r\n`);
      // the listener discards the rest of an over-long line and the connection stays usable
      const lines = await c.readUntil((l) => /^(\* BAD|\* BYE|x1 )/.test(l));
      expect(lines.at(-1)).toMatch(/^(\* BAD|x1 BAD)\b/);
      expect((await imapCommand(c, 'NOOP')).ok).toBe(true);
      expect((await imapLogin(c, ALICE.address, ALICE.password)).ok).toBe(true);
    } finally {
      c.close();
    }
  });

  it('a {999999999} literal is refused, not waited for', async () => {
    const { c } = await imapConnect(gw.ports.imap);
    try {
      c.send('x2 LOGIN {999999999}');
      const r = await answerOrClose(c, (l) => /^(\+|x2 |\* BYE)/.test(l));
      if (!r.closed) expect(r.lines.at(-1)).toMatch(/^(x2 (BAD|NO)|\* BYE)\b/);
    } finally {
      c.close();
    }
  });

  it('a {999999999+} non-synchronizing literal is refused or the connection closed', async () => {
    const { c } = await imapConnect(gw.ports.imap);
    try {
      c.send('x3 LOGIN {999999999+}');
      c.sendRaw('A'.repeat(4096));
      c.sendRaw('\r\nx4 NOOP\r\n');
      const r = await answerOrClose(c, (l) => /^(x3 |x4 |\* BYE)/.test(l), 15_000);
      if (!r.closed) expect(r.lines.at(-1)).toMatch(/^(x3 (BAD|NO)|\* BYE)\b/);
    } finally {
      c.close();
    }
  });

  it('NUL bytes in a command get BAD or NO', async () => {
    const { c } = await imapConnect(gw.ports.imap);
    try {
      c.sendRaw(`x5 LOGIN "ali\0ce@example.test" "${ALICE.password}"\r\n`);
      const r = await answerOrClose(c, (l) => /^(x5 |\* BYE)/.test(l));
      if (!r.closed) expect(r.lines.at(-1)).toMatch(/^(x5 (BAD|NO)|\* BYE)\b/);
    } finally {
      c.close();
    }
  });

  it('random binary garbage gets errors or a close', async () => {
    const { c } = await imapConnect(gw.ports.imap);
    try {
      c.sendRaw(crypto.randomBytes(64 * 1024));
      c.sendRaw('\r\nx6 NOOP\r\n');
      await answerOrClose(c, (l) => /^(x6 |\* BYE)/.test(l), 15_000);
    } finally {
      c.close();
    }
  });

  it('pipelined garbage: every line answered in order, or the connection closed', async () => {
    const { c } = await imapConnect(gw.ports.imap);
    try {
      const lines = Array.from({ length: 200 }, (_, i) => `g${i} ${i % 3 === 0 ? 'FROB' : i % 3 === 1 ? 'LOGIN' : 'SELECT "'}`);
      c.sendRaw(lines.join('\r\n') + '\r\ng200 NOOP\r\n');
      const r = await answerOrClose(c, (l) => /^(g200 |\* BYE)/.test(l), 20_000);
      if (!r.closed && r.lines.at(-1)!.startsWith('g200')) {
        expect(r.lines.at(-1)).toMatch(/^g200 OK/);
        expect(r.lines.filter((l) => /^g\d+ BAD/.test(l)).length).toBeGreaterThan(100);
      }
    } finally {
      c.close();
    }
  });

  it('an abrupt disconnect mid-AUTHENTICATE, many times over', async () => {
    for (let i = 0; i < 20; i++) {
      const { c } = await imapConnect(gw.ports.imap);
      c.send(`d${i} AUTHENTICATE ${['CRAM-MD5', 'PLAIN', 'SCRAM-SHA-256', 'DIGEST-MD5'][i % 4]}`);
      await c.readLine();
      if (i % 2) c.sendRaw('bi'); // half a response, then gone
      c.close();
    }
  });

  it('a slow client sending one byte at a time still logs in', async () => {
    const { c } = await imapConnect(gw.ports.imap);
    try {
      const cmd = `s1 LOGIN "${ALICE.address}" "${ALICE.password}"\r\n`;
      for (const ch of cmd) {
        c.sendRaw(ch);
        await new Promise((r) => setTimeout(r, 15));
      }
      const r = await c.readUntil((l) => l.startsWith('s1 '));
      expect(r.at(-1)).toMatch(/^s1 OK/);
    } finally {
      c.close();
    }
  });

  it('a silent client is closed after the pre-login idle timeout', async () => {
    const { c } = await imapConnect(gw.ports.imapIdle);
    try {
      expect(await c.waitClosed(15_000)).toBe(true);
    } finally {
      c.close();
    }
  });

  it('many hostile connections at once', async () => {
    const conns = await Promise.all(Array.from({ length: 30 }, () => LineClient.connect(gw.ports.imap)));
    for (const c of conns) c.sendRaw(crypto.randomBytes(2048));
    await new Promise((r) => setTimeout(r, 500));
    for (const c of conns) c.close();
  });
});

describe('POP3', () => {
  it.each(B64_GARBAGE)('malformed base64 %j in AUTH gets -ERR', async (garbage) => {
    const { c } = await popConnect(gw.ports.pop);
    try {
      c.send('AUTH PLAIN');
      expect(await c.readLine()).toMatch(/^\+/);
      c.send(garbage);
      const r = await answerOrClose(c, (l) => /^(\+OK|-ERR)/.test(l));
      if (!r.closed) {
        expect(r.lines.at(-1)).toMatch(/^-ERR/);
        expect((await popUserPass(c, ALICE.address, ALICE.password)).pass).toMatch(/^\+OK/);
      }
    } finally {
      c.close();
    }
  });

  it('malformed base64 as an initial response gets -ERR', async () => {
    const { c } = await popConnect(gw.ports.pop);
    try {
      expect(await popCommand(c, 'AUTH PLAIN %%%%')).toMatch(/^-ERR/);
    } finally {
      c.close();
    }
  });

  it('a 100 KiB line gets -ERR or a close', async () => {
    const { c } = await popConnect(gw.ports.pop);
    try {
      c.sendRaw(`USER ${'A'.repeat(100 * 1024)}\r\n`);
      // the rest of the over-long line is discarded and the connection stays usable
      expect(await c.readLine()).toMatch(/^-ERR/);
      expect((await popUserPass(c, ALICE.address, ALICE.password)).pass).toMatch(/^\+OK/);
    } finally {
      c.close();
    }
  });

  it('a 100 KiB SASL response gets -ERR or a close', async () => {
    const { c } = await popConnect(gw.ports.pop);
    try {
      c.send('AUTH PLAIN');
      await c.readLine();
      c.send(Buffer.alloc(75 * 1024, 'x').toString('base64'));
      const r = await answerOrClose(c, (l) => /^(\+OK|-ERR)/.test(l));
      if (!r.closed) expect(r.lines.at(-1)).toMatch(/^-ERR/);
    } finally {
      c.close();
    }
  });

  it('NUL bytes in USER and PASS get -ERR', async () => {
    const { c } = await popConnect(gw.ports.pop);
    try {
      c.sendRaw('USER ali\0ce@example.test\r\n');
      const u = await answerOrClose(c, (l) => /^(\+OK|-ERR)/.test(l));
      if (!u.closed && u.lines.at(-1)!.startsWith('+OK')) {
        c.sendRaw(`PASS ${ALICE.password}\0\r\n`);
        const p = await answerOrClose(c, (l) => /^(\+OK|-ERR)/.test(l));
        if (!p.closed) expect(p.lines.at(-1)).toMatch(/^-ERR/);
      }
    } finally {
      c.close();
    }
  });

  it('random binary garbage gets errors or a close', async () => {
    const { c } = await popConnect(gw.ports.pop);
    try {
      c.sendRaw(crypto.randomBytes(64 * 1024));
      c.sendRaw('\r\nNOOP\r\n');
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      c.close();
    }
  });

  it('pipelined garbage is answered line by line or closed', async () => {
    const { c } = await popConnect(gw.ports.pop);
    try {
      c.sendRaw(Array.from({ length: 200 }, (_, i) => `FROB${i} x`).join('\r\n') + '\r\nCAPA\r\n');
      const r = await answerOrClose(c, (l) => l === '.', 20_000);
      if (!r.closed) expect(r.lines.filter((l) => l.startsWith('-ERR')).length).toBeGreaterThanOrEqual(200);
    } finally {
      c.close();
    }
  });

  it('an abrupt disconnect mid-AUTH, many times over', async () => {
    for (let i = 0; i < 20; i++) {
      const { c } = await popConnect(gw.ports.pop);
      c.send(`AUTH ${['CRAM-MD5', 'PLAIN', 'LOGIN', 'DIGEST-MD5'][i % 4]}`);
      await c.readLine();
      if (i % 2) c.sendRaw('dG');
      c.close();
    }
  });

  it('a slow client sending one byte at a time still logs in', async () => {
    const { c } = await popConnect(gw.ports.pop);
    try {
      for (const ch of `USER ${ALICE.address}\r\nPASS ${ALICE.password}\r\n`) {
        c.sendRaw(ch);
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(await c.readLine()).toMatch(/^\+OK/);
      expect(await c.readLine()).toMatch(/^\+OK/);
    } finally {
      c.close();
    }
  });

  it('a silent client is closed after the pre-login idle timeout', async () => {
    const { c } = await popConnect(gw.ports.popIdle);
    try {
      expect(await c.waitClosed(15_000)).toBe(true);
    } finally {
      c.close();
    }
  });

  it('a password after a failed USER on an unknown name does not log anyone in', async () => {
    const { c } = await popConnect(gw.ports.pop);
    try {
      await popCommand(c, 'USER nobody-at-all');
      expect(await popCommand(c, `PASS ${ALICE.password}`)).toMatch(/^-ERR/);
      expect(await popCommand(c, 'STAT')).toMatch(/^-ERR/);
    } finally {
      c.close();
    }
  });
});

describe('TLS', () => {
  it('a plaintext client on an implicit-TLS port is closed, and a TLS handshake cut short too', async () => {
    const c = await LineClient.connect(gw.ports.imaps);
    c.send('a LOGIN x y');
    expect(await c.waitClosed(15_000)).toBe(true);
    const d = await LineClient.connect(gw.ports.pops);
    d.sendRaw(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]));
    d.close();
  });

  it('commands pipelined after STARTTLS are not run inside TLS', async () => {
    const { c } = await imapConnect(gw.ports.imapStarttls);
    try {
      c.sendRaw(`tls1 STARTTLS\r\ninject2 LOGIN "${ALICE.address}" "${ALICE.password}"\r\n`);
      const r = await c.readUntil((l) => l.startsWith('tls1 '));
      expect(r.at(-1)).toMatch(/^tls1 OK/);
      await c.startTls();
      // the injected command must have been dropped: we are not logged in
      const s = await imapCommand(c, 'SELECT INBOX');
      expect(s.ok).toBe(false);
      expect(c.history.filter((l) => l.startsWith('inject2 '))).toEqual([]);
    } finally {
      c.close();
    }
  });

  it('POP3 commands pipelined after STLS are not run inside TLS', async () => {
    const { c } = await popConnect(gw.ports.popStarttls);
    try {
      c.sendRaw(`STLS\r\nUSER ${ALICE.address}\r\n`);
      expect(await c.readLine()).toMatch(/^\+OK/);
      await c.startTls();
      // had the injected USER run, this PASS would log in
      expect(await popCommand(c, `PASS ${ALICE.password}`)).toMatch(/^-ERR/);
    } finally {
      c.close();
    }
  });

  it('STARTTLS is refused where TLS is already active', async () => {
    const { c } = await imapConnect(gw.ports.imaps, { tls: true });
    try {
      expect((await imapCommand(c, 'STARTTLS')).status).toMatch(/^(BAD|NO)\b/);
      expect((await imapLogin(c, ALICE.address, ALICE.password)).ok).toBe(true);
    } finally {
      c.close();
    }
    const { c: p } = await popConnect(gw.ports.pops, { tls: true });
    try {
      expect(await popCommand(p, 'STLS')).toMatch(/^-ERR/);
    } finally {
      p.close();
    }
  });
});
