import type { DirectoryStore } from '../ports.js';
import type { CanImpersonate } from '../policy/impersonation.js';
import { hasRight } from './check.js';

/**
 * The canImpersonate hook of createAuthenticator backed by access rights: the authenticating
 * account must hold CanImpersonate for the target account's domain (or Master).
 */
export function impersonationByRights(store: DirectoryStore, mainDomain: string): CanImpersonate {
  return async (authc, authzAddress) => {
    const domain = authzAddress.slice(authzAddress.lastIndexOf('@') + 1);
    return hasRight(store, mainDomain, authc, 'CanImpersonate', domain);
  };
}
