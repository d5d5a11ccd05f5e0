/**
 * `portcullis serve` as the operator runs it: a child process from the built bin, on ports the
 * system picks (port 0), stopped with SIGTERM.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { connect } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'portcullis.js');

let dir: string;
let cleanup: () => Promise<void>;
const children: ChildProcessWithoutNullStreams[] = [];

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  await cleanup();
});

interface Started {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function start(...args: string[]): Started {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: dir });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function ready(s: Started, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!s.stdout().includes('portcullis ready\n')) {
    if (s.child.exitCode !== null) throw new Error(`exited ${s.child.exitCode}: ${s.stderr()}`);
    if (Date.now() > deadline) throw new Error(`not ready: ${s.stdout()} ${s.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One IMAP LOGIN over plain TCP; resolves with the tagged reply line. */
function imapLogin(port: number, user: string, password: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let buf = '';
    let sent = false;
    sock.setTimeout(10_000, () => sock.destroy(new Error('timeout')));
    sock.on('error', reject);
    sock.on('data', (d) => {
      buf += d.toString();
      if (!sent && buf.includes('\r\n')) {
        sent = true;
        sock.write(`a1 LOGIN ${user} "${password}"\r\n`);
      }
      const m = /^a1 .*$/m.exec(buf);
      if (m) {
        sock.end('a2 LOGOUT\r\n');
        resolve(m[0].trim());
      }
    });
  });
}

/** NUL bytes, an over-long line and a half-sent literal, then a hang-up. */
function garbage(port: number): Promise<void> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1', () => {
      sock.write(Buffer.concat([Buffer.from([0, 0xff, 0x0d, 0x0a]), Buffer.alloc(70_000, 0x41), Buffer.from('\r\nx LOGIN {99999}\r\nab')]));
      setTimeout(() => sock.destroy(), 100);
    });
    sock.on('error', () => undefined);
    sock.on('close', () => resolve());
  });
}

const CONFIG = `mainDomain: gw.test
logLevel: info
listeners:
  - { service: imap, port: 0, tls: none }
  - { service: imap, port: 0, tls: starttls }
  - { service: pop, port: 0, tls: implicit }
`;

describe('portcullis serve', () => {
  it('prints the postmaster password once, the listener table and "portcullis ready"; exits 0 on SIGTERM', async () => {
    await writeFile(join(dir, 'gw.yaml'), CONFIG);
    const s = start('serve', '--config', 'gw.yaml');
    await ready(s);

    const out = s.stdout();
    const pw = /^postmaster@gw\.test password: (\S+)$/m.exec(out)?.[1];
    expect(pw).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(out.split(pw!).length - 1).toBe(1);
    const rows = [...out.matchAll(/^(imap|pop)\s+127\.0\.0\.1\s+(\d+)\s+(none|starttls|implicit)$/gm)].map((m) => ({
      service: m[1],
      port: Number(m[2]),
      tls: m[3],
    }));
    expect(rows.map((r) => `${r.service}/${r.tls}`)).toEqual(['imap/none', 'imap/starttls', 'pop/implicit']);
    for (const r of rows) expect(r.port).toBeGreaterThan(0);
    expect(out.indexOf('SERVICE')).toBeLessThan(out.indexOf('portcullis ready'));

    // the printed password opens the account; a wrong one does not
    expect(await imapLogin(rows[0]!.port, 'postmaster', pw!)).toMatch(/^a1 OK/);
    expect(await imapLogin(rows[0]!.port, 'postmaster@gw.test', 'wrong')).toMatch(/^a1 NO/);

    // an account made by the CLI meanwhile logs in without a restart
    expect((await cli(dir, 'account', 'create', 'newbie', '--password', 'Fresh-Pw1', '--config', 'gw.yaml')).code).toBe(0);
    expect(await imapLogin(rows[0]!.port, 'newbie', 'Fresh-Pw1')).toMatch(/^a1 OK/);

    // hostile input and abrupt disconnects do not end the process
    for (const r of rows) await garbage(r.port);
    expect(s.child.exitCode).toBeNull();
    expect(await imapLogin(rows[0]!.port, 'postmaster', pw!)).toMatch(/^a1 OK/);

    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    // logs are JSON on stderr, and never carry the password
    expect(s.stderr()).not.toContain(pw!);
    const lines = s.stderr().trim().split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();

    // a second start finds postmaster and prints no password
    const again = start('serve', '--config', 'gw.yaml');
    await ready(again);
    expect(again.stdout()).not.toContain('password');
    again.child.kill('SIGINT');
    expect(await again.exited).toBe(0);
  }, 60_000);

  it('serves an smtp listener, and refuses a bad smtp: section naming the key', async () => {
    // smtp was the example of a service not implemented yet; every service is implemented now
    await writeFile(join(dir, 'gw.yaml'), `${CONFIG}  - { service: smtp, port: 0, tls: starttls }\nsmtp: { maxMessageSize: 1000000 }\n`);
    const s = start('serve', '--config', 'gw.yaml');
    await ready(s);
    expect(s.stdout()).toMatch(/smtp/);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    await writeFile(join(dir, 'bad.yaml'), `${CONFIG}smtp: { maxMessageSize: -1, relay: yes }\n`);
    const bad = start('serve', '--config', 'bad.yaml');
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toMatch(/smtp\.maxMessageSize/);
    expect(bad.stderr()).toMatch(/smtp\.relay: unknown key/);
    expect(bad.stdout()).not.toContain('portcullis ready');
  }, 30_000);

  it('refuses a bad config naming the key and file', async () => {
    await writeFile(join(dir, 'gw.yaml'), 'listeners:\n  - { service: imap, port: -1 }\n');
    const s = start('serve', '--config', 'gw.yaml');
    expect(await s.exited).toBe(2);
    expect(s.stderr()).toContain(`config ${join(dir, 'gw.yaml')}: listeners[0].port`);
  }, 30_000);
});
