/**
 * An in-memory SessionCache for the auth-core tests (auth-core must not depend on the real
 * stores; the in-memory DirectoryStore is src/testing, shared with the protocol packages' tests),
 * a controllable clock, and a connection builder.
 */
import type { AuthLogger } from '../src/authenticator.js';
import type { ConnectionInfo } from '../src/connection.js';
import type { LockoutState, SessionCache, SessionRecord } from '../src/ports.js';
import type { AccountRecord } from '../src/settings.js';
import { createAuthenticator } from '../src/service/authenticator.js';
import type { AuthenticatorOptions } from '../src/service/options.js';
import { createDefaultMechanisms } from '../src/sasl/index.js';
import type { Authenticator } from '../src/authenticator.js';

import { MemoryDirectory } from '../src/testing/memory-directory.js';

export { MemoryDirectory };

export class Clock {
  t = 1_700_000_000_000;
  now = (): number => this.t;
  advance(seconds: number): void {
    this.t += seconds * 1000;
  }
}

interface FailureEntry {
  count: number;
  windowEnd: number;
  lockedUntil: number;
}

export class MemoryCache implements SessionCache {
  failures = new Map<string, FailureEntry>();
  nonces = new Map<string, number>();
  sessions = new Map<string, { record: SessionRecord; expiresAt: number }>();
  recordFailureCalls = 0;

  constructor(private readonly clock: Clock) {}

  async recordFailure(key: string, limit: number, periodSec: number): Promise<LockoutState> {
    this.recordFailureCalls += 1;
    const t = this.clock.now();
    let e = this.failures.get(key);
    if (e && e.lockedUntil <= t && e.windowEnd <= t) e = undefined;
    if (e && e.lockedUntil > t) {
      e.count += 1;
      return { count: e.count, locked: true };
    }
    e ??= { count: 0, windowEnd: t + periodSec * 1000, lockedUntil: 0 };
    e.count += 1;
    if (limit > 0 && e.count >= limit) e.lockedUntil = t + periodSec * 1000;
    this.failures.set(key, e);
    return { count: e.count, locked: e.lockedUntil > t };
  }
  async isLocked(key: string): Promise<boolean> {
    const e = this.failures.get(key);
    return e !== undefined && e.lockedUntil > this.clock.now();
  }
  async clearFailures(key: string): Promise<void> {
    this.failures.delete(key);
  }
  async putNonce(nonce: string, ttlSec: number): Promise<void> {
    this.nonces.set(nonce, this.clock.now() + ttlSec * 1000);
  }
  async takeNonce(nonce: string): Promise<boolean> {
    const exp = this.nonces.get(nonce);
    this.nonces.delete(nonce);
    return exp !== undefined && exp > this.clock.now();
  }
  async putSession(id: string, record: SessionRecord, ttlSec: number): Promise<void> {
    this.sessions.set(id, { record, expiresAt: this.clock.now() + ttlSec * 1000 });
  }
  async getSession(id: string): Promise<SessionRecord | null> {
    const s = this.sessions.get(id);
    return s && s.expiresAt > this.clock.now() ? s.record : null;
  }
  async deleteSession(id: string): Promise<void> {
    this.sessions.delete(id);
  }
  async close(): Promise<void> {}
}

export interface LogEntry {
  level: 'info' | 'warn' | 'debug';
  obj: object;
  msg: string | undefined;
}

export function recordingLogger(): { logger: AuthLogger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  return {
    entries,
    logger: {
      info: (obj, msg) => entries.push({ level: 'info', obj, msg }),
      warn: (obj, msg) => entries.push({ level: 'warn', obj, msg }),
      debug: (obj, msg) => entries.push({ level: 'debug', obj, msg }),
    },
  };
}

export const MAIN = 'example.test';

export function conn(overrides: Partial<ConnectionInfo> = {}): ConnectionInfo {
  return {
    service: 'imap',
    id: 'conn-1',
    remoteAddress: '198.51.100.20',
    remotePort: 50000,
    localAddress: '198.51.100.1',
    localPort: 143,
    secure: false,
    serverName: 'mail.example.test',
    ...overrides,
  };
}

export const tls = (overrides: Partial<ConnectionInfo> = {}): ConnectionInfo => conn({ secure: true, ...overrides });

export interface World {
  directory: MemoryDirectory;
  cache: MemoryCache;
  clock: Clock;
  auth: Authenticator;
  log: LogEntry[];
}

/** A main domain (with alias `alias.test`) and an authenticator over it, with no failure delay. */
export function world(options: Partial<AuthenticatorOptions> = {}): World {
  const directory = new MemoryDirectory();
  directory.domains.set(MAIN, { name: MAIN, aliases: ['alias.test'] });
  directory.domains.set('other.test', { name: 'other.test' });
  const clock = new Clock();
  const cache = new MemoryCache(clock);
  const { logger, entries } = recordingLogger();
  const auth = createAuthenticator({
    directory,
    cache,
    mainDomain: MAIN,
    mechanisms: createDefaultMechanisms(),
    logger,
    failureDelayMs: 0,
    now: clock.now,
    ...options,
  });
  return { directory, cache, clock, auth, log: entries };
}

export function addAccount(w: World, address: string, settings: AccountRecord['settings']): AccountRecord {
  const [name, domain] = address.split('@') as [string, string];
  const record = { name, domain, settings };
  w.directory.accounts.set(`${domain}/${name}`, structuredClone(record));
  return record;
}

/** PLAIN initial response. */
export function plain(authcid: string, password: string, authzid = ''): Buffer {
  return Buffer.from(`${authzid}\0${authcid}\0${password}`, 'utf8');
}
