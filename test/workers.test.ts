/**
 * `workers: 2` with the memory cache: the workers share the listeners, the primary prints once,
 * keeps the lockout counters (so lockout stays exact), sums the metrics and restarts a worker
 * that died.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway } from './harness/gateway.js';
import { createAccount, stopCleanly, WRONG_PASSWORD } from './harness/fixtures.js';
import { imapConnect, imapLogin } from './harness/imap.js';
import { curl } from './harness/run.js';

const LISTENERS = { imap: { service: 'imap', tls: 'none' }, http: { service: 'http', tls: 'none' } } as const;
let gw: Gateway<keyof typeof LISTENERS> | undefined;

function workerPids(): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(gw!.pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function login(user: string, password: string): Promise<string> {
  const { c } = await imapConnect(gw!.ports.imap);
  try {
    return (await imapLogin(c, user, password)).status;
  } finally {
    c.close();
  }
}

async function metrics(): Promise<string> {
  return (await curl(['-s', `http://127.0.0.1:${gw!.ports.http}/metrics`])).stdout;
}

function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

beforeAll(async () => {
  gw = await Gateway.start({ listeners: { ...LISTENERS }, config: { workers: 2 }, readyTimeoutMs: 60_000 });
  await createAccount(gw, 'dave@example.test', 'Dave-Secret-1', 'failedLoginLimit=6', 'failedLoginPeriod=600');
  await createAccount(gw, 'erin@example.test', 'Erin-Secret-1', 'failedLoginLimit=6', 'failedLoginPeriod=600');
}, 90_000);

afterAll(async () => {
  await stopCleanly(gw, ['Dave-Secret-1', 'Erin-Secret-1']);
  gw = undefined;
}, 60_000);

describe('workers: 2', () => {
  it('runs two workers and prints the password, the table and "portcullis ready" once', () => {
    expect(workerPids()).toHaveLength(2);
    expect(gw!.stdout.match(/password: /g)).toHaveLength(1);
    expect(gw!.stdout.match(/^portcullis ready$/gm)).toHaveLength(1);
    expect(gw!.stdout.match(/^SERVICE/gm)).toHaveLength(1);
  });

  it('lockout is exact across the workers: limit - 1 leaves it open, limit locks it', async () => {
    const few = await Promise.all(Array.from({ length: 5 }, () => login('dave@example.test', WRONG_PASSWORD)));
    for (const r of few) expect(r).toMatch(/^NO\b/);
    expect(await login('dave@example.test', 'Dave-Secret-1')).toMatch(/^OK\b/);

    const all = await Promise.all(Array.from({ length: 6 }, () => login('erin@example.test', WRONG_PASSWORD)));
    for (const r of all) expect(r).toMatch(/^NO\b/);
    expect(await login('erin@example.test', 'Erin-Secret-1')).toMatch(/temporarily locked/);
  });

  it('/metrics is the sum over the workers', async () => {
    const text = await metrics();
    expect(sample(text, 'portcullis_logins_total{service="imap",mechanism="CLRTXT",result="bad-credentials"}')).toBe(11);
    expect(sample(text, 'portcullis_lockouts_total{service="imap"}')).toBe(1);
    const ready = await curl(['-s', `http://127.0.0.1:${gw!.ports.http}/readyz`]);
    expect(ready.stdout).toBe('{"status":"ready"}');
  });

  it('a worker that dies is replaced and the listeners keep serving', async () => {
    const before = workerPids();
    expect(before).toHaveLength(2);
    const victim = before[0]!;
    process.kill(victim, 'SIGKILL');
    // judge one snapshot at a time: the dead worker lingers as a zombie until the primary reaps it
    const deadline = Date.now() + 30_000;
    let pids = workerPids();
    while (Date.now() < deadline && !(pids.length === 2 && !pids.includes(victim))) {
      await new Promise((r) => setTimeout(r, 300));
      pids = workerPids();
    }
    expect(pids).toHaveLength(2);
    expect(pids).not.toContain(victim);
    expect(pids.filter((p) => !before.includes(p))).toHaveLength(1);
    // give the new worker its listeners, then every login is served (either worker)
    await new Promise((r) => setTimeout(r, 3000));
    for (let i = 0; i < 4; i++) expect(await login('dave@example.test', 'Dave-Secret-1')).toMatch(/^OK\b/);
    expect(gw!.stderr).toMatch(/worker died; restarting it/);
  });
});
