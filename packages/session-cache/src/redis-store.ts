import type { ListedSession, LockoutState, SessionRecord } from '@portcullis/auth-core';
import type { RedisClient } from '@portcullis/redis-client';
import { keyLayout, type KeyLayout } from './keys.js';
import { RECORD_FAILURE_LUA } from './lockout-script.js';

const SCRIPT_NAME = 'portcullisRecordFailure';

/**
 * An account's set of session IDs: add one, and let the set live at least as long as it.
 * KEYS: the set. ARGV: session ID, its lifetime in ms.
 */
const INDEX_SESSION_LUA = `
redis.call('SADD', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1
`;

/** Remove a session, answering what it held (its account's set is then updated). KEYS: the session. */
const TAKE_SESSION_LUA = `
local v = redis.call('GET', KEYS[1])
if v then redis.call('DEL', KEYS[1]) end
return v
`;

/** Extend a session, answering what it holds; nothing for a missing one. KEYS: the session. ARGV: seconds. */
const TOUCH_SESSION_LUA = `
if redis.call('EXPIRE', KEYS[1], ARGV[1]) == 1 then return redis.call('GET', KEYS[1]) end
return false
`;

/** the most sessions one listing reads (an account with more is an attack or a leak) */
const MAX_LISTED = 1000;

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
    const ttl = ttlSeconds(ttlSec);
    await this.client.set(this.keys.session(id), value, 'EX', ttl);
    // the account's index lives in another key (another Cluster slot): a second command
    await this.index(record.account, id, ttl);
  }

  private async index(account: string, id: string, ttl: number): Promise<void> {
    await this.client.eval(INDEX_SESSION_LUA, 1, this.keys.accountSessions(account), id, ttl * 1000);
  }

  async getSession(id: string): Promise<SessionRecord | null> {
    const raw = await this.client.get(this.keys.session(id));
    return raw === null ? null : parseSession(raw);
  }

  async deleteSession(id: string): Promise<void> {
    const raw = (await this.client.eval(TAKE_SESSION_LUA, 1, this.keys.session(id))) as string | null;
    const record = raw === null ? null : parseSession(raw);
    if (record) await this.client.srem(this.keys.accountSessions(record.account), id);
  }

  async touchSession(id: string, ttlSec: number): Promise<boolean> {
    const ttl = ttlSeconds(ttlSec);
    // EXPIRE answers 0 for a missing key and never creates one, so a closed session stays closed
    const raw = (await this.client.eval(TOUCH_SESSION_LUA, 1, this.keys.session(id), ttl)) as string | null;
    if (raw === null) return false;
    // the account's index must outlive the session it lists
    const record = parseSession(raw);
    if (record) await this.index(record.account, id, ttl);
    return true;
  }

  /** The account's live sessions; IDs whose session has expired are dropped from its set. */
  async listSessions(account: string): Promise<ListedSession[]> {
    const setKey = this.keys.accountSessions(account);
    const ids = (await this.client.smembers(setKey)).slice(0, MAX_LISTED);
    const now = Date.now();
    const found = await Promise.all(
      ids.map(async (id) => {
        const key = this.keys.session(id);
        const [raw, pttl] = await Promise.all([this.client.get(key), this.client.pttl(key)]);
        const record = raw === null ? null : parseSession(raw);
        return { id, record, pttl };
      }),
    );
    const gone = found.filter((f) => f.record === null || f.pttl < 0).map((f) => f.id);
    if (gone.length > 0) await this.client.srem(setKey, ...gone);
    return found
      .filter((f): f is { id: string; record: SessionRecord; pttl: number } => f.record !== null && f.pttl >= 0)
      .filter((f) => f.record.account.toLowerCase() === account.toLowerCase())
      .map((f) => ({ id: f.id, record: f.record, expiresAt: now + f.pttl }))
      .sort((a, b) => a.record.createdAt - b.record.createdAt);
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
