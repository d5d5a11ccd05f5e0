import cluster, { type Worker } from 'node:cluster';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LockoutState } from '@portcullis/auth-core';
import {
  CacheUnavailableError,
  createMemoryCache,
  createWorkerCache,
  serveCacheToWorkers,
  type IpcPeer,
  type WorkerChannel,
} from '../src/index.js';

const memory = createMemoryCache();
let stopServing: () => void;
const workers = new Set<Worker>();

beforeAll(() => {
  cluster.setupPrimary({ exec: fileURLToPath(new URL('./fixtures/cache-worker.mjs', import.meta.url)) });
  // node:cluster's own object is the hub, as in the gateway
  stopServing = serveCacheToWorkers(memory, cluster);
});

afterAll(async () => {
  stopServing();
  for (const w of workers) if (!w.isDead()) w.process.kill('SIGKILL');
  await memory.close();
});

function runWorker(job: string): Promise<unknown> {
  const worker = cluster.fork({ CACHE_WORKER_JOB: job });
  workers.add(worker);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker ${job} gave no result`)), 15_000);
    worker.on('message', (m: { type?: string; value?: unknown; error?: string }) => {
      if (m.type !== 'result') return;
      clearTimeout(timer);
      if (m.error !== undefined) reject(new Error(m.error));
      else resolve(m.value);
    });
    worker.on('exit', () => {
      workers.delete(worker);
      clearTimeout(timer);
      reject(new Error(`worker ${job} exited without a result`));
    });
  });
}

describe('worker cache over node:cluster IPC', () => {
  it('keeps lockout exact across two worker processes', async () => {
    const [one, two] = (await Promise.all([runWorker('lockout'), runWorker('lockout')])) as LockoutState[][];
    const all = [...(one ?? []), ...(two ?? [])];
    expect(all.map((r) => r.count).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    for (const r of all) expect(r.locked).toBe(r.count >= 5);
    expect(await memory.isLocked('w@x.test')).toBe(true);
  }, 30_000);

  it('hands a nonce to exactly one caller across workers', async () => {
    await memory.putNonce('shared-nonce', 60);
    const results = (await Promise.all([runWorker('nonce'), runWorker('nonce')])) as boolean[][];
    expect(results.flat().filter(Boolean)).toHaveLength(1);
  }, 30_000);

  it('stores sessions in the primary', async () => {
    const result = (await runWorker('session')) as { session: unknown; locked: boolean; status: string };
    expect(result).toEqual({ session: { account: 'w@x.test', kind: 'webuser', createdAt: 42 }, locked: true, status: 'ok' });
    expect(await memory.getSession('ws-1')).toEqual({ account: 'w@x.test', kind: 'webuser', createdAt: 42 });
  }, 30_000);
});

/** An in-process IPC pair: the worker end's send reaches the hub, the hub's reply reaches the worker. */
function fakePair(): { hub: EventEmitter; channel: WorkerChannel & EventEmitter; sent: unknown[] } {
  const hub = new EventEmitter();
  const sent: unknown[] = [];
  const channel = new EventEmitter() as WorkerChannel & EventEmitter;
  const peer: IpcPeer = {
    send: (message) => {
      setImmediate(() => channel.emit('message', structuredClone(message)));
      return true;
    },
  };
  channel.send = (message: unknown) => {
    sent.push(message);
    setImmediate(() => hub.emit('message', peer, structuredClone(message)));
    return true;
  };
  return { hub, channel, sent };
}

describe('worker cache protocol', () => {
  it('answers a request in the primary and refuses bad ones without touching the cache', async () => {
    const { hub, channel } = fakePair();
    const local = createMemoryCache();
    const stop = serveCacheToWorkers(local, hub);
    const replies: unknown[] = [];
    const peer: IpcPeer = { send: (m) => (replies.push(m), true) };
    for (const bad of [
      { op: 'close', args: [] },
      { op: 'recordFailure', args: ['k', '5', 60] },
      { op: 'recordFailure', args: ['k', 5] },
      { op: 'putSession', args: ['s', { account: 'a', kind: 'root', createdAt: 1 }, 60] },
      { op: '__proto__', args: [] },
    ]) {
      hub.emit('message', peer, { type: 'portcullis:cache:request', id: 7, ...bad });
    }
    // not ours: ignored
    hub.emit('message', peer, { type: 'something-else', id: 1 });
    hub.emit('message', peer, 'text');
    await new Promise((r) => setTimeout(r, 20));
    expect(replies).toHaveLength(5);
    for (const reply of replies) expect(reply).toMatchObject({ type: 'portcullis:cache:response', id: 7, ok: false, unavailable: false });
    expect(await local.isLocked('k')).toBe(false);

    const cache = createWorkerCache({ channel, timeoutMs: 1000 });
    expect(await cache.recordFailure('k', 1, 60)).toEqual({ count: 1, locked: true });
    expect(await local.isLocked('k')).toBe(true);
    await cache.clearFailures('k');
    expect(await cache.isLocked('k')).toBe(false);
    expect(await cache.getSession('none')).toBeNull();
    await cache.deleteSession('none');
    expect(await cache.touchSession('none', 60)).toBe(false);
    await local.putSession('open', { account: 'w@x.test', kind: 'webuser', createdAt: 1 }, 60);
    expect(await cache.touchSession('open', 120)).toBe(true);
    expect((await cache.listSessions('w@x.test')).map((s) => [s.id, s.record.account])).toEqual([['open', 'w@x.test']]);
    expect(await cache.listSessions('none@x.test')).toEqual([]);
    await cache.close();
    await expect(cache.isLocked('k')).rejects.toBeInstanceOf(CacheUnavailableError);
    stop();
  });

  it('fails a call with CacheUnavailableError after its timeout when the primary does not answer', async () => {
    const channel = new EventEmitter() as WorkerChannel & EventEmitter;
    channel.send = () => true; // swallowed
    const cache = createWorkerCache({ channel, timeoutMs: 100 });
    const t = Date.now();
    await expect(cache.recordFailure('k', 3, 60)).rejects.toBeInstanceOf(CacheUnavailableError);
    expect(Date.now() - t).toBeLessThan(1000);
    expect(cache.status()).toBe('degraded');
    await cache.close();
  });

  it('fails pending calls at once when the primary disconnects, and when there is no IPC channel', async () => {
    const channel = new EventEmitter() as WorkerChannel & EventEmitter;
    channel.send = () => true;
    const cache = createWorkerCache({ channel, timeoutMs: 10_000 });
    const pending = cache.takeNonce('n');
    channel.emit('disconnect');
    await expect(pending).rejects.toBeInstanceOf(CacheUnavailableError);
    await cache.close();

    const lonely = createWorkerCache({ channel: new EventEmitter() as WorkerChannel & EventEmitter });
    await expect(lonely.isLocked('k')).rejects.toThrow(/no IPC channel/);
    await lonely.close();
  });

  it('passes a primary-side CacheUnavailableError through as one', async () => {
    const { hub, channel } = fakePair();
    const failing = { ...createMemoryCache(), putSession: async () => { throw new CacheUnavailableError('redis away'); } };
    const stop = serveCacheToWorkers(failing, hub);
    const cache = createWorkerCache({ channel });
    await expect(cache.putSession('s', { account: 'a@x', kind: 'webuser', createdAt: 1 }, 60)).rejects.toBeInstanceOf(CacheUnavailableError);
    await cache.close();
    stop();
  });
});
