/**
 * FTP confinement, passive mode behind a load balancer, the foundation's login policies, and
 * hostile input, driven by a raw control connection on the built gateway.
 */
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway, MAIN_DOMAIN } from './harness/gateway.js';
import { ftpCommand, ftpConnect, ftpLogin, ftpLoginWorks, ftpPassive, ftpReply, readAll } from './harness/ftp.js';
import { proxyV1 } from './harness/proxy-header.js';
import { ALICE, UNKNOWN, WRONG_PASSWORD, createAccount, stopCleanly } from './harness/fixtures.js';
import type { LineClient } from './harness/line-client.js';

const LISTENERS = {
  ftp: { service: 'ftp', tls: 'starttls' },
  ftps: { service: 'ftp', tls: 'implicit' },
  ftpProxy: { service: 'ftp', tls: 'none', proxyProtocol: true },
} as const;

const SECURE = { address: 'secure@example.test', password: 'Secure-Ftp-1' };
const LOCKED = { address: 'locked@example.test', password: 'Locked-Ftp-1' };
const MAX_UPLOAD = 64 * 1024;
const PORT_MIN = 40_000 + Math.floor(Math.random() * 20_000);
const PORT_MAX = PORT_MIN + 30;

let gw: Gateway<keyof typeof LISTENERS>;

beforeAll(async () => {
  gw = await Gateway.start({
    listeners: LISTENERS,
    config: { ftp: { passiveAddress: '192.0.2.10', passivePorts: { min: PORT_MIN, max: PORT_MAX }, maxUploadBytes: MAX_UPLOAD } },
  });
  await createAccount(gw, ALICE.address, ALICE.password);
  await createAccount(gw, SECURE.address, SECURE.password, 'secureMethodRequired=true');
  await createAccount(gw, LOCKED.address, LOCKED.password, 'failedLoginLimit=2', 'failedLoginPeriod=60');
});

afterAll(async () => {
  await stopCleanly(gw, [ALICE.password, WRONG_PASSWORD, SECURE.password, LOCKED.password]);
});

const aliceRoot = (): string => path.join(gw.dataDir, 'files', MAIN_DOMAIN, 'alice');

async function loggedIn(port = gw.ports.ftp): Promise<LineClient> {
  const { c } = await ftpConnect(port);
  const r = await ftpLogin(c, ALICE.address, ALICE.password);
  expect(r.code, r.text).toBe(230);
  return c;
}

async function listing(c: LineClient, command: string): Promise<{ reply: number; body: string }> {
  const data = await ftpPassive(c);
  const body = readAll(data);
  const first = await ftpCommand(c, command);
  if (first.code !== 150) {
    data.destroy();
    return { reply: first.code, body: '' };
  }
  const text = (await body).toString('utf8');
  return { reply: (await ftpReply(c)).code, body: text };
}

describe('confinement to the account storage', () => {
  beforeAll(async () => {
    const c = await loggedIn();
    c.close();
    await fs.writeFile(path.join(aliceRoot(), 'mine.txt'), 'mine');
    await fs.writeFile(path.join(gw.dir, 'outside.txt'), 'outside secret');
    await fs.symlink(gw.dir, path.join(aliceRoot(), 'escape-dir'));
    await fs.symlink(path.join(gw.dir, 'outside.txt'), path.join(aliceRoot(), 'escape-file'));
    await fs.symlink(path.join(gw.dir, 'not-there.txt'), path.join(aliceRoot(), 'dangling'));
  });

  it('.. never climbs above /', async () => {
    const c = await loggedIn();
    try {
      expect((await ftpCommand(c, 'CWD ../../../..')).code).toBe(250);
      expect((await ftpCommand(c, 'PWD')).text).toBe('257 "/" is the current directory');
      const l = await listing(c, 'NLST');
      expect(l.body.split('\r\n')).toContain('mine.txt');
      expect((await ftpCommand(c, 'SIZE ../../../outside.txt')).code).toBe(550);
      expect((await ftpCommand(c, 'SIZE /../../../../outside.txt')).code).toBe(550);
      expect((await ftpCommand(c, 'SIZE ..\\..\\..\\outside.txt')).code).toBe(550);
      expect((await ftpCommand(c, 'MKD ../../made-here')).code).toBe(257);
      await expect(fs.stat(path.join(aliceRoot(), 'made-here'))).resolves.toBeTruthy();
      await expect(fs.stat(path.join(aliceRoot(), '..', '..', 'made-here'))).rejects.toThrow();
    } finally {
      c.close();
    }
  });

  it('symbolic links out of the root are refused and not listed', async () => {
    const c = await loggedIn();
    try {
      expect((await ftpCommand(c, 'CWD escape-dir')).code).toBe(550);
      expect((await ftpCommand(c, 'SIZE escape-file')).code).toBe(550);
      expect((await ftpCommand(c, 'SIZE escape-dir/outside.txt')).code).toBe(550);
      expect((await ftpCommand(c, 'EPSV')).code).toBe(229);
      expect((await ftpCommand(c, 'RETR escape-file')).code).toBe(550);
      expect((await ftpCommand(c, 'DELE escape-file')).code).toBe(550);
      expect((await ftpCommand(c, 'RNFR mine.txt')).code).toBe(350);
      expect((await ftpCommand(c, 'RNTO escape-dir/stolen.txt')).code).toBe(550);
      const l = await listing(c, 'LIST');
      expect(l.reply).toBe(226);
      expect(l.body).toContain('mine.txt');
      expect(l.body).not.toContain('escape');
      expect(l.body).not.toContain('dangling');
      // writing through a dangling link would create a file outside
      const data = await ftpPassive(c);
      const stor = await ftpCommand(c, 'STOR dangling');
      data.destroy();
      expect(stor.code).toBe(550);
      await expect(fs.stat(path.join(gw.dir, 'not-there.txt'))).rejects.toThrow();
      expect(await fs.readFile(path.join(gw.dir, 'outside.txt'), 'utf8')).toBe('outside secret');
    } finally {
      c.close();
    }
  });

  it('commands other than login ones need a login first', async () => {
    const { c } = await ftpConnect(gw.ports.ftp);
    try {
      expect((await ftpCommand(c, 'LIST')).code).toBe(530);
      expect((await ftpCommand(c, 'RETR mine.txt')).code).toBe(530);
      expect((await ftpCommand(c, 'PORT 127,0,0,1,4,1')).code).toBe(502);
    } finally {
      c.close();
    }
  });
});

describe('passive mode behind a load balancer', () => {
  it('PASV names the advertised address and a port of the range; the data connection may come from anywhere', async () => {
    const c = await loggedIn();
    try {
      const r = await ftpCommand(c, 'PASV');
      const m = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(r.text);
      expect(r.code).toBe(227);
      expect(m!.slice(1, 5).join('.')).toBe('192.0.2.10');
      const port = Number(m![5]) * 256 + Number(m![6]);
      expect(port).toBeGreaterThanOrEqual(PORT_MIN);
      expect(port).toBeLessThanOrEqual(PORT_MAX);
      const data = net.connect({ host: '127.0.0.1', port });
      const body = readAll(data);
      expect((await ftpCommand(c, 'NLST')).code).toBe(150);
      expect((await body).toString()).toContain('mine.txt');
      expect((await ftpReply(c)).code).toBe(226);
    } finally {
      c.close();
    }
  });

  it('only the first connection per PASV is accepted', async () => {
    const c = await loggedIn();
    try {
      const first = await ftpPassive(c);
      const port = first.remotePort!;
      const second = net.connect({ host: '127.0.0.1', port });
      const secondOutcome = await new Promise<string>((resolve) => {
        second.once('error', () => resolve('refused'));
        second.once('close', () => resolve('closed'));
        second.once('data', () => resolve('data'));
      });
      expect(['refused', 'closed']).toContain(secondOutcome);
      const body = readAll(first);
      expect((await ftpCommand(c, 'NLST')).code).toBe(150);
      expect((await body).toString()).toContain('mine.txt');
      expect((await ftpReply(c)).code).toBe(226);
      // used once: the next transfer needs a new PASV/EPSV
      expect((await ftpCommand(c, 'NLST')).code).toBe(425);
    } finally {
      c.close();
    }
  });

  it('behind a PROXY header: the control connection is the client, the data connection comes from the balancer', async () => {
    const { c, greeting } = await ftpConnect(gw.ports.ftpProxy, { preamble: proxyV1({ source: '10.9.8.7', destination: '127.0.0.1' }) });
    try {
      expect(greeting.code).toBe(220);
      expect((await ftpLogin(c, ALICE.address, ALICE.password)).code).toBe(230);
      const l = await listing(c, 'NLST');
      expect(l.reply).toBe(226);
      expect(l.body).toContain('mine.txt');
    } finally {
      c.close();
    }
  });
});

describe('policies through FTP', () => {
  it('secureMethodRequired: refused on a plain control connection, accepted after AUTH TLS and on implicit FTPS', async () => {
    expect(await ftpLoginWorks(gw.ports.ftp, SECURE.address, SECURE.password)).toBe(530);
    const { c } = await ftpConnect(gw.ports.ftp);
    try {
      expect((await ftpCommand(c, 'AUTH TLS')).code).toBe(234);
      await c.startTls();
      expect((await ftpLogin(c, SECURE.address, SECURE.password)).code).toBe(230);
      expect((await ftpCommand(c, 'PBSZ 0')).code).toBe(200);
      expect((await ftpCommand(c, 'PROT P')).code).toBe(200);
      const data = await ftpPassive(c, true);
      const body = readAll(data);
      expect((await ftpCommand(c, 'NLST')).code).toBe(150);
      await body;
      expect((await ftpReply(c)).code).toBe(226);
    } finally {
      c.close();
    }
    expect(await ftpLoginWorks(gw.ports.ftps, SECURE.address, SECURE.password, { tls: true })).toBe(230);
  });

  it('hideUnknownAccount: the same reply for an unknown account and a wrong password', async () => {
    await gw.cliOk('server', 'set', 'hideUnknownAccount=true');
    try {
      const wrong = await ftpConnect(gw.ports.ftp);
      const unknown = await ftpConnect(gw.ports.ftp);
      const a = await ftpLogin(wrong.c, ALICE.address, WRONG_PASSWORD);
      const b = await ftpLogin(unknown.c, UNKNOWN, WRONG_PASSWORD);
      wrong.c.close();
      unknown.c.close();
      expect(a.code).toBe(530);
      expect(b.text).toBe(a.text);
    } finally {
      await gw.cliOk('server', 'set', 'hideUnknownAccount=false');
    }
  });

  it('lockout: after the limit even the right password is refused', async () => {
    for (let i = 0; i < 2; i++) expect(await ftpLoginWorks(gw.ports.ftp, LOCKED.address, WRONG_PASSWORD)).toBe(530);
    expect(await ftpLoginWorks(gw.ports.ftp, LOCKED.address, LOCKED.password)).toBe(530);
  });

  it('client addresses via a PROXY header: 421 and close for a non-client', async () => {
    await gw.cliOk('server', 'set', 'loginsFromNonClients=prohibit', 'clientAddresses=10.0.0.0/8');
    try {
      const { c, greeting } = await ftpConnect(gw.ports.ftpProxy, { preamble: proxyV1({ source: '198.51.100.4' }) });
      expect(greeting.code).toBe(421);
      expect(await c.waitClosed()).toBe(true);
      expect(await ftpLoginWorks(gw.ports.ftpProxy, ALICE.address, ALICE.password, { preamble: proxyV1({ source: '10.0.0.5' }) })).toBe(230);
    } finally {
      await gw.cliOk('server', 'set', 'loginsFromNonClients=allow');
    }
  });
});

describe('hostile input on FTP', () => {
  it('garbage, NUL, invalid UTF-8 and over-long lines get 500; too many bad commands close with 421', async () => {
    const { c } = await ftpConnect(gw.ports.ftp);
    c.sendRaw(Buffer.from([0xc3, 0x28, 0x0d, 0x0a]));
    expect((await ftpReply(c)).code).toBe(500);
    c.sendRaw(Buffer.from('US\0ER x\r\n'));
    expect((await ftpReply(c)).code).toBe(500);
    c.send('A'.repeat(70_000));
    expect((await ftpReply(c)).code).toBe(500);
    expect((await ftpCommand(c, 'NOOP')).code).toBe(200);
    for (let i = 0; i < 12; i++) c.send('XYZZY');
    const lines = await c.readUntil((l) => l.startsWith('421'));
    expect(lines[lines.length - 1]).toMatch(/^421 /);
    expect(await c.waitClosed()).toBe(true);
  });

  it('an upload over the size limit is refused with 552 and leaves no file', async () => {
    const c = await loggedIn();
    try {
      const data = await ftpPassive(c);
      data.on('error', () => undefined);
      expect((await ftpCommand(c, 'STOR huge.bin')).code).toBe(150);
      const chunk = Buffer.alloc(16 * 1024, 0x61);
      for (let i = 0; i < (MAX_UPLOAD / chunk.length) * 4 && !data.destroyed; i++) {
        if (!data.write(chunk)) await new Promise((r) => setTimeout(r, 5));
      }
      data.end();
      expect((await ftpReply(c)).code).toBe(552);
      await expect(fs.stat(path.join(aliceRoot(), 'huge.bin'))).rejects.toThrow();
      // the session goes on
      expect((await ftpCommand(c, 'NOOP')).code).toBe(200);
    } finally {
      c.close();
    }
  });

  it('ABOR during an upload stops it with 426 then 226', async () => {
    const c = await loggedIn();
    try {
      const data = await ftpPassive(c);
      data.on('error', () => undefined);
      expect((await ftpCommand(c, 'STOR slow.bin')).code).toBe(150);
      data.write('partial');
      await new Promise((r) => setTimeout(r, 100));
      c.sendRaw(Buffer.concat([Buffer.from([0xff, 0xf4, 0xff, 0xf2]), Buffer.from('ABOR\r\n')]));
      expect((await ftpReply(c)).code).toBe(426);
      expect((await ftpReply(c)).code).toBe(226);
      expect((await ftpCommand(c, 'NOOP')).code).toBe(200);
    } finally {
      c.close();
    }
  });

  it('disconnects mid-transfer (data, then control) leave the process serving', async () => {
    await fs.writeFile(path.join(aliceRoot(), 'big.bin'), Buffer.alloc(4 * 1024 * 1024, 0x62));
    const c = await loggedIn();
    const data = await ftpPassive(c);
    data.on('error', () => undefined);
    expect((await ftpCommand(c, 'RETR big.bin')).code).toBe(150);
    await new Promise((r) => data.once('data', r));
    data.destroy();
    expect((await ftpReply(c)).code).toBe(426);
    const d2 = await ftpPassive(c);
    d2.on('error', () => undefined);
    expect((await ftpCommand(c, 'STOR cut.bin')).code).toBe(150);
    d2.write('some bytes');
    c.close();
    await new Promise((r) => setTimeout(r, 200));
    d2.destroy();
    // a pending passive port with no transfer, then a disconnect
    const e = await loggedIn();
    expect((await ftpCommand(e, 'EPSV')).code).toBe(229);
    e.close();
    gw.assertAlive();
    expect(await ftpLoginWorks(gw.ports.ftp, ALICE.address, ALICE.password)).toBe(230);
    expect(await ftpLoginWorks(gw.ports.ftps, ALICE.address, ALICE.password, { tls: true })).toBe(230);
  });
});
