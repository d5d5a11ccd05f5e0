/**
 * The login log's three homes: this process's ring, the primary (workers over IPC), and a capped
 * Redis list shared by every instance (a real redis-server), with the fallback when Redis is gone.
 */
import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient, waitForReady, type RedisClient } from '@portcullis/redis-client';
import { startRedisServer, type RedisServerHandle } from '@portcullis/redis-client/testing';
import { serveLoginLogToWorkers, workerLoginLog, type WorkerChannel } from '../src/admin/login-log-ipc.js';
import { loginLogEntry, MemoryLoginLog, RedisLoginLog, refusedConnectionEntry, type LoginLogEntry } from '../src/admin/login-log.js';

function entry(i: number, overrides: Partial<LoginLogEntry> = {}): LoginLogEntry {
  return { time: new Date(1_700_000_000_000 + i * 1000).toISOString(), service: 'imap', account: `u${i}@example.test`, address: '192.0.2.1', mechanism: 'CLRTXT', ok: i % 2 === 0, ...overrides };
}

describe('entries', () => {
  it('are made from the onLogin event: rule for refusals, the lockout noted, no rule for a success', () => {
    const base = { service: 'imap', mechanism: 'PLAIN', durationMs: 3, account: 'a@x.test', remoteAddress: '198.51.100.7' };
    expect(loginLogEntry({ ...base, result: 'success' }, 0)).toEqual({ time: '1970-01-01T00:00:00.000Z', service: 'imap', account: 'a@x.test', address: '198.51.100.7', mechanism: 'PLAIN', ok: true });
    expect(loginLogEntry({ ...base, result: 'bad-credentials', rule: 'wrong password', locked: true })).toMatchObject({ ok: false, code: 'bad-credentials', rule: 'wrong password; this failure locked the account' });
    expect(loginLogEntry({ service: 'pop', mechanism: 'NOSUCH', durationMs: 0, result: 'mechanism-unavailable', rule: 'login method not enabled' })).toMatchObject({ account: '', address: '', rule: 'login method not enabled' });
    expect(refusedConnectionEntry({ service: 'smtp', remoteAddress: '203.0.113.5', reason: 'deny' })).toMatchObject({ ok: false, code: 'deny', rule: expect.stringMatching(/Grant\/Deny/) });
  });
});

describe('MemoryLoginLog', () => {
  it('keeps the newest N, newest first, and filters by account and outcome', async () => {
    const log = new MemoryLoginLog(5);
    for (let i = 1; i <= 12; i++) log.record(entry(i));
    expect((await log.recent({ limit: 100 })).map((e) => e.account)).toEqual(['u12', 'u11', 'u10', 'u9', 'u8'].map((u) => `${u}@example.test`));
    expect((await log.recent({ limit: 2 })).length).toBe(2);
    expect((await log.recent({ limit: 100, ok: false })).map((e) => e.account)).toEqual(['u11@example.test', 'u9@example.test']);
    expect((await log.recent({ limit: 100, account: 'U10@example.test' })).length).toBe(1);
    expect((await log.recent({ limit: 100, account: 'u10' })).length).toBe(1);
    expect((await log.recent({ limit: 100, account: 'u1' })).length).toBe(0);
  });
});

/** Two ends of a node:cluster IPC channel, in one process. */
function channelPair(): { worker: WorkerChannel; hub: EventEmitter; workerHandle: { send(m: unknown): boolean; isConnected(): boolean } } {
  const toWorker = new EventEmitter();
  const hub = new EventEmitter();
  const workerHandle = {
    send: (m: unknown) => toWorker.emit('message', structuredClone(m)),
    isConnected: () => true,
  };
  const worker: WorkerChannel = {
    send: (m: unknown) => hub.emit('message', workerHandle, structuredClone(m)),
    on: (e, l) => toWorker.on(e, l),
    off: (e, l) => toWorker.off(e, l),
  };
  return { worker, hub, workerHandle };
}

describe('workers and the primary', () => {
  it('workers send entries to the primary and read the one log from it', async () => {
    const { worker, hub } = channelPair();
    const primaryLog = new MemoryLoginLog(10);
    const stop = serveLoginLogToWorkers(hub as never, primaryLog);
    const w1 = workerLoginLog(worker);
    const w2 = workerLoginLog(worker);
    w1.record(entry(1));
    w2.record(entry(2));
    expect((await w1.recent({ limit: 10 })).map((e) => e.account)).toEqual(['u2@example.test', 'u1@example.test']);
    expect((await w2.recent({ limit: 10, ok: true })).map((e) => e.account)).toEqual(['u2@example.test']);
    stop();
    await expect(w1.recent({ limit: 10 })).rejects.toMatchObject({ status: 503 });
  });
});

describe('RedisLoginLog', () => {
  let redis: RedisServerHandle;
  const clients: RedisClient[] = [];
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await redis.stop();
  });
  const client = async (): Promise<RedisClient> => {
    const c = createRedisClient(redis.url);
    c.on('error', () => undefined);
    clients.push(c);
    expect(await waitForReady(c, 5000)).toBe(true);
    return c;
  };

  it('two instances share one capped list', async () => {
    const a = new RedisLoginLog(await client(), 'test:loginlog', 4, undefined, false);
    const b = new RedisLoginLog(await client(), 'test:loginlog', 4, undefined, false);
    for (let i = 1; i <= 3; i++) a.record(entry(i));
    for (let i = 4; i <= 6; i++) b.record(entry(i));
    await new Promise((r) => setTimeout(r, 200));
    expect((await a.recent({ limit: 100 })).map((e) => e.account)).toEqual(['u6', 'u5', 'u4', 'u3'].map((u) => `${u}@example.test`));
    expect((await b.recent({ limit: 100, ok: true })).map((e) => e.account)).toEqual(['u6@example.test', 'u4@example.test']);
    expect(await clients[0]!.llen('test:loginlog')).toBe(4);
  });

  it("answers from this process's own entries while Redis is down", async () => {
    const warnings: string[] = [];
    const log = new RedisLoginLog(await client(), 'test:loginlog2', 10, { warn: (_o, m) => warnings.push(m ?? '') }, false);
    log.record(entry(1));
    await new Promise((r) => setTimeout(r, 100));
    expect(await clients[clients.length - 1]!.llen('test:loginlog2')).toBe(1);
    await redis.kill();
    log.record(entry(2));
    expect((await log.recent({ limit: 10 })).map((e) => e.account)).toEqual(['u2@example.test', 'u1@example.test']);
    expect(warnings.length).toBe(1);
    redis = await startRedisServer({ port: redis.port, dir: redis.dir });
  });
});
