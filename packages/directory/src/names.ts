/**
 * Every name that becomes a path component passes through here, so that no setting or login
 * name can step outside the data folder.
 */

const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/**
 * A conservative RFC 5321 local part: no '@', '%' (routing), '$' (tag separator), '/' or NUL, no
 * leading, trailing or doubled dots.
 */
const LOCAL_PART = /^[a-z0-9_](?:[a-z0-9._+=-]{0,62}[a-z0-9_+=-])?$/;

export function isDomainName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  return name.split('.').every((label) => DNS_LABEL.test(label));
}

export function isAccountName(name: string): boolean {
  return LOCAL_PART.test(name) && !name.includes('..');
}

/** Lower-cases and checks a domain name; null when it could never name a domain. */
export function canonicalDomain(name: string): string | null {
  const lower = name.trim().toLowerCase();
  return isDomainName(lower) ? lower : null;
}

/** Lower-cases and checks an account name; null when it could never name an account. */
export function canonicalAccount(name: string): string | null {
  const lower = name.trim().toLowerCase();
  return isAccountName(lower) ? lower : null;
}
