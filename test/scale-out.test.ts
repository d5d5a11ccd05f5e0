/**
 * Two gateway instances behind a real HAProxy (send-proxy-v2), sharing a real redis-server for
 * the cache and the directory: lockout is exact across instances, a DIGEST-MD5 response cannot
 * be replayed on the other instance, address policies see the client's address, and the http
 * listener's /healthz, /readyz and /metrics tell the truth (also while Redis is away).
 */
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway } from './harness/gateway.js';
import { ALICE, createAccount, stopCleanly, WRONG_PASSWORD } from './harness/fixtures.js';
import { imapAuthenticate, imapConnect, imapLogin } from './harness/imap.js';
import { freePorts } from './harness/ports.js';
import { proxyV2 } from './harness/proxy-header.js';
import { curl } from './harness/run.js';
import { digestMd5Response } from './scale/digest.js';
import { haproxyConfig, startHaproxy, startRedis, type Proc } from './scale/servers.js';

const LISTENERS = {
  imap: { service: 'imap', tls: 'none', proxyProtocol: true },
  http: { service: 'http', tls: 'none', proxyProtocol: true },
} as const;
type L = keyof typeof LISTENERS;

let dir: string;
let redisPort: number;
let redis: Proc | undefined;
let haproxy: Proc | undefined;
let gw1: Gateway<L> | undefined;
let gw2: Gateway<L> | undefined;
let lbImap: number;
let lbHttp: number;

async function startGateway(): Promise<Gateway<L>> {
  return Gateway.start<L>({
    listeners: { ...LISTENERS },
    config: { cache: `redis://127.0.0.1:${redisPort}/0`, directory: `redis://127.0.0.1:${redisPort}/1` },
    // the policy must see the client (127.0.0.2), not HAProxy (127.0.0.1)
    listenerExtras: { imap: { deny: ['127.0.0.2/32'] } },
  });
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'portcullis-scale-'));
  [redisPort, lbImap, lbHttp] = (await freePorts(3)) as [number, number, number];
  redis = await startRedis(redisPort, dir);
  gw1 = await startGateway();
  gw2 = await startGateway();
  const cfg = path.join(dir, 'haproxy.cfg');
  await fs.writeFile(
    cfg,
    haproxyConfig([
      { name: 'imap', port: lbImap, servers: [gw1.ports.imap, gw2.ports.imap], checkPorts: [gw1.ports.http, gw2.ports.http] },
      { name: 'http', port: lbHttp, servers: [gw1.ports.http, gw2.ports.http], checkPorts: [gw1.ports.http, gw2.ports.http] },
    ]),
  );
  haproxy = await startHaproxy(cfg, lbImap);
  await createAccount(gw1, ALICE.address, ALICE.password, 'passwordEncryption=clear');
  // let HAProxy's first health checks mark both servers up
  await new Promise((r) => setTimeout(r, 1500));
}, 120_000);

afterAll(async () => {
  await haproxy?.stop();
  await stopCleanly(gw1, [ALICE.password]);
  await stopCleanly(gw2, [ALICE.password]);
  await redis?.stop();
  await fs.rm(dir, { recursive: true, force: true });
}, 60_000);

/** one LOGIN through HAProxy; the tagged reply */
async function loginViaLb(user: string, password: string): Promise<string> {
  const { c } = await imapConnect(lbImap);
  try {
    return (await imapLogin(c, user, password)).status;
  } finally {
    c.close();
  }
}

/** GET through a PROXY v1 header straight to one instance's http listener */
async function httpDirect(gw: Gateway<L>, pathName: string): Promise<{ code: number; body: string }> {
  const res = await curl(['-s', '--haproxy-protocol', '-w', '\n%{http_code}', `http://127.0.0.1:${gw.ports.http}${pathName}`]);
  const at = res.stdout.lastIndexOf('\n');
  return { code: Number(res.stdout.slice(at + 1)), body: res.stdout.slice(0, at) };
}

function metricSum(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    if (Object.entries(labels).every(([k, v]) => (m[2] ?? '').includes(`${k}="${v}"`))) sum += Number(m[3]);
  }
  return sum;
}

async function bothMetrics(): Promise<string[]> {
  return [(await httpDirect(gw1!, '/metrics')).body, (await httpDirect(gw2!, '/metrics')).body];
}

describe('lockout across two instances', () => {
  it('limit - 1 wrong attempts spread over both leave the account open', async () => {
    await createAccount(gw1!, 'carol@example.test', 'Carol-Secret-1', 'failedLoginLimit=6', 'failedLoginPeriod=600');
    const replies = await Promise.all(Array.from({ length: 5 }, () => loginViaLb('carol@example.test', WRONG_PASSWORD)));
    for (const r of replies) expect(r).toMatch(/^NO\b/);
    expect(await loginViaLb('carol@example.test', 'Carol-Secret-1')).toMatch(/^OK\b/);
  });

  it('exactly failedLoginLimit parallel wrong attempts spread over both lock the account once', async () => {
    await createAccount(gw1!, 'bob@example.test', 'Bob-Secret-1', 'failedLoginLimit=6', 'failedLoginPeriod=600');
    const before = (await bothMetrics()).map((t) => metricSum(t, 'portcullis_logins_total', { result: 'bad-credentials' }));
    const replies = await Promise.all(Array.from({ length: 6 }, () => loginViaLb('bob@example.test', WRONG_PASSWORD)));
    for (const r of replies) expect(r).toMatch(/^NO\b/);
    expect(await loginViaLb('bob@example.test', 'Bob-Secret-1')).toMatch(/temporarily locked/);
    const after = await bothMetrics();
    const perInstance = after.map((t, i) => metricSum(t, 'portcullis_logins_total', { result: 'bad-credentials' }) - before[i]!);
    // HAProxy spread them: each instance saw some, and together exactly the limit
    expect(perInstance[0]).toBeGreaterThan(0);
    expect(perInstance[1]).toBeGreaterThan(0);
    expect(perInstance[0]! + perInstance[1]!).toBe(6);
    // one failure reached the limit, on one of the two instances
    expect(after.reduce((n, t) => n + metricSum(t, 'portcullis_lockouts_total'), 0)).toBe(1);
  });
});

describe('DIGEST-MD5 nonces are single-use across instances', () => {
  it('a response accepted by one instance is refused when replayed on the other', async () => {
    const preamble = proxyV2({ source: '192.0.2.10' });
    const uri = 'imap/mail.example.test';
    let captured = '';
    const first = await imapConnect(gw1!.ports.imap, { preamble });
    const ok = await imapAuthenticate(first.c, 'DIGEST-MD5', (challenge, step) => {
      if (step > 0) return '';
      captured = digestMd5Response(challenge.toString('utf8'), ALICE.address, ALICE.password, uri);
      return captured;
    });
    first.c.close();
    expect(ok.ok, ok.status).toBe(true);

    const second = await imapConnect(gw2!.ports.imap, { preamble });
    const replay = await imapAuthenticate(second.c, 'DIGEST-MD5', (_challenge, step) => (step === 0 ? captured : ''));
    second.c.close();
    expect(replay.ok).toBe(false);
    expect(replay.status).toMatch(/^NO\b/);
  });
});

describe('client-address policies behind HAProxy', () => {
  /** connect through HAProxy from `localAddress`; the first line, or null when closed without one */
  function greetingFrom(localAddress: string): Promise<string | null> {
    return new Promise((resolve) => {
      const s = net.connect({ port: lbImap, host: '127.0.0.1', localAddress });
      let data = '';
      const timer = setTimeout(() => {
        s.destroy();
        resolve(data.includes('\n') ? data.split('\r\n')[0]! : null);
      }, 5000);
      s.setEncoding('latin1');
      s.on('data', (d: string) => {
        data += d;
        if (data.includes('\n')) {
          clearTimeout(timer);
          s.destroy();
          resolve(data.split('\r\n')[0]!);
        }
      });
      s.on('error', () => undefined);
      s.on('close', () => {
        clearTimeout(timer);
        resolve(data.includes('\n') ? data.split('\r\n')[0]! : null);
      });
    });
  }

  it('deny 127.0.0.2/32 closes that client while 127.0.0.1 (HAProxy itself too) is served', async () => {
    expect(await greetingFrom('127.0.0.1')).toMatch(/^\* OK/);
    for (let i = 0; i < 4; i++) expect(await greetingFrom('127.0.0.2')).toBeNull();
    const refused = (await bothMetrics()).reduce((n, t) => n + metricSum(t, 'portcullis_connections_refused_total', { reason: 'deny' }), 0);
    expect(refused).toBeGreaterThanOrEqual(4);
  });
});

describe('http listener', () => {
  it('/healthz and /readyz answer through HAProxy and directly', async () => {
    const lb = await curl(['-s', '-w', '\n%{http_code}', `http://127.0.0.1:${lbHttp}/healthz`]);
    expect(lb.stdout).toMatch(/"status":"ok"[\s\S]*\n200$/);
    for (const gw of [gw1!, gw2!]) {
      expect(await httpDirect(gw, '/readyz')).toEqual({ code: 200, body: '{"status":"ready"}' });
    }
  });

  it('/metrics has logins by service, mechanism and result, latency, open connections and cache errors', async () => {
    expect(await loginViaLb(ALICE.address, ALICE.password)).toMatch(/^OK\b/);
    const text = (await bothMetrics()).join('\n');
    expect(metricSum(text, 'portcullis_logins_total', { service: 'imap', mechanism: 'CLRTXT', result: 'success' })).toBeGreaterThanOrEqual(2);
    expect(metricSum(text, 'portcullis_logins_total', { service: 'imap', mechanism: 'DIGEST-MD5', result: 'success' })).toBe(1);
    expect(metricSum(text, 'portcullis_login_duration_seconds_count', { service: 'imap' })).toBeGreaterThan(10);
    expect(text).toMatch(/^portcullis_open_connections\{service="http"\} [1-9]/m);
    expect(text).toMatch(/^# TYPE portcullis_cache_errors_total counter/m);
    expect(text).toMatch(/^# TYPE portcullis_login_duration_seconds histogram/m);
  });

  it('/readyz is 503 with a reason while Redis is down, and 200 again once it is back', async () => {
    await redis!.stop();
    redis = undefined;
    const deadline = Date.now() + 20_000;
    let res = await httpDirect(gw1!, '/readyz');
    while (res.code !== 503 && Date.now() < deadline) {
      // a login makes the cache notice at once, whatever its reconnect timer says
      await loginViaLb(ALICE.address, WRONG_PASSWORD).catch(() => '');
      res = await httpDirect(gw1!, '/readyz');
    }
    expect(res.code).toBe(503);
    expect(JSON.parse(res.body)).toMatchObject({ status: 'not ready', reasons: [expect.stringMatching(/cache degraded/)] });
    expect((await httpDirect(gw1!, '/healthz')).code).toBe(200);

    redis = await startRedis(redisPort, dir);
    const back = Date.now() + 30_000;
    const ready = async () => (await httpDirect(gw1!, '/readyz')).code === 200 && (await httpDirect(gw2!, '/readyz')).code === 200;
    while (!(await ready()) && Date.now() < back) await new Promise((r) => setTimeout(r, 500));
    expect(await ready()).toBe(true);
    // logins go on through HAProxy once both are ready again (this Redis keeps no data: the
    // directory in it starts empty)
    await createAccount(gw1!, ALICE.address, ALICE.password, 'passwordEncryption=clear');
    await new Promise((r) => setTimeout(r, 1500));
    expect(await loginViaLb(ALICE.address, ALICE.password)).toMatch(/^OK\b/);
  }, 90_000);
});
