/**
 * The login log: the last N login attempts with, for a refusal, the rule that refused it. Fed by
 * the authenticator's onLogin observer (and the listeners' Grant/Deny refusals); read by
 * `GET /api/v1/login-log`.
 *
 * Where it lives: with a Redis cache, in one capped Redis list (LPUSH + LTRIM) that every worker
 * and instance writes to, so any of them answers for all; with the memory cache, in the process
 * (and with node:cluster workers, in the primary: login-log-ipc.ts). A Redis error falls back to
 * this process's own ring, as the session cache does.
 */
import type { LoginEvent } from '@portcullis/auth-core';
import { closeRedisClient, type RedisClient } from '@portcullis/redis-client';

export interface LoginLogEntry {
  /** ISO 8601 */
  time: string;
  service: string;
  /** the login name as given (user@domain once resolved); '' when the connection was refused before any */
  account: string;
  /** the client's address */
  address: string;
  mechanism: string;
  ok: boolean;
  /** failures: the failure code the client was given (after hideUnknownAccount) */
  code?: string;
  /** failures: which rule refused it, for the administrator */
  rule?: string;
}

export interface LoginLogQuery {
  limit: number;
  /** user@domain (exact), or a name without domain (matches it in any domain) */
  account?: string | undefined;
  ok?: boolean | undefined;
}

export interface LoginLog {
  record(entry: LoginLogEntry): void;
  /** newest first */
  recent(query: LoginLogQuery): Promise<LoginLogEntry[]>;
  close(): Promise<void>;
}

export const LOGIN_LOG_SIZE = 1000;

export function loginLogEntry(event: LoginEvent, now: number = Date.now()): LoginLogEntry {
  const ok = event.result === 'success';
  let rule = event.rule;
  if (event.locked) rule = `${rule ?? 'wrong password'}; this failure locked the account`;
  return {
    time: new Date(now).toISOString(),
    service: event.service,
    account: event.account ?? '',
    address: event.remoteAddress ?? '',
    mechanism: event.mechanism,
    ok,
    ...(ok ? {} : { code: event.result }),
    ...(!ok && rule !== undefined ? { rule } : {}),
  };
}

const REFUSAL_RULES: Record<string, string> = {
  deny: "client address refused by the listener's Grant/Deny lists",
  'untrusted-proxy': 'PROXY header from an address not in proxyTrusted',
  'bad-proxy-header': 'malformed PROXY header',
  'proxy-timeout': 'no PROXY header in time',
};

/** A connection the listener closed before any login (Grant/Deny, PROXY problems). */
export function refusedConnectionEntry(e: { service: string; remoteAddress: string; reason: string }, now: number = Date.now()): LoginLogEntry {
  return {
    time: new Date(now).toISOString(),
    service: e.service,
    account: '',
    address: e.remoteAddress,
    mechanism: '',
    ok: false,
    code: e.reason,
    rule: REFUSAL_RULES[e.reason] ?? e.reason,
  };
}

function matches(entry: LoginLogEntry, query: LoginLogQuery): boolean {
  if (query.ok !== undefined && entry.ok !== query.ok) return false;
  if (query.account) {
    const want = query.account.toLowerCase();
    const have = entry.account.toLowerCase();
    if (want.includes('@') ? have !== want : have !== want && !have.startsWith(`${want}@`)) return false;
  }
  return true;
}

export function select(entries: Iterable<LoginLogEntry>, query: LoginLogQuery): LoginLogEntry[] {
  const out: LoginLogEntry[] = [];
  for (const e of entries) {
    if (out.length >= query.limit) break;
    if (matches(e, query)) out.push(e);
  }
  return out;
}

/** The last `size` entries of this process. */
export class MemoryLoginLog implements LoginLog {
  private readonly ring: LoginLogEntry[] = [];
  private next = 0;

  constructor(private readonly size: number = LOGIN_LOG_SIZE) {}

  record(entry: LoginLogEntry): void {
    if (this.ring.length < this.size) this.ring.push(entry);
    else this.ring[this.next] = entry;
    this.next = (this.next + 1) % this.size;
  }

  /** newest first */
  *newest(): Generator<LoginLogEntry> {
    const n = this.ring.length;
    for (let i = 1; i <= n; i++) yield this.ring[(this.next - i + n * 2) % n]!;
  }

  async recent(query: LoginLogQuery): Promise<LoginLogEntry[]> {
    return select(this.newest(), query);
  }

  async close(): Promise<void> {}
}

interface Logger {
  warn(obj: object, msg?: string): void;
}

function parseEntry(text: string): LoginLogEntry | null {
  try {
    const v = JSON.parse(text) as Partial<LoginLogEntry>;
    return typeof v.time === 'string' && typeof v.ok === 'boolean' ? (v as LoginLogEntry) : null;
  } catch {
    return null;
  }
}

/** One capped Redis list for every instance; this process's ring while Redis does not answer. */
export class RedisLoginLog implements LoginLog {
  private readonly local: MemoryLoginLog;
  private warned = false;

  constructor(
    private readonly client: RedisClient,
    private readonly key: string,
    private readonly size: number = LOGIN_LOG_SIZE,
    private readonly logger?: Logger,
    private readonly ownsClient = true,
  ) {
    this.local = new MemoryLoginLog(size);
  }

  private failed(err: unknown): void {
    if (this.warned) return;
    this.warned = true;
    this.logger?.warn({ err: err instanceof Error ? err.message : String(err) }, 'login log: Redis unavailable, keeping entries in this process');
  }

  record(entry: LoginLogEntry): void {
    this.local.record(entry);
    this.client
      .multi()
      .lpush(this.key, JSON.stringify(entry))
      .ltrim(this.key, 0, this.size - 1)
      .exec()
      .then(() => {
        this.warned = false;
      }, (err: unknown) => this.failed(err));
  }

  async recent(query: LoginLogQuery): Promise<LoginLogEntry[]> {
    let texts: string[];
    try {
      texts = await this.client.lrange(this.key, 0, this.size - 1);
    } catch (err) {
      this.failed(err);
      return this.local.recent(query);
    }
    const entries = texts.map(parseEntry).filter((e): e is LoginLogEntry => e !== null);
    return select(entries, query);
  }

  async close(): Promise<void> {
    if (this.ownsClient) await closeRedisClient(this.client);
  }
}
