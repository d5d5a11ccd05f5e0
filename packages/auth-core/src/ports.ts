/**
 * The only ways auth-core reaches storage and caches. packages/directory and
 * packages/session-cache implement these; tests may use the in-memory ones.
 */
import type { AccountRecord, DomainSettings, ServerSettings } from './settings.js';

export interface DirectoryStore {
  getServerSettings(): Promise<ServerSettings>;
  setServerSettings(settings: ServerSettings): Promise<void>;
  /** By canonical name only; use resolveDomain for aliases. */
  getDomain(name: string): Promise<DomainSettings | null>;
  /** Canonical name or alias -> the domain, or null. Case-insensitive. */
  resolveDomain(nameOrAlias: string): Promise<DomainSettings | null>;
  listDomains(): Promise<string[]>;
  createDomain(settings: DomainSettings): Promise<void>;
  updateDomain(settings: DomainSettings): Promise<void>;
  getAccount(domain: string, name: string): Promise<AccountRecord | null>;
  listAccounts(domain: string): Promise<string[]>;
  createAccount(account: AccountRecord): Promise<void>;
  updateAccount(account: AccountRecord): Promise<void>;
  close(): Promise<void>;
}

export interface LockoutState {
  /** failures counted in the current period, including this one */
  count: number;
  /** the account is now locked */
  locked: boolean;
}

export interface SessionRecord {
  /** account address, user@domain */
  account: string;
  kind: 'webuser' | 'ximss';
  createdAt: number;
}

/**
 * Shared, expiring state. Every operation is atomic on its own (the Redis implementation does
 * each in one round trip), so several instances can share one cache.
 */
export interface SessionCache {
  /** Count one failed login for `key`; lock for `periodSec` once `limit` is reached. */
  recordFailure(key: string, limit: number, periodSec: number): Promise<LockoutState>;
  isLocked(key: string): Promise<boolean>;
  /** Forget failures (after a good login). */
  clearFailures(key: string): Promise<void>;
  putNonce(nonce: string, ttlSec: number): Promise<void>;
  /** True exactly once for a nonce that was put and has not expired. */
  takeNonce(nonce: string): Promise<boolean>;
  putSession(id: string, record: SessionRecord, ttlSec: number): Promise<void>;
  getSession(id: string): Promise<SessionRecord | null>;
  deleteSession(id: string): Promise<void>;
  close(): Promise<void>;
}

/** One domain's access rights: account name (in that domain) -> right names. */
export type DomainAccessRights = Record<string, string[]>;

/**
 * Where access rights live: one document per domain (the spec's Access.settings). A separate,
 * optional capability of a directory store; see `hasAccessRightsStore`.
 */
export interface AccessRightsStore {
  /** An empty mapping when nothing was granted in the domain. */
  getAccessRights(domain: string): Promise<DomainAccessRights>;
  /** Replaces the domain's whole document; the domain must exist. */
  setAccessRights(domain: string, rights: DomainAccessRights): Promise<void>;
}
