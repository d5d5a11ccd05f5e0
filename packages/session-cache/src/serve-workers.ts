import type { SessionCache } from '@portcullis/auth-core';
import { CacheUnavailableError } from './errors.js';
import { checkArguments, isCacheRequest, RESPONSE_TYPE, type CacheOperation, type CacheResponse } from './ipc-protocol.js';

/** A worker as the primary sees it; node:cluster's Worker fits. */
export interface IpcPeer {
  send(message: unknown, sendHandle?: undefined, callback?: (error: Error | null) => void): boolean;
}

/** Where worker messages arrive in the primary; node:cluster's `cluster` object fits. */
export interface WorkerHub {
  on(event: 'message', listener: (worker: IpcPeer, message: unknown) => void): unknown;
  off(event: 'message', listener: (worker: IpcPeer, message: unknown) => void): unknown;
}

/**
 * In the primary process: answer the cache requests of every worker from `cache` (the memory
 * cache), so that lockout counters and nonces are shared by all workers of one machine. Each
 * request is one cache call, atomic in the primary's single thread. Returns a function that
 * stops answering (it does not close `cache`).
 */
export function serveCacheToWorkers(cache: SessionCache, hub: WorkerHub): () => void {
  const listener = (worker: IpcPeer, message: unknown): void => {
    if (!isCacheRequest(message)) return;
    void answer(cache, message.op, message.args).then((result) => {
      const response: CacheResponse = { type: RESPONSE_TYPE, id: message.id, ...result };
      try {
        // the callback swallows a send to a worker that has just gone away
        worker.send(response, undefined, () => undefined);
      } catch {
        // channel already closed: the worker is gone and no longer waits
      }
    });
  };
  hub.on('message', listener);
  return () => {
    hub.off('message', listener);
  };
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: string; unavailable: boolean };

async function answer(cache: SessionCache, op: string, args: unknown[]): Promise<Outcome> {
  const problem = checkArguments(op, args);
  if (problem !== null) return { ok: false, error: problem, unavailable: false };
  try {
    // checkArguments vouched for the shapes; the call is spread through a loose function type
    const method = cache[op as CacheOperation] as (...a: unknown[]) => Promise<unknown>;
    const value = await method.apply(cache, args);
    return { ok: true, value: value === undefined ? null : value };
  } catch (err) {
    return {
      ok: false,
      error: err instanceof Error ? err.message : String(err),
      unavailable: err instanceof CacheUnavailableError,
    };
  }
}
