import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleBind } from '../src/index.js';

/** An ldaps:// stand-in: TLS with a self-signed certificate for 127.0.0.1, then bind → success. */
let dir: string;
let cert: string;
let server: tls.Server;
let port: number;
const sockets = new Set<net.Socket>();

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'ldaps-'));
  const key = path.join(dir, 'key.pem');
  const crt = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  cert = readFileSync(crt, 'utf8');
  server = tls.createServer({ key: readFileSync(key), cert }, (socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('data', (data) => {
      if (data[0] === 0x30 && data.includes(0x60)) socket.write(Buffer.from([0x30, 0x0c, 0x02, 0x01, data[4]!, 0x61, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00]));
    });
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe('ldaps://', () => {
  const base = () => ({ url: `ldaps://127.0.0.1:${port}`, bindName: 'uid=joe,dc=x', password: 'pw', connectTimeoutMs: 2000, timeoutMs: 2000 });

  it('binds over TLS when the server certificate is trusted', async () => {
    expect(await simpleBind({ ...base(), tlsOptions: { ca: cert } })).toEqual({ ok: true });
  });

  it('an untrusted certificate is a failed check, not a bind', async () => {
    const r = await simpleBind(base());
    expect(r).toMatchObject({ ok: false, reason: 'error' });
  });
});
