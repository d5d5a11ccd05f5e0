/**
 * The native splice(2) relay (native/splice.cc), loaded once. Absent (not built, not Linux) it is
 * `undefined` and relaySession copies with the JS pipe instead.
 */
import { createRequire } from 'node:module';
import { isMainThread } from 'node:worker_threads';

export interface SpliceOutcome {
  reason: 'client-closed' | 'upstream-closed' | 'idle-timeout' | 'total-timeout' | 'error';
  /** bytes read from the client / the upstream socket by the relay thread */
  bytesUp: number;
  bytesDown: number;
  /** the socket error behind reason `error`, 0 otherwise */
  errno: number;
}

export interface SpliceBinding {
  /**
   * Relay two plain TCP sockets in the kernel on the addon's relay thread until both directions
   * ended (a FIN is passed on with shutdown(SHUT_WR)), an error, the idle or total timeout, or
   * `lingerMs` after the first side ended. The addon relays on dup()s of the fds and closes only
   * those: the caller still closes its sockets.
   */
  spliceRelay(clientFd: number, upstreamFd: number, idleTimeoutMs: number, totalTimeoutMs: number, lingerMs: number): { id: number; done: Promise<SpliceOutcome> };
  /** end session `id` now (reason `error` unless a side had already ended) */
  spliceCancel(id: number): void;
}

let loaded: SpliceBinding | null | undefined;
let loadError: string | undefined;

/** the binding, or undefined when it cannot be loaded (the reason in spliceUnavailableReason) */
export function spliceBinding(): SpliceBinding | undefined {
  if (loaded === undefined) {
    try {
      if (process.platform !== 'linux') throw new Error(`splice(2) is Linux only (platform ${process.platform})`);
      // a worker thread may end while its sessions run, and N-API frees their thread-safe
      // functions with it, under the relay thread's feet; the gateway scales with processes
      if (!isMainThread) throw new Error('not on the main thread');
      // dist/native from both src/ (tests) and dist/ (built code)
      loaded = createRequire(import.meta.url)('../dist/native/portcullis_splice.node') as SpliceBinding;
    } catch (err) {
      loaded = null;
      loadError = err instanceof Error ? err.message : String(err);
    }
  }
  return loaded ?? undefined;
}

export function spliceUnavailableReason(): string | undefined {
  spliceBinding();
  return loadError;
}
