import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningListener } from '../src/listener.js';
import { ensureTlsMaterial } from '../src/tls-material.js';
import type { Connection, TlsMaterial } from '../src/types.js';
import { LineClient, listen } from './helpers.js';

let dir: string;
let material: TlsMaterial;
let client: { cert: string; key: string };
let running: RunningListener[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'listener-client-cert-'));
  material = await ensureTlsMaterial({ cert: 'auto' }, dir, 'mail.example.test');
  // a self-signed client certificate: the listener must pass on whatever the client sends
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
    '-keyout', path.join(dir, 'client.key'), '-out', path.join(dir, 'client.pem'), '-subj', '/CN=client',
  ], { stdio: 'ignore' });
  client = { cert: await readFile(path.join(dir, 'client.pem'), 'utf8'), key: await readFile(path.join(dir, 'client.key'), 'utf8') };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await Promise.all(running.map((l) => l.close(100)));
  running = [];
});

/** A listener whose handler reports the peer certificate it sees after TLS, as a line. */
async function reporting(mode: 'implicit' | 'starttls'): Promise<{ l: RunningListener; seen: Promise<Buffer | null | undefined> }> {
  let report!: (der: Buffer | null | undefined) => void;
  const seen = new Promise<Buffer | null | undefined>((resolve) => (report = resolve));
  const handler = async (conn: Connection): Promise<void> => {
    if (mode === 'starttls') {
      conn.write('READY\r\n');
      await conn.readLine();
      conn.write('GO\r\n');
      await conn.startTls();
    }
    const der = conn.tlsChannel()?.peerCertificateDer?.();
    report(der);
    conn.write(`${der ? 'CERT' : 'NOCERT'}\r\n`);
    await conn.readLine().catch(() => undefined);
  };
  const l = await listen({ tls: mode }, { tls: material, handler });
  running.push(l);
  return { l, seen };
}

describe('client certificates', () => {
  it('implicit TLS: exposes the certificate the client presented', async () => {
    const { l, seen } = await reporting('implicit');
    const c = await LineClient.connectTls(l.port, { cert: client.cert, key: client.key });
    expect(await c.line()).toBe('CERT');
    expect((await seen)?.equals(new X509Certificate(client.cert).raw)).toBe(true);
  });

  it('implicit TLS: a client without a certificate connects normally and none is reported', async () => {
    const { l, seen } = await reporting('implicit');
    const c = await LineClient.connectTls(l.port);
    expect(await c.line()).toBe('NOCERT');
    expect(await seen).toBeNull();
  });

  it('STARTTLS: exposes the certificate presented during the upgrade', async () => {
    const { l, seen } = await reporting('starttls');
    const c = await LineClient.connect(l.port);
    expect(await c.line()).toBe('READY');
    c.write('STARTTLS\r\n');
    expect(await c.line()).toBe('GO');
    const s = await c.startTls({ cert: client.cert, key: client.key });
    expect(await s.line()).toBe('CERT');
    expect((await seen)?.equals(new X509Certificate(client.cert).raw)).toBe(true);
  });

  it('STARTTLS without a certificate still upgrades', async () => {
    const { l, seen } = await reporting('starttls');
    const c = await LineClient.connect(l.port);
    expect(await c.line()).toBe('READY');
    c.write('STARTTLS\r\n');
    expect(await c.line()).toBe('GO');
    const s = await c.startTls();
    expect(await s.line()).toBe('NOCERT');
    expect(await seen).toBeNull();
  });
});

describe('session resumption with certificate requests', () => {
  async function resumeOnce(version: 'TLSv1.2' | 'TLSv1.3', withCert: boolean): Promise<{ reused: boolean; lines: string[] }> {
    const { l } = await reporting('implicit');
    const id = withCert ? { cert: client.cert, key: client.key } : {};
    // the 'session' event carries a resumable session in both versions (TLS 1.3: the ticket)
    let gotSession!: (s: Buffer) => void;
    const sessionReady = new Promise<Buffer>((resolve) => (gotSession = resolve));
    const sock = tls.connect({ port: l.port, host: '127.0.0.1', rejectUnauthorized: false, ...id, minVersion: version, maxVersion: version });
    sock.once('session', gotSession);
    const first = new LineClient(sock);
    const firstLine = await first.line();
    const session = await sessionReady;
    const second = await LineClient.connectTls(l.port, { ...id, minVersion: version, maxVersion: version, session });
    const secondLine = await second.line();
    return { reused: (second.socket as tls.TLSSocket).isSessionReused(), lines: [firstLine, secondLine] };
  }

  it.each(['TLSv1.2', 'TLSv1.3'] as const)('%s: a session resumes, and keeps the client certificate', async (version) => {
    const r = await resumeOnce(version, true);
    expect(r.reused).toBe(true);
    expect(r.lines).toEqual(['CERT', 'CERT']);
  });

  it.each(['TLSv1.2', 'TLSv1.3'] as const)('%s: a session without a certificate resumes too', async (version) => {
    const r = await resumeOnce(version, false);
    expect(r.reused).toBe(true);
    expect(r.lines).toEqual(['NOCERT', 'NOCERT']);
  });
});
