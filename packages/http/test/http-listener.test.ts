import net from 'node:net';
import https from 'node:https';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildProxyV2, ensureTlsMaterial, openConnections, type RunningListener, type TlsMaterial } from '@portcullis/listener';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clientInfo, createHttpApp, healthRoutes, metricsRoute, startHttpListener, type HttpApp, type Readiness } from '../src/index.js';

const logger = pino({ level: 'silent' });
let readiness: Readiness = { ready: true, reasons: [] };
let app: HttpApp;
let running: RunningListener[] = [];
let dir: string;
let material: TlsMaterial;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'http-'));
  material = await ensureTlsMaterial({ cert: 'auto' }, dir, 'localhost');
  app = await createHttpApp({
    logger,
    routes: [
      healthRoutes({ readiness: () => readiness }),
      metricsRoute({ contentType: 'text/plain; version=0.0.4', metrics: async () => 'portcullis_up 1\n' }),
      (f) => {
        f.get('/whoami', async (request) => clientInfo(request) ?? null);
      },
    ],
  });
});
afterAll(async () => {
  await app.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await Promise.all(running.map((l) => l.close(100)));
  running = [];
  readiness = { ready: true, reasons: [] };
});

async function start(extra: Partial<Parameters<typeof startHttpListener>[0]> = {}, tls = false): Promise<RunningListener> {
  const l = await startHttpListener({ service: 'http', port: 0, ...extra }, { app, logger, ...(tls ? { tls: material } : {}) });
  running.push(l);
  return l;
}

interface RawResponse {
  status: number;
  body: string;
}

/** One HTTP/1.1 request over a raw socket, optionally after a PROXY v2 header; null when closed without an answer. */
function rawRequest(port: number, pathName: string, opts: { proxyFrom?: string; localAddress?: string } = {}): Promise<RawResponse | null> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) });
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (data += d));
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? undefined : reject(err)));
    socket.on('close', () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
      if (!m) return resolve(null);
      resolve({ status: Number(m[1]), body: data.slice(data.indexOf('\r\n\r\n') + 4) });
    });
    socket.on('connect', () => {
      const header = opts.proxyFrom
        ? buildProxyV2({ source: { address: opts.proxyFrom, port: 40000 }, destination: { address: '192.0.2.1', port: 8100 } })
        : Buffer.alloc(0);
      socket.write(Buffer.concat([header, Buffer.from(`GET ${pathName} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)]));
    });
  });
}

describe('http listener', () => {
  it('answers /healthz, and /readyz by the readiness source', async () => {
    const l = await start();
    expect(await rawRequest(l.port, '/healthz')).toMatchObject({ status: 200 });
    expect((await rawRequest(l.port, '/readyz'))?.status).toBe(200);
    readiness = { ready: false, reasons: ['cache degraded'] };
    const res = await rawRequest(l.port, '/readyz');
    expect(res?.status).toBe(503);
    expect(JSON.parse(res!.body)).toEqual({ status: 'not ready', reasons: ['cache degraded'] });
    // liveness does not follow readiness
    expect((await rawRequest(l.port, '/healthz'))?.status).toBe(200);
  });

  it('serves /metrics with the source content type, and 503 when the source fails', async () => {
    const l = await start();
    const res = await fetch(`http://127.0.0.1:${l.port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toBe('portcullis_up 1\n');
  });

  it('takes the client address from a PROXY v2 header and applies deny to it', async () => {
    const l = await start({ proxyProtocol: true, deny: ['198.51.100.7/32'] });
    const ok = await rawRequest(l.port, '/whoami', { proxyFrom: '203.0.113.9' });
    expect(ok?.status).toBe(200);
    expect(JSON.parse(ok!.body)).toMatchObject({ remoteAddress: '203.0.113.9', remotePort: 40000, localPort: 8100, service: 'http' });
    expect(await rawRequest(l.port, '/whoami', { proxyFrom: '198.51.100.7' })).toBeNull();
    // without a header the connection never reaches HTTP
    expect(await rawRequest(l.port, '/healthz')).toBeNull();
  });

  it('refuses a PROXY header from an untrusted source', async () => {
    const l = await start({ proxyProtocol: true, proxyTrusted: ['10.0.0.0/8'] });
    expect(await rawRequest(l.port, '/healthz', { proxyFrom: '203.0.113.9' })).toBeNull();
  });

  it('applies grant to the socket peer without PROXY', async () => {
    const l = await start({ address: '127.0.0.1', grant: ['127.0.0.1/32'] });
    expect((await rawRequest(l.port, '/healthz'))?.status).toBe(200);
    expect(await rawRequest(l.port, '/healthz', { localAddress: '127.0.0.2' })).toBeNull();
  });

  it('serves over implicit TLS and refuses starttls', async () => {
    const l = await start({ tls: 'implicit' }, true);
    const body = await new Promise<string>((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', port: l.port, path: '/whoami', rejectUnauthorized: false }, (res) => {
          let d = '';
          res.on('data', (c: Buffer) => (d += c.toString()));
          res.on('end', () => resolve(d));
        })
        .on('error', reject);
    });
    expect(JSON.parse(body)).toMatchObject({ secure: true, remoteAddress: '127.0.0.1' });
    await expect(startHttpListener({ service: 'http', port: 0, tls: 'starttls' }, { app, logger, tls: material })).rejects.toThrow(/starttls/);
  });

  it('counts open connections for the http service and closes idle keep-alive sockets on close', async () => {
    const l = await start();
    const socket = net.connect({ port: l.port, host: '127.0.0.1' });
    await new Promise((r) => socket.once('connect', r));
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((r) => socket.once('data', r));
    expect(openConnections()['http']).toBe(1);
    const closed = new Promise((r) => socket.once('close', r));
    const t0 = Date.now();
    await l.close(5000);
    await closed;
    // idle keep-alive sockets go at once, not after the grace period
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(openConnections()['http']).toBe(0);
  });

  it('survives garbage and answers the next request', async () => {
    const l = await start();
    await new Promise<void>((resolve) => {
      const s = net.connect({ port: l.port, host: '127.0.0.1' }, () => s.end(Buffer.from([0, 1, 2, 0xff, 13, 10, 13, 10])));
      s.on('error', () => resolve());
      s.on('close', () => resolve());
      s.resume();
    });
    expect((await rawRequest(l.port, '/healthz'))?.status).toBe(200);
  });
});
