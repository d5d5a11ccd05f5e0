/** Changing an account's rights in its domain's document, with the grant rules checked. */
import type { AccessRightsStore, DomainAccessRights } from '../ports.js';
import type { AccountRecord } from '../settings.js';
import { ACCESS_RIGHTS, grantRefusal, parseAccessRight, type AccessRight } from './names.js';

export class AccessRightError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccessRightError';
  }
}

/** Canonical rights from names; unknown names throw (all of them named). */
export function parseAccessRights(names: readonly string[]): AccessRight[] {
  const unknown = names.filter((n) => parseAccessRight(n) === null);
  if (unknown.length > 0) {
    throw new AccessRightError(`unknown access right${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `'${n}'`).join(', ')} (known: ${ACCESS_RIGHTS.join(', ')})`);
  }
  return [...new Set(names.map((n) => parseAccessRight(n)!))];
}

type Holder = Pick<AccountRecord, 'name' | 'domain'>;

function ordered(rights: Iterable<AccessRight>): AccessRight[] {
  const set = new Set(rights);
  return ACCESS_RIGHTS.filter((r) => set.has(r));
}

async function update(
  store: AccessRightsStore,
  account: Holder,
  change: (current: Set<AccessRight>) => void,
): Promise<AccessRight[]> {
  const domain = account.domain.toLowerCase();
  const name = account.name.toLowerCase();
  const doc: DomainAccessRights = { ...(await store.getAccessRights(domain)) };
  const current = new Set<AccessRight>();
  for (const raw of doc[name] ?? []) {
    const r = typeof raw === 'string' ? parseAccessRight(raw) : null;
    if (r) current.add(r);
  }
  change(current);
  const next = ordered(current);
  if (next.length > 0) doc[name] = next;
  else delete doc[name];
  await store.setAccessRights(domain, doc);
  return next;
}

/** Add rights to the account's stored set; refuses main-domain rights for other domains. */
export async function grantAccessRights(
  store: AccessRightsStore,
  mainDomain: string,
  account: Holder,
  rights: readonly AccessRight[],
): Promise<AccessRight[]> {
  for (const r of rights) {
    const why = grantRefusal(r, account.domain, mainDomain);
    if (why) throw new AccessRightError(why);
  }
  return update(store, account, (current) => rights.forEach((r) => current.add(r)));
}

/** Remove rights from the account's stored set (an empty list removes them all). */
export async function revokeAccessRights(store: AccessRightsStore, account: Holder, rights: readonly AccessRight[]): Promise<AccessRight[]> {
  return update(store, account, (current) => {
    if (rights.length === 0) current.clear();
    else rights.forEach((r) => current.delete(r));
  });
}
