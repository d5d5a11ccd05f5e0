import type { ListedSession, LockoutState, SessionCache, SessionRecord } from '@portcullis/auth-core';
import { CacheUnavailableError } from './errors.js';

export type CacheStatus = 'ok' | 'degraded';

/** The subset of a pino logger the caches write to; a pino Logger fits as it is. */
export interface CacheLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/** A SessionCache that can say whether it is running on its fallback (for /readyz). */
export interface ManagedSessionCache extends SessionCache {
  status(): CacheStatus;
}

/** A cache of this package: it has every optional session operation of the port. */
export type FullSessionCache = ManagedSessionCache & Required<Pick<SessionCache, 'touchSession' | 'listSessions'>>;

/** The shared store's operations; each may throw when the store is unreachable. */
export type SharedStore = Omit<SessionCache, 'close'>;

/** Where the resilient cache learns whether its connection is up (ioredis status and events). */
export interface ConnectionHealth {
  isConnected(): boolean;
  /** call `listener` each time the connection becomes usable again */
  onReconnected(listener: () => void): void;
  /** call `listener` when the connection drops */
  onDisconnected(listener: () => void): void;
  /** a cheap round trip; while degraded it is tried every probe interval, so status() recovers without traffic */
  ping?(): Promise<unknown>;
}

export interface ResilientCacheOptions {
  logger?: CacheLogger;
  /** every error of the shared store, for a metrics counter */
  onError?: (err: Error, operation: string) => void;
  /** called on each change between 'ok' and 'degraded' */
  onStatusChange?: (status: CacheStatus) => void;
  /**
   * After a failed call while the connection still looks up (a frozen server, a timeout), the
   * other calls go to the fallback and one call every this many ms tries the store again;
   * default 1000.
   */
  probeIntervalMs?: number;
  /** run when the cache is closed (closing the client it owns) */
  onClose?: () => Promise<void>;
  now?: () => number;
}

const WARNING =
  'shared cache unavailable: lockout now counted per instance, nonces kept on this instance, session-ID logins refused';

/**
 * The shared store with a documented fallback while it is unreachable:
 * - lockout: counted in this instance's memory (so N instances may allow up to N x the limit
 *   during the outage); a lock made there is still honoured after the store returns;
 * - nonces: kept in this instance's memory; a nonce issued during the outage can be taken only
 *   on this instance, and a replay on another instance is possible only during the outage;
 * - sessions: getSession answers null, putSession and deleteSession throw CacheUnavailableError.
 * No call waits for the store longer than its client's command timeout; a warning is logged
 * once per outage and a note when the store is back, which it uses again by itself.
 */
export class ResilientCache implements ManagedSessionCache {
  private down = false;
  private nextProbeAt = 0;
  private closed = false;
  private probeTimer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private readonly probeIntervalMs: number;

  constructor(
    private readonly store: SharedStore,
    private readonly local: SessionCache,
    private readonly health: ConnectionHealth,
    private readonly options: ResilientCacheOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.probeIntervalMs = options.probeIntervalMs ?? 1000;
    health.onReconnected(() => this.markUp());
    health.onDisconnected(() => this.markDown('connection lost'));
  }

  status(): CacheStatus {
    return !this.down && this.health.isConnected() ? 'ok' : 'degraded';
  }

  /** Mark the store unreachable now (it did not answer at start-up). */
  markDown(reason: string): void {
    if (this.closed || this.down) return;
    this.down = true;
    this.nextProbeAt = this.now() + this.probeIntervalMs;
    this.options.logger?.warn({ reason }, WARNING);
    this.options.onStatusChange?.('degraded');
    this.startProbing();
  }

  private startProbing(): void {
    const ping = this.health.ping?.bind(this.health);
    if (!ping || this.probeTimer) return;
    this.probeTimer = setInterval(() => {
      if (!this.down || !this.health.isConnected()) return;
      ping().then(
        () => this.markUp(),
        () => undefined,
      );
    }, this.probeIntervalMs);
    this.probeTimer.unref();
  }

  private stopProbing(): void {
    clearInterval(this.probeTimer);
    this.probeTimer = undefined;
  }

  private markUp(): void {
    if (this.closed || !this.down) return;
    this.down = false;
    this.stopProbing();
    this.options.logger?.info({}, 'shared cache is back; lockout, nonces and sessions are shared again');
    this.options.onStatusChange?.('ok');
  }

  private useStore(): boolean {
    if (this.closed || !this.health.isConnected()) return false;
    if (!this.down) return true;
    // connected but a call failed: let one call through now and then to find out
    const t = this.now();
    if (t < this.nextProbeAt) return false;
    this.nextProbeAt = t + this.probeIntervalMs;
    return true;
  }

  private async run<T>(operation: string, viaStore: () => Promise<T>, fallback: () => Promise<T>): Promise<T> {
    if (this.useStore()) {
      try {
        const value = await viaStore();
        this.markUp();
        return value;
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        this.options.onError?.(error, operation);
        this.markDown(error.message);
      }
    } else if (!this.closed && !this.down) {
      this.markDown('not connected');
    }
    return fallback();
  }

  async recordFailure(key: string, limit: number, periodSec: number): Promise<LockoutState> {
    return this.run(
      'recordFailure',
      () => this.store.recordFailure(key, limit, periodSec),
      () => this.local.recordFailure(key, limit, periodSec),
    );
  }

  async isLocked(key: string): Promise<boolean> {
    // a lock counted here during an outage still holds after the store is back
    if (await this.local.isLocked(key)) return true;
    return this.run('isLocked', () => this.store.isLocked(key), async () => false);
  }

  async clearFailures(key: string): Promise<void> {
    await this.local.clearFailures(key);
    await this.run('clearFailures', () => this.store.clearFailures(key), async () => undefined);
  }

  async putNonce(nonce: string, ttlSec: number): Promise<void> {
    await this.run('putNonce', () => this.store.putNonce(nonce, ttlSec), () => this.local.putNonce(nonce, ttlSec));
  }

  async takeNonce(nonce: string): Promise<boolean> {
    const shared = await this.run('takeNonce', () => this.store.takeNonce(nonce), async () => false);
    // a nonce issued here during an outage lives only here; still single use
    return shared || this.local.takeNonce(nonce);
  }

  async putSession(id: string, record: SessionRecord, ttlSec: number): Promise<void> {
    await this.run('putSession', () => this.store.putSession(id, record, ttlSec), unavailable);
  }

  async getSession(id: string): Promise<SessionRecord | null> {
    return this.run('getSession', () => this.store.getSession(id), async () => null);
  }

  async deleteSession(id: string): Promise<void> {
    await this.run('deleteSession', () => this.store.deleteSession(id), unavailable);
  }

  async touchSession(id: string, ttlSec: number): Promise<boolean> {
    const store = this.store;
    // like getSession: during an outage no session is open
    return this.run('touchSession', async () => (store.touchSession ? store.touchSession(id, ttlSec) : false), async () => false);
  }

  async listSessions(account: string): Promise<ListedSession[]> {
    const store = this.store;
    if (!store.listSessions) return unavailable();
    // sessions live only in the store: during an outage there is nothing to list
    return this.run('listSessions', () => store.listSessions!(account), unavailable);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopProbing();
    await this.local.close();
    await this.options.onClose?.();
  }
}

async function unavailable(): Promise<never> {
  throw new CacheUnavailableError('session IDs need the shared cache, which is unavailable');
}
