/** The FTP session behind the real listener over the real auth-core. */
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { LineClient } from './support/line-client.js';
import { DOMAIN, startFtpServer, type TestServer } from './support/server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(opts: Parameters<typeof startFtpServer>[0] = {}): Promise<TestServer> {
  server = await startFtpServer({
    ...opts,
    setup: (d) => d.accounts.set(`${DOMAIN}/alice`, { name: 'alice', domain: DOMAIN, settings: { password: '{clear}pw "with" spaces' } }),
  });
  return server;
}

async function login(s: TestServer): Promise<LineClient> {
  const c = await LineClient.connect(s.port);
  expect((await c.reply()).code).toBe(220);
  expect((await c.reply('USER alice')).code).toBe(331);
  expect((await c.reply('PASS pw "with" spaces')).code).toBe(230);
  return c;
}

async function passive(c: LineClient, secure = false): Promise<net.Socket> {
  const r = await c.reply('EPSV');
  const port = Number(/\|\|\|(\d+)\|/.exec(r.text)![1]);
  const raw = net.connect({ host: '127.0.0.1', port });
  await new Promise((resolve) => raw.once('connect', resolve));
  return secure ? tls.connect({ socket: raw, rejectUnauthorized: false }) : raw;
}

function collect(s: net.Socket): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => (out += d));
    s.on('error', () => undefined);
    s.on('close', () => resolve(out));
  });
}

async function retr(c: LineClient, command: string, secure = false): Promise<{ body: string; code: number }> {
  const data = await passive(c, secure);
  const body = collect(data);
  expect((await c.reply(command)).code).toBe(150);
  return { body: await body, code: (await c.reply()).code };
}

async function stor(c: LineClient, command: string, content: string, secure = false): Promise<number> {
  const data = await passive(c, secure);
  expect((await c.reply(command)).code).toBe(150);
  await new Promise<void>((resolve) => data.end(content, () => resolve()));
  return (await c.reply()).code;
}

describe('FTP session', () => {
  it('answers FEAT, SYST, TYPE, MODE, STRU, OPTS and refuses active mode', async () => {
    const s = await start({ tls: 'starttls' });
    const c = await LineClient.connect(s.port);
    await c.reply();
    const feat = await c.reply('FEAT');
    expect(feat.code).toBe(211);
    expect(feat.lines.map((l) => l.trim())).toEqual(expect.arrayContaining(['AUTH TLS', 'PBSZ', 'PROT', 'EPSV', 'UTF8', 'REST STREAM', 'SIZE', 'MDTM']));
    expect((await c.reply('SYST')).text).toBe('215 UNIX Type: L8');
    expect((await c.reply('PBSZ 0')).code).toBe(503);
    expect((await c.reply('PROT P')).code).toBe(503);
    await login2(c);
    expect((await c.reply('TYPE I')).code).toBe(200);
    expect((await c.reply('TYPE A')).code).toBe(200);
    expect((await c.reply('TYPE E')).code).toBe(504);
    expect((await c.reply('MODE S')).code).toBe(200);
    expect((await c.reply('MODE B')).code).toBe(504);
    expect((await c.reply('STRU F')).code).toBe(200);
    expect((await c.reply('OPTS UTF8 ON')).code).toBe(200);
    expect((await c.reply('PORT 127,0,0,1,4,1')).code).toBe(502);
    expect((await c.reply('EPRT |1|127.0.0.1|1025|')).code).toBe(502);
    expect((await c.reply('EPSV 3')).code).toBe(522);
    expect((await c.reply('QUIT')).code).toBe(221);
    expect(await c.closedByServer()).toBe(true);
  });

  async function login2(c: LineClient): Promise<void> {
    expect((await c.reply('USER alice')).code).toBe(331);
    expect((await c.reply('PASS pw "with" spaces')).code).toBe(230);
  }

  it('stores files under <filesRoot>/<domain>/<account>/, with REST, APPE, SIZE, MDTM, MLST, rename', async () => {
    const s = await start();
    const c = await login(s);
    expect(await stor(c, 'STOR a file.txt', '0123456789')).toBe(226);
    expect(await fs.readFile(path.join(s.filesRoot, DOMAIN, 'alice', 'a file.txt'), 'utf8')).toBe('0123456789');
    expect((await c.reply('SIZE a file.txt')).text).toBe('213 10');
    expect((await c.reply('MDTM a file.txt')).text).toMatch(/^213 \d{14}$/);
    expect((await c.reply('REST 4')).code).toBe(350);
    expect(await retr(c, 'RETR a file.txt')).toEqual({ body: '456789', code: 226 });
    expect(await stor(c, 'APPE a file.txt', 'AB')).toBe(226);
    expect((await retr(c, 'RETR a file.txt')).body).toBe('0123456789AB');
    expect((await c.reply('REST 2')).code).toBe(350);
    expect(await stor(c, 'STOR a file.txt', 'xy')).toBe(226);
    expect((await retr(c, 'RETR a file.txt')).body).toBe('01xy456789AB');
    const mlst = await c.reply('MLST a file.txt');
    expect(mlst.code).toBe(250);
    expect(mlst.lines[1]).toMatch(/^ type=file;size=12;modify=\d{14};perm=radfw; \/a file\.txt$/);
    expect((await c.reply('RNFR a file.txt')).code).toBe(350);
    expect((await c.reply('RNTO b.txt')).code).toBe(250);
    expect((await c.reply('RNTO c.txt')).code).toBe(503);
    expect((await c.reply('MKD "quoted" dir')).text).toBe('257 "/""quoted"" dir" created');
    expect((await c.reply('CWD "quoted" dir')).code).toBe(250);
    expect((await c.reply('PWD')).text).toBe('257 "/""quoted"" dir" is the current directory');
    expect((await c.reply('CDUP')).code).toBe(250);
    expect((await retr(c, 'MLSD')).body.split('\r\n').filter(Boolean).map((l) => l.split('; ')[1])).toEqual(['.', '"quoted" dir', 'b.txt']);
    expect((await c.reply('RETR missing')).code).toBe(425);
    await passive(c);
    expect((await c.reply('RETR missing')).code).toBe(550);
    c.close();
  });

  it('AUTH TLS, PBSZ 0, PROT P: data connections over TLS; PROT C back to clear', async () => {
    const s = await start({ tls: 'starttls' });
    const c = await LineClient.connect(s.port);
    await c.reply();
    expect((await c.reply('AUTH TLS')).code).toBe(234);
    await c.startTls();
    await login2(c);
    expect((await c.reply('PBSZ 0')).text).toBe('200 PBSZ=0');
    expect((await c.reply('PROT S')).code).toBe(536);
    expect((await c.reply('PROT P')).code).toBe(200);
    expect(await stor(c, 'STOR secret.txt', 'over tls', true)).toBe(226);
    expect(await retr(c, 'RETR secret.txt', true)).toEqual({ body: 'over tls', code: 226 });
    expect((await c.reply('PROT C')).code).toBe(200);
    expect(await retr(c, 'RETR secret.txt')).toEqual({ body: 'over tls', code: 226 });
    expect((await c.reply('AUTH TLS')).code).toBe(503);
    c.close();
  });

  it('a PROT P client that never starts TLS on the data connection gets 425, and the session goes on', async () => {
    const s = await start({ tls: 'implicit', options: { dataTimeoutMs: 300 } });
    const c = await LineClient.connect(s.port, true);
    await c.reply();
    await login2(c);
    expect((await c.reply('PROT P')).code).toBe(200);
    const data = await passive(c);
    data.on('error', () => undefined);
    expect((await c.reply('LIST')).code).toBe(150);
    expect((await c.reply()).code).toBe(425);
    expect((await c.reply('NOOP')).code).toBe(200);
    c.close();
  });

  it('closes an idle connection with 421', async () => {
    const s = await start({ idleSeconds: 0.3 });
    const c = await LineClient.connect(s.port);
    await c.reply();
    expect((await c.reply()).text).toMatch(/^421 Timeout/);
    expect(await c.closedByServer()).toBe(true);
  });

  it('never logs the password', async () => {
    const s = await start();
    const c = await login(s);
    c.close();
    const wrong = await LineClient.connect(s.port);
    await wrong.reply();
    await wrong.reply('USER alice');
    expect((await wrong.reply('PASS not-the-password')).code).toBe(530);
    wrong.close();
    await new Promise((r) => setTimeout(r, 50));
    const logs = s.logs.join('');
    expect(logs).toContain('ftp login');
    expect(logs).not.toContain('with" spaces');
    expect(logs).not.toContain('not-the-password');
  });
});
