/** Who is calling the admin API, and the access rights they hold (read once per request). */
import { heldRights, type AccessRight, type DirectoryStore } from '@portcullis/auth-core';

export interface Caller {
  /** user@domain, canonical */
  account: string;
  name: string;
  domain: string;
  rights: readonly AccessRight[];
  via: 'session' | 'basic' | 'negotiate';
}

export async function callerFor(
  store: DirectoryStore,
  mainDomain: string,
  address: string,
  via: Caller['via'],
): Promise<Caller> {
  const at = address.lastIndexOf('@');
  const name = address.slice(0, at).toLowerCase();
  const domain = address.slice(at + 1).toLowerCase();
  const rights = await heldRights(store, { name, domain }, mainDomain);
  return { account: `${name}@${domain}`, name, domain, rights, via };
}
