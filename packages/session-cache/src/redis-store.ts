import type { LockoutState, SessionRecord } from '@portcullis/auth-core';
import type { RedisClient } from '@portcullis/redis-client';
import { keyLayout, type KeyLayout } from './keys.js';
import { RECORD_FAILURE_LUA } from './lockout-script.js';

const SCRIPT_NAME = 'portcullisRecordFailure';

/** What defineCommand adds to the client; ioredis cannot type a command defined at run time. */
interface ScriptedClient {
  [SCRIPT_NAME](countKey: string, lockKey: string, limit: number, periodMs: number): Promise<[number, number]>;
}

/**
 * The cache operations against Redis, each one round trip. Errors (Redis down, timeouts)
 * propagate; the resilient cache decides what to do with them.
 */
export class RedisStore {
  private readonly keys: KeyLayout;
  private readonly scripted: ScriptedClient;

  constructor(
    readonly client: RedisClient,
    prefix?: string,
  ) {
    this.keys = keyLayout(prefix);
    // EVALSHA with a transparent EVAL on NOSCRIPT (after a restart or failover)
    client.defineCommand(SCRIPT_NAME, { numberOfKeys: 2, lua: RECORD_FAILURE_LUA });
    this.scripted = client as unknown as ScriptedClient;
  }

  async recordFailure(key: string, limit: number, periodSec: number): Promise<LockoutState> {
    const periodMs = Math.max(1, Math.round(finite(periodSec, 'period') * 1000));
    const [count, locked] = await this.scripted[SCRIPT_NAME](
      this.keys.lockoutCount(key),
      this.keys.lockoutLock(key),
      Math.max(0, Math.floor(limit)),
      periodMs,
    );
    return { count: Number(count), locked: Number(locked) === 1 };
  }

  async isLocked(key: string): Promise<boolean> {
    return (await this.client.exists(this.keys.lockoutLock(key))) === 1;
  }

  async clearFailures(key: string): Promise<void> {
    // one slot (hash tag), so one DEL is legal on Cluster too
    await this.client.del(this.keys.lockoutCount(key), this.keys.lockoutLock(key));
  }

  async putNonce(nonce: string, ttlSec: number): Promise<void> {
    await this.client.set(this.keys.nonce(nonce), '1', 'EX', ttlSeconds(ttlSec));
  }

  async takeNonce(nonce: string): Promise<boolean> {
    // DEL answers 1 to exactly one caller, whichever instance it runs on
    return (await this.client.del(this.keys.nonce(nonce))) === 1;
  }

  async putSession(id: string, record: SessionRecord, ttlSec: number): Promise<void> {
    const value = JSON.stringify({ account: record.account, kind: record.kind, createdAt: record.createdAt });
    await this.client.set(this.keys.session(id), value, 'EX', ttlSeconds(ttlSec));
  }

  async getSession(id: string): Promise<SessionRecord | null> {
    const raw = await this.client.get(this.keys.session(id));
    return raw === null ? null : parseSession(raw);
  }

  async deleteSession(id: string): Promise<void> {
    await this.client.del(this.keys.session(id));
  }

  async touchSession(id: string, ttlSec: number): Promise<boolean> {
    // EXPIRE answers 0 for a missing key and never creates one, so a closed session stays closed
    return (await this.client.expire(this.keys.session(id), ttlSeconds(ttlSec))) === 1;
  }
}

function finite(n: number, what: string): number {
  if (!Number.isFinite(n)) throw new RangeError(`${what} must be a finite number`);
  return n;
}

/** Whole seconds, at least 1: every key must expire, and EX 0 is an error. */
function ttlSeconds(ttlSec: number): number {
  return Math.max(1, Math.ceil(finite(ttlSec, 'ttl')));
}

/** A stored record that is not what we write (foreign or corrupt) is treated as absent. */
function parseSession(raw: string): SessionRecord | null {
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value !== 'object' || value === null) return null;
    const { account, kind, createdAt } = value as Record<string, unknown>;
    if (typeof account !== 'string' || (kind !== 'webuser' && kind !== 'ximss') || typeof createdAt !== 'number') return null;
    return { account, kind, createdAt };
  } catch {
    return null;
  }
}
