import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningListener } from '../src/listener.js';
import { ensureTlsMaterial, TlsMaterialError } from '../src/tls-material.js';
import type { Connection, TlsMaterial } from '../src/types.js';
import { hex, LineClient, listen, sleep } from './helpers.js';

let dir: string;
let material: TlsMaterial;
let running: RunningListener[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'listener-tls-'));
  material = await ensureTlsMaterial({ cert: 'auto' }, dir, 'mail.example.test');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await Promise.all(running.map((l) => l.close(100)));
  running = [];
});

async function server(...args: Parameters<typeof listen>): Promise<RunningListener> {
  const [options, deps] = args;
  const l = await listen(options, { tls: material, ...deps });
  running.push(l);
  return l;
}

describe('ensureTlsMaterial', () => {
  it('makes a self-signed pair once, key mode 0600, and reuses it', async () => {
    const certFile = path.join(dir, 'tls', 'cert.pem');
    const keyFile = path.join(dir, 'tls', 'key.pem');
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const cert = new X509Certificate(await readFile(certFile));
    expect(cert.subject).toContain('CN=mail.example.test');
    expect(cert.subjectAltName).toContain('DNS:localhost');
    expect(cert.checkPrivateKey((await import('node:crypto')).createPrivateKey(material.key))).toBe(true);
    const again = await ensureTlsMaterial({ cert: 'auto' }, dir, 'mail.example.test');
    expect(again.cert).toBe(material.cert);
    expect(again.key).toBe(material.key);
  });

  it('reads PEM files named in the configuration', async () => {
    const certFile = path.join(dir, 'given-cert.pem');
    const keyFile = path.join(dir, 'given-key.pem');
    await writeFile(certFile, material.cert);
    await writeFile(keyFile, material.key);
    const read = await ensureTlsMaterial({ cert: certFile, key: keyFile }, dir, 'x');
    expect(read.cert).toBe(material.cert);
    await expect(ensureTlsMaterial({ cert: certFile }, dir, 'x')).rejects.toThrow(TlsMaterialError);
    await writeFile(keyFile, 'not a key');
    await expect(ensureTlsMaterial({ cert: certFile, key: keyFile }, dir, 'x')).rejects.toThrow(/unusable/);
  });
});

describe('STARTTLS', () => {
  it('upgrades the same connection and keeps reading lines over TLS', async () => {
    const l = await server({ tls: 'starttls' });
    const c = await LineClient.connect(l.port);
    expect(await c.line()).toBe('* READY plain starttls');
    c.write('STARTTLS\r\n');
    expect(await c.line()).toBe('OK begin TLS');
    const s = await c.startTls();
    s.write('INFO\r\n');
    const info = JSON.parse((await s.line()).slice(5)) as { secure: boolean; protocol: string };
    expect(info.secure).toBe(true);
    expect(info.protocol).toMatch(/^TLSv1\.[23]$/);
    s.write('hello\r\n');
    expect(await s.line()).toBe(`LINE ${hex('hello')}`);
  });

  it('a session that ends after STARTTLS is closed and no longer counted', async () => {
    const l = await server({ tls: 'starttls' });
    const c = await LineClient.connect(l.port);
    await c.line();
    c.write('STARTTLS\r\n');
    await c.line();
    const s = await c.startTls();
    s.write('QUIT\r\n');
    expect(await s.line()).toBe('BYE');
    await s.closed();
    await sleep(20);
    expect(l.connections()).toBe(0);
  });

  it('drops plaintext sent after STARTTLS in the same packet', async () => {
    const l = await server({ tls: 'starttls' });
    const c = await LineClient.connect(l.port);
    await c.line();
    c.write('STARTTLS\r\nINJECTED\r\n');
    expect(await c.line()).toBe('OK begin TLS');
    const s = await c.startTls();
    s.write('first over tls\r\n');
    expect(await s.line()).toBe(`LINE ${hex('first over tls')}`);
  });

  it('offers channel binding facts after the upgrade, nothing before', async () => {
    let facts: { before: unknown; der: Buffer | null; ekm: Buffer; protocol: string | null } | undefined;
    const l = await server(
      { tls: 'starttls' },
      {
        handler: async (conn: Connection) => {
          const before = conn.tlsChannel();
          await conn.readLine();
          conn.write('OK\r\n');
          await conn.startTls();
          const channel = conn.tlsChannel();
          if (!channel) throw new Error('no channel after STARTTLS');
          facts = {
            before,
            der: channel.serverCertificateDer(),
            ekm: channel.exportKeyingMaterial(32, 'EXPORTER-Channel-Binding', Buffer.alloc(0)),
            protocol: channel.protocol,
          };
          conn.write(`${conn.canStartTls ? 'again' : 'once'}\r\n`);
          await conn.readLine().catch(() => undefined);
        },
      },
    );
    const c = await LineClient.connect(l.port);
    c.write('STARTTLS\r\n');
    expect(await c.line()).toBe('OK');
    const s = await c.startTls();
    expect(await s.line()).toBe('once');
    const clientSide = s.socket as tls.TLSSocket;
    expect(facts?.before).toBeUndefined();
    expect(facts?.der?.equals(new X509Certificate(material.cert).raw)).toBe(true);
    expect(facts?.ekm.equals(clientSide.exportKeyingMaterial(32, 'EXPORTER-Channel-Binding', Buffer.alloc(0)))).toBe(true);
    expect(facts?.protocol).toBe(clientSide.getProtocol());
  });

  it('is not offered on a plain listener', async () => {
    const l = await server({ tls: 'none' });
    const c = await LineClient.connect(l.port);
    expect(await c.line()).toBe('* READY plain');
    c.write('STARTTLS\r\n');
    expect(await c.line()).toBe('OK begin TLS');
    // startTls() throws in the session, which closes the connection
    await c.closed();
  });

  it('a failed handshake closes the connection and the listener goes on', async () => {
    const l = await server({ tls: 'starttls' });
    const c = await LineClient.connect(l.port);
    await c.line();
    c.write('STARTTLS\r\n');
    expect(await c.line()).toBe('OK begin TLS');
    c.write('this is not a ClientHello\r\n');
    await c.closed();
    const d = await LineClient.connect(l.port);
    expect(await d.line()).toBe('* READY plain starttls');
  });
});

describe('implicit TLS', () => {
  it('speaks TLS from the first byte', async () => {
    const l = await server({ tls: 'implicit' });
    const c = await LineClient.connectTls(l.port);
    expect(await c.line()).toBe('* READY tls');
    c.write('x\r\n');
    expect(await c.line()).toBe(`LINE ${hex('x')}`);
  });

  it('refuses TLS 1.1 and accepts TLS 1.2', async () => {
    const l = await server({ tls: 'implicit' });
    const old = LineClient.connectTls(l.port, {
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1.1',
      ciphers: 'DEFAULT:@SECLEVEL=0',
    });
    // the client could speak TLS 1.1 (SECLEVEL=0); the server's floor is what refuses it
    await expect(old).rejects.toMatchObject({ code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' });
    const ok = await LineClient.connectTls(l.port, { maxVersion: 'TLSv1.2' });
    expect(await ok.line()).toBe('* READY tls');
    expect((ok.socket as tls.TLSSocket).getProtocol()).toBe('TLSv1.2');
  });

  it('a plaintext client on an implicit listener gets nothing readable and is closed', async () => {
    const l = await server({ tls: 'implicit', idleTimeoutPreLogin: 0.3 });
    const c = await LineClient.connect(l.port);
    c.write('HELLO\r\n');
    await c.closed();
    await sleep(10);
    expect(l.connections()).toBe(0);
  });
});
