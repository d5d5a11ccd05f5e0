/** An account's administrator access rights: read, and set to a given list (the Access Rights page). */
import type { AccessRight } from '@portcullis/auth-core';
import { requireAccount } from '../commands/context.js';
import { grantRightsTo, parsed, revokeRightsFrom, rightsOf } from '../commands/rights.js';
import { canReadDomain, canWriteDomain, grantDenial, requireThat } from './access.js';
import type { Caller } from './caller.js';
import type { AdminDeps } from './deps.js';
import { visibleDomain } from './domains.js';
import { guarded } from './errors.js';

async function target(deps: AdminDeps, caller: Caller, rawDomain: string, rawName: string, may: (c: Caller, d: string) => boolean): Promise<string> {
  const domain = await visibleDomain(deps, caller, rawDomain, may);
  // rights go to real accounts only, under their canonical name (never an alias)
  const account = await guarded(() => requireAccount(deps, `${rawName}@${domain}`));
  return `${account.name}@${account.domain}`;
}

export async function getRights(deps: AdminDeps, caller: Caller, rawDomain: string, rawName: string): Promise<{ rights: AccessRight[] }> {
  const address = await target(deps, caller, rawDomain, rawName, canReadDomain);
  return { rights: (await guarded(() => rightsOf(deps, address))).rights };
}

/** Make the account hold exactly `names`; every right added or taken away is checked against the caller. */
export async function setRights(deps: AdminDeps, caller: Caller, rawDomain: string, rawName: string, names: readonly string[]): Promise<{ rights: AccessRight[] }> {
  const address = await target(deps, caller, rawDomain, rawName, canWriteDomain);
  const domain = address.slice(address.lastIndexOf('@') + 1);
  const wanted = await guarded(async () => parsed(names));
  const current = (await guarded(() => rightsOf(deps, address))).rights;
  const added = wanted.filter((r) => !current.includes(r));
  const removed = current.filter((r) => !wanted.includes(r));
  for (const r of [...added, ...removed]) {
    const why = grantDenial(caller, r, domain);
    requireThat(why === null, why ?? '');
  }
  await guarded(async () => {
    if (added.length > 0) await grantRightsTo(deps, address, added);
    if (removed.length > 0) await revokeRightsFrom(deps, address, removed);
  });
  return getRights(deps, caller, domain, address.slice(0, address.lastIndexOf('@')));
}
