/**
 * What each admin operation asks of the caller's access rights (the spec's "Granting Access
 * Rights"). Pure functions of the caller's held rights, so each rule is unit-tested on its own.
 * Master reaches everything; the other main-domain rights are server-wide; Domain and
 * KerberosKeys reach the holder's own domain only (AllDomains administers every domain).
 */
import { allows, isMainDomainRight, type AccessRight } from '@portcullis/auth-core';
import type { Caller } from './caller.js';
import { forbidden } from './errors.js';

const holds = (caller: Caller, right: AccessRight): boolean => caller.rights.includes(right);

export const isMaster = (caller: Caller): boolean => holds(caller, 'Master');

/** Read a domain's settings, accounts, groups and rights. */
export function canReadDomain(caller: Caller, domain: string): boolean {
  return canWriteDomain(caller, domain) || holds(caller, 'AllDomainsRead');
}

/** Change a domain's settings, create/change accounts in it, set its groups and rights. */
export function canWriteDomain(caller: Caller, domain: string): boolean {
  return allows(caller.rights, caller, 'Domain', domain);
}

/** Create and delete whole domains, and change a domain's aliases: beyond a domain administrator. */
export function canManageDomains(caller: Caller): boolean {
  return isMaster(caller) || holds(caller, 'AllDomains');
}

export function canManageKeys(caller: Caller, domain: string): boolean {
  return allows(caller.rights, caller, 'KerberosKeys', domain);
}

/** Server settings and listener Grant/Deny. */
export function canManageServer(caller: Caller): boolean {
  return allows(caller.rights, caller, 'Settings', '');
}

/** Login log, lockout, sessions. */
export function canMonitor(caller: Caller): boolean {
  return allows(caller.rights, caller, 'Monitor', '');
}

/** Domains the caller may see at all (read them, or manage their keys). */
export function visibleDomains(caller: Caller, all: readonly string[]): string[] {
  return all.filter((d) => canReadDomain(caller, d) || canManageKeys(caller, d));
}

/**
 * May the caller change or delete an account holding `targetRights`? Not when it holds a right
 * the caller lacks there: a domain administrator must not reset its Master's password.
 */
export function outranks(caller: Caller, targetRights: readonly AccessRight[], targetDomain: string): boolean {
  return targetRights.every((r) => allows(caller.rights, caller, r, targetDomain));
}

/**
 * Why the caller may not grant or revoke `right` for an account of `targetDomain`, or null. Only
 * a caller holding the right there (or Master) hands it on: a domain administrator never grants
 * main-domain rights, nor a right it does not hold itself.
 */
export function grantDenial(caller: Caller, right: AccessRight, targetDomain: string): string | null {
  if (isMaster(caller)) return null;
  if (!canWriteDomain(caller, targetDomain)) return `Domain for ${targetDomain}`;
  if (isMainDomainRight(right)) return holds(caller, right) ? null : `${right} (only a holder of it or Master grants it)`;
  return allows(caller.rights, caller, right, targetDomain) ? null : `${right} in ${targetDomain}`;
}

export function requireThat(ok: boolean, what: string): void {
  if (!ok) throw forbidden(what);
}
