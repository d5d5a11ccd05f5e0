/** The Monitor right's pages: login log, lockout status and unlock, sessions. */
import { lockoutKey, type SessionRecord } from '@portcullis/auth-core';
import { CacheUnavailableError } from '@portcullis/session-cache';
import { canMonitor, canWriteDomain, requireThat } from './access.js';
import type { Caller } from './caller.js';
import type { AdminDeps } from './deps.js';
import { AdminError, badRequest } from './errors.js';
import type { LoginLogEntry, LoginLogQuery } from './login-log.js';

async function cacheCall<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof CacheUnavailableError) throw new AdminError(503, 'the session cache is unavailable');
    throw err;
  }
}

export async function loginLog(deps: AdminDeps, caller: Caller, query: LoginLogQuery): Promise<LoginLogEntry[]> {
  requireThat(canMonitor(caller), 'Monitor');
  return deps.loginLog.recent(query);
}

/** `user@domain` (or a name in the main domain), canonical as the lockout counts it. */
function lockoutAddress(deps: AdminDeps, key: string): string {
  const k = key.trim().toLowerCase();
  if (k.length === 0 || k.length > 512 || /[\s\0]/.test(k)) throw badRequest('key: expected an account address');
  return k.includes('@') ? k : `${k}@${deps.config.mainDomain}`;
}

/** Monitor sees every lockout; a domain administrator those of its own domain's accounts. */
function mayTouchLockout(caller: Caller, address: string): boolean {
  return canMonitor(caller) || canWriteDomain(caller, address.slice(address.lastIndexOf('@') + 1));
}

export async function lockoutStatus(deps: AdminDeps, caller: Caller, key: string): Promise<{ key: string; locked: boolean }> {
  const address = lockoutAddress(deps, key);
  requireThat(mayTouchLockout(caller, address), 'Monitor');
  return { key: address, locked: await cacheCall(() => deps.cache.isLocked(lockoutKey(address))) };
}

export async function unlock(deps: AdminDeps, caller: Caller, key: string): Promise<void> {
  const address = lockoutAddress(deps, key);
  requireThat(mayTouchLockout(caller, address), 'Monitor');
  await cacheCall(() => deps.cache.clearFailures(lockoutKey(address)));
}

export interface SessionView {
  /** the session ID itself: who may list sessions may close them (DELETE /sessions/:id) */
  id: string;
  account: string;
  kind: SessionRecord['kind'];
  createdAt: number;
  expiresAt: number;
}

/**
 * One account's open sessions: Monitor, or an administrator of the account's domain (who may
 * close them anyway). The answer carries the session IDs, which are bearer credentials: only
 * these callers see them.
 */
export async function listSessions(deps: AdminDeps, caller: Caller, account: string | undefined): Promise<SessionView[]> {
  if (account === undefined || account.trim() === '') {
    requireThat(canMonitor(caller), 'Monitor');
    throw badRequest('account: give the account whose sessions to list (account=user@domain)');
  }
  const address = lockoutAddress(deps, account);
  requireThat(mayTouchLockout(caller, address), 'Monitor');
  const cache = deps.cache;
  if (typeof cache.listSessions !== 'function') throw new AdminError(501, 'this session cache cannot list sessions; close one by its ID');
  const found = await cacheCall(() => cache.listSessions!(address));
  return found.map(({ id, record, expiresAt }) => ({ id, account: record.account, kind: record.kind, createdAt: record.createdAt, expiresAt }));
}

/**
 * Close every session of `addresses` (after their accounts were deleted). Best effort: the
 * accounts are gone whatever happens here, and a session of a deleted account grants nothing
 * but its own GET /session; answers how many were closed.
 */
export async function closeSessionsOf(deps: Pick<AdminDeps, 'cache'>, addresses: readonly string[]): Promise<number> {
  const cache = deps.cache;
  if (typeof cache.listSessions !== 'function') return 0;
  let closed = 0;
  for (const address of addresses) {
    try {
      for (const { id } of await cache.listSessions(address)) {
        await cache.deleteSession(id);
        closed++;
      }
    } catch (err) {
      if (!(err instanceof CacheUnavailableError)) throw err;
    }
  }
  return closed;
}

/** Close a session: Monitor, or an administrator of the session's account's domain. */
export async function closeSession(deps: AdminDeps, caller: Caller, id: string): Promise<void> {
  if (id.length === 0 || id.length > 256) throw badRequest('expected a session ID');
  const record = await cacheCall(() => deps.cache.getSession(id));
  if (!record) {
    requireThat(canMonitor(caller), 'Monitor');
    throw new AdminError(404, 'no such session, or it has expired');
  }
  requireThat(canMonitor(caller) || canWriteDomain(caller, record.account.slice(record.account.lastIndexOf('@') + 1)), 'Monitor');
  await cacheCall(() => deps.cache.deleteSession(id));
}
