/** Who holds which right, and what a held right lets its holder do in a given domain. */
import type { AccessRightsStore, DirectoryStore, DomainAccessRights } from '../ports.js';
import type { AccountRecord } from '../settings.js';
import { isMainDomainRight, parseAccessRight, type AccessRight } from './names.js';

/** The account the main domain starts with, holding Master without an entry in the store. */
export const POSTMASTER = 'postmaster';

/** Whether a directory store also keeps access rights (an optional capability). */
export function hasAccessRightsStore<T extends object>(store: T): store is T & AccessRightsStore {
  const s = store as Partial<AccessRightsStore>;
  return typeof s.getAccessRights === 'function' && typeof s.setAccessRights === 'function';
}

type Holder = Pick<AccountRecord, 'name' | 'domain'>;

function isMainPostmaster(account: Holder, mainDomain: string): boolean {
  return account.name.toLowerCase() === POSTMASTER && account.domain.toLowerCase() === mainDomain.toLowerCase();
}

/**
 * The rights an account holds as stored, known names only (a hand-edited file may hold others;
 * they grant nothing). Main-domain rights stored for another domain's account are ignored too.
 */
export function rightsIn(document: DomainAccessRights, account: Holder, mainDomain: string): AccessRight[] {
  const listed = document[account.name.toLowerCase()];
  if (!Array.isArray(listed)) return [];
  const main = account.domain.toLowerCase() === mainDomain.toLowerCase();
  const out = new Set<AccessRight>();
  for (const raw of listed) {
    if (typeof raw !== 'string') continue;
    const right = parseAccessRight(raw);
    if (right && (main || !isMainDomainRight(right))) out.add(right);
  }
  return [...out];
}

/** The rights `account` holds, including the main postmaster's implicit Master. */
export async function heldRights(store: DirectoryStore, account: Holder, mainDomain: string): Promise<AccessRight[]> {
  const held = hasAccessRightsStore(store)
    ? rightsIn(await store.getAccessRights(account.domain.toLowerCase()), account, mainDomain)
    : [];
  if (isMainPostmaster(account, mainDomain) && !held.includes('Master')) held.unshift('Master');
  return held;
}

/**
 * Whether rights `held` by `account` allow `right` in `targetDomain`: Master allows everything;
 * a main-domain right is server-wide; AllDomains also administers every domain (the Domain
 * right anywhere); a domain right reaches the holder's own domain only.
 */
export function allows(held: readonly AccessRight[], account: Holder, right: AccessRight, targetDomain: string): boolean {
  if (held.includes('Master')) return true;
  if (isMainDomainRight(right)) return held.includes(right);
  if (right === 'Domain' && held.includes('AllDomains')) return true;
  return held.includes(right) && account.domain.toLowerCase() === targetDomain.toLowerCase();
}

/** Does `account` hold `right` for `targetDomain` (canonical domain name)? */
export async function hasRight(
  store: DirectoryStore,
  mainDomain: string,
  account: Holder,
  right: AccessRight,
  targetDomain: string,
): Promise<boolean> {
  return allows(await heldRights(store, account, mainDomain), account, right, targetDomain);
}
