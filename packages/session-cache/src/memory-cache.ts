import type { ListedSession, LockoutState, SessionRecord } from '@portcullis/auth-core';
import { BoundedExpiringMap } from './bounded-map.js';
import type { FullSessionCache } from './resilient-cache.js';

export interface MemoryCacheOptions {
  /** clock in milliseconds (tests) */
  now?: () => number;
  /** hard cap per kind of entry (failure counters, nonces, sessions); default 100000 */
  maxEntries?: number;
}

interface FailureEntry {
  count: number;
  /** end of the counting window, which opens at the first failure */
  windowEnd: number;
  /** 0 when not locked */
  lockedUntil: number;
  /** when this entry may be forgotten */
  expiresAt: number;
}

interface NonceEntry {
  expiresAt: number;
}

interface SessionEntry {
  record: SessionRecord;
  expiresAt: number;
}

const DEFAULT_MAX_ENTRIES = 100_000;

/**
 * The cache for one process. Every method is synchronous inside, so each operation is atomic
 * just as the Redis implementation's single round trips will be.
 */
export function createMemoryCache(options: MemoryCacheOptions = {}): FullSessionCache {
  const now = options.now ?? Date.now;
  const max = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const failures = new BoundedExpiringMap<FailureEntry>(max, now);
  const nonces = new BoundedExpiringMap<NonceEntry>(max, now);
  const sessions = new BoundedExpiringMap<SessionEntry>(max, now);

  return {
    async recordFailure(key: string, limit: number, periodSec: number): Promise<LockoutState> {
      const t = now();
      const periodMs = Math.max(0, periodSec) * 1000;
      let entry = failures.get(key);
      if (entry && entry.lockedUntil <= t && entry.windowEnd <= t) entry = undefined;
      if (entry && entry.lockedUntil > t) {
        // failures while locked are counted but do not extend the lock
        entry.count += 1;
        return { count: entry.count, locked: true };
      }
      if (!entry) {
        entry = { count: 0, windowEnd: t + periodMs, lockedUntil: 0, expiresAt: t + periodMs };
      }
      entry.count += 1;
      if (limit > 0 && entry.count >= limit) {
        entry.lockedUntil = t + periodMs;
        entry.expiresAt = Math.max(entry.windowEnd, entry.lockedUntil);
      }
      failures.set(key, entry);
      return { count: entry.count, locked: entry.lockedUntil > t };
    },

    async isLocked(key: string): Promise<boolean> {
      const entry = failures.get(key);
      return entry !== undefined && entry.lockedUntil > now();
    },

    async clearFailures(key: string): Promise<void> {
      failures.delete(key);
    },

    async putNonce(nonce: string, ttlSec: number): Promise<void> {
      nonces.set(nonce, { expiresAt: now() + ttlSec * 1000 });
    },

    async takeNonce(nonce: string): Promise<boolean> {
      const entry = nonces.get(nonce);
      if (entry === undefined) return false;
      nonces.delete(nonce);
      return true;
    },

    async putSession(id: string, record: SessionRecord, ttlSec: number): Promise<void> {
      sessions.set(id, { record: { ...record }, expiresAt: now() + ttlSec * 1000 });
    },

    async getSession(id: string): Promise<SessionRecord | null> {
      const entry = sessions.get(id);
      return entry ? { ...entry.record } : null;
    },

    async deleteSession(id: string): Promise<void> {
      sessions.delete(id);
    },

    async touchSession(id: string, ttlSec: number): Promise<boolean> {
      const entry = sessions.get(id);
      if (!entry) return false;
      entry.expiresAt = now() + ttlSec * 1000;
      return true;
    },

    async listSessions(account: string): Promise<ListedSession[]> {
      // a scan rather than an index: listing is an administrator's rare request, while an index
      // would cost every login and need its own expiry bookkeeping; the map is capped anyway
      const who = account.toLowerCase();
      const out: ListedSession[] = [];
      for (const [id, entry] of sessions.entries()) {
        if (entry.record.account.toLowerCase() === who) out.push({ id, record: { ...entry.record }, expiresAt: entry.expiresAt });
      }
      return out.sort((a, b) => a.record.createdAt - b.record.createdAt);
    },

    status: () => 'ok',

    async close(): Promise<void> {
      failures.clear();
      nonces.clear();
      sessions.clear();
    },
  };
}
