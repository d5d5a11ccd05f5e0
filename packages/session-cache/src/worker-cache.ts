import type { ListedSession, LockoutState, SessionRecord } from '@portcullis/auth-core';
import { CacheUnavailableError } from './errors.js';
import { isCacheResponse, REQUEST_TYPE, type CacheOperation, type CacheRequest } from './ipc-protocol.js';
import type { CacheStatus, FullSessionCache } from './resilient-cache.js';

/** The worker's end of the IPC channel; `process` in a cluster worker fits. */
export interface WorkerChannel {
  send?(message: unknown, sendHandle?: undefined, options?: undefined, callback?: (error: Error | null) => void): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'disconnect', listener: () => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'disconnect', listener: () => void): unknown;
}

export interface WorkerCacheOptions {
  /** a call without an answer after this fails with CacheUnavailableError; default 1000 ms */
  timeoutMs?: number;
  /** default: `process` */
  channel?: WorkerChannel;
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * In a worker process: a SessionCache whose every call is one request to the primary (see
 * serveCacheToWorkers), with an id and a timeout. close() only stops this worker's end.
 */
export function createWorkerCache(options: WorkerCacheOptions = {}): FullSessionCache {
  const channel: WorkerChannel = options.channel ?? (process as unknown as WorkerChannel);
  const timeoutMs = options.timeoutMs ?? 1000;
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let closed = false;
  let lastCallFailed = false;

  const onMessage = (message: unknown): void => {
    if (!isCacheResponse(message)) return;
    const call = pending.get(message.id);
    if (!call) return; // timed out already
    pending.delete(message.id);
    clearTimeout(call.timer);
    if (message.ok) call.resolve(message.value);
    else call.reject(message.unavailable ? new CacheUnavailableError(message.error) : new Error(message.error));
  };
  const failAll = (): void => {
    for (const [id, call] of pending) {
      pending.delete(id);
      clearTimeout(call.timer);
      call.reject(new CacheUnavailableError('the primary process is gone'));
    }
  };
  channel.on('message', onMessage);
  channel.on('disconnect', failAll);

  function call(op: CacheOperation, args: unknown[]): Promise<unknown> {
    if (closed) return Promise.reject(new CacheUnavailableError('the worker cache is closed'));
    if (typeof channel.send !== 'function') return Promise.reject(new CacheUnavailableError('not a worker process (no IPC channel)'));
    const id = nextId++;
    const request: CacheRequest = { type: REQUEST_TYPE, id, op, args };
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new CacheUnavailableError(`the primary did not answer ${op} within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, { resolve, reject, timer });
      const fail = (err: Error): void => {
        if (!pending.delete(id)) return;
        clearTimeout(timer);
        reject(new CacheUnavailableError(`cannot reach the primary: ${err.message}`));
      };
      try {
        channel.send?.(request, undefined, undefined, (err) => {
          if (err) fail(err);
        });
      } catch (err) {
        fail(err instanceof Error ? err : new Error(String(err)));
      }
    }).then(
      (value) => {
        lastCallFailed = false;
        return value;
      },
      (err: unknown) => {
        if (err instanceof CacheUnavailableError) lastCallFailed = true;
        throw err;
      },
    );
  }

  return {
    async recordFailure(key: string, limit: number, periodSec: number): Promise<LockoutState> {
      return (await call('recordFailure', [key, limit, periodSec])) as LockoutState;
    },
    async isLocked(key: string): Promise<boolean> {
      return (await call('isLocked', [key])) === true;
    },
    async clearFailures(key: string): Promise<void> {
      await call('clearFailures', [key]);
    },
    async putNonce(nonce: string, ttlSec: number): Promise<void> {
      await call('putNonce', [nonce, ttlSec]);
    },
    async takeNonce(nonce: string): Promise<boolean> {
      return (await call('takeNonce', [nonce])) === true;
    },
    async putSession(id: string, record: SessionRecord, ttlSec: number): Promise<void> {
      await call('putSession', [id, { account: record.account, kind: record.kind, createdAt: record.createdAt }, ttlSec]);
    },
    async getSession(id: string): Promise<SessionRecord | null> {
      return (await call('getSession', [id])) as SessionRecord | null;
    },
    async deleteSession(id: string): Promise<void> {
      await call('deleteSession', [id]);
    },
    async touchSession(id: string, ttlSec: number): Promise<boolean> {
      return (await call('touchSession', [id, ttlSec])) === true;
    },
    async listSessions(account: string): Promise<ListedSession[]> {
      return (await call('listSessions', [account])) as ListedSession[];
    },
    status(): CacheStatus {
      return lastCallFailed || closed ? 'degraded' : 'ok';
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      channel.off('message', onMessage);
      channel.off('disconnect', failAll);
      failAll();
    },
  };
}
