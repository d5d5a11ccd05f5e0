/**
 * The administrator access rights of the spec's "Granting Access Rights": some only for accounts of
 * the main domain, the rest for an account of any domain, within its own domain.
 */

/** Rights only a main-domain account may hold; they reach every domain. */
export const MAIN_DOMAIN_RIGHTS = ['Master', 'Settings', 'Directory', 'AllDomains', 'AllDomainsRead', 'Monitor'] as const;

/** Rights any domain's account may hold; they reach the holder's own domain only. */
export const DOMAIN_RIGHTS = ['Domain', 'CanImpersonate', 'KerberosKeys'] as const;

export type MainDomainRight = (typeof MAIN_DOMAIN_RIGHTS)[number];
export type DomainRight = (typeof DOMAIN_RIGHTS)[number];
export type AccessRight = MainDomainRight | DomainRight;

export const ACCESS_RIGHTS: readonly AccessRight[] = [...MAIN_DOMAIN_RIGHTS, ...DOMAIN_RIGHTS];

const BY_LOWER = new Map<string, AccessRight>(ACCESS_RIGHTS.map((r) => [r.toLowerCase(), r]));

/** The right's canonical spelling (any letter case accepted), or null for an unknown name. */
export function parseAccessRight(name: string): AccessRight | null {
  return BY_LOWER.get(name.toLowerCase()) ?? null;
}

export function isMainDomainRight(right: AccessRight): right is MainDomainRight {
  return (MAIN_DOMAIN_RIGHTS as readonly string[]).includes(right);
}

/**
 * Null when `right` may be granted to an account of `accountDomain`, else why not. Domain names
 * are compared canonical (lower case).
 */
export function grantRefusal(right: AccessRight, accountDomain: string, mainDomain: string): string | null {
  if (isMainDomainRight(right) && accountDomain.toLowerCase() !== mainDomain.toLowerCase()) {
    return `${right} can only be granted to accounts of the main domain ${mainDomain.toLowerCase()}`;
  }
  return null;
}
