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
  /**
   * Sliding expiry: the open session `id` now expires `ttlSec` from now. False when it is unknown,
   * closed or expired (a touch never brings one back). Optional: a cache without it keeps each
   * session for the lifetime it was put with.
   */
  touchSession?(id: string, ttlSec: number): Promise<boolean>;
  /**
   * The open sessions of `account` (canonical user@domain), for the administrator who may close
   * them. Optional: a cache without it cannot list sessions.
   */
  listSessions?(account: string): Promise<ListedSession[]>;
  close(): Promise<void>;
}

/** One open session as listSessions answers it. */
export interface ListedSession {
  id: string;
  record: SessionRecord;
  /** ms since the epoch (a touch moves it) */
  expiresAt: number;
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

/**
 * One mailbox an account created on the built-in IMAP session. `acl` maps an ACL element name as
 * written (`sam`, `-sam`, `+sam@other.test`, `#sales`, `anyone@`) to its rights as the ACL model
 * spells them; the store keeps both as opaque strings.
 */
export interface MailboxRecord {
  /** RFC 9051 UIDVALIDITY; a mailbox created under a reused name gets a new one */
  uidValidity: number;
  acl: Record<string, string>;
}

/** One account's mailboxes by name. INBOX always exists; it is listed here only once it has an ACL. */
export interface AccountMailboxes {
  mailboxes: Record<string, MailboxRecord>;
  /** the next UIDVALIDITY to hand out (only grows) */
  nextUidValidity: number;
}

/**
 * Where mailbox names and their ACLs live, shared by every worker and instance. `owner` is the
 * canonical `account@domain`.
 */
export interface MailboxStore {
  /** The account's document; an empty one when it has none yet. */
  getMailboxes(owner: string): Promise<AccountMailboxes>;
  /**
   * Read, change and write one account's document atomically with respect to other writers.
   * `change` may run more than once (when another writer got in between), so it must be pure;
   * `next: null` writes nothing.
   */
  updateMailboxes<T>(owner: string, change: (current: AccountMailboxes) => { next: AccountMailboxes | null; result: T }): Promise<T>;
  /** Accounts whose document holds at least one ACL entry: the only ones that can show others anything. */
  listSharingOwners(): Promise<string[]>;
  close(): Promise<void>;
}

/** A group of a domain: ACL entries '#name' / '#name@domain' grant to its members. */
export interface Group {
  /** lower case */
  name: string;
  /** canonical domain name */
  domain: string;
  /**
   * As stored: 'user' (an account of the group's domain), 'user@domain', or '#group' /
   * '#group@domain' (a nested group: its members are members too).
   */
  members: string[];
}

/**
 * Where groups live: one document per domain (groups.yaml next to access.yaml in the file store).
 * A separate, optional capability of a directory store; see `hasGroupStore`.
 */
export interface GroupStore {
  /** Every group of the domain, by name; empty for a domain without groups. */
  listGroups(domain: string): Promise<Group[]>;
  getGroup(domain: string, name: string): Promise<Group | null>;
  /** Creates or replaces the group; the domain must exist. */
  setGroup(domain: string, name: string, members: string[]): Promise<void>;
  /** Removes the group; not-found when there is none. */
  deleteGroup(domain: string, name: string): Promise<void>;
  /** 'name@domain' of every group `account` (user@domain) belongs to, nested groups resolved. */
  groupsOf(account: string): Promise<string[]>;
}

/**
 * Removing accounts and domains: a separate, optional capability of a directory store; see
 * `hasDirectoryDeleter`. Each removes everything the directory keeps for what it deletes, so a
 * later account or domain of the same name starts with nothing of the old one.
 */
export interface DirectoryDeleter {
  /**
   * The account, its entry in its domain's access rights, its memberships in every group, and
   * its mailboxes document. not-found when there is no such account.
   */
  deleteAccount(domain: string, name: string): Promise<void>;
  /**
   * The domain (by canonical name) with every account, access right, group and Kerberos key in
   * it, its aliases, and the members naming it in other domains' groups. Deletes a domain that
   * still has accounts: refusing that is the caller's policy. not-found when there is none.
   */
  deleteDomain(name: string): Promise<void>;
}

export function hasDirectoryDeleter<T extends object>(store: T): store is T & DirectoryDeleter {
  const s = store as Partial<DirectoryDeleter>;
  return typeof s.deleteAccount === 'function' && typeof s.deleteDomain === 'function';
}
