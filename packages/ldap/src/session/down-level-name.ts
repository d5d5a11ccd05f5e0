/**
 * Active Directory's down-level logon name, `DOMAIN\user`, as a simple-bind name. DOMAIN is a
 * NetBIOS domain name; a gateway domain has no NetBIOS name of its own, so DOMAIN stands for the
 * domain whose first DNS label it equals, case-insensitively (EXAMPLE\joe → joe@example.test).
 * A DOMAIN holding a dot is taken as the whole domain name (example.test\joe). When several
 * domains share the first label, the listener's domain wins, then the main domain; otherwise the
 * name is ambiguous and names no account.
 */

/** NetBIOS names are at most 15 characters; a DNS name at most 253. */
const MAX_DOMAIN_PART = 253;

export interface DownLevelName {
  domainPart: string;
  user: string;
}

/** `DOMAIN\user`, or null when the name has another form (no `\`, a DN, an address). */
export function splitDownLevelName(name: string): DownLevelName | null {
  const trimmed = name.trim();
  // a DN may hold escaped characters (`\,`): DNs are never down-level names
  if (trimmed.includes('=')) return null;
  const slash = trimmed.indexOf('\\');
  if (slash <= 0 || slash !== trimmed.lastIndexOf('\\')) return null;
  const domainPart = trimmed.slice(0, slash);
  const user = trimmed.slice(slash + 1);
  if (user === '' || user.includes('@') || domainPart.length > MAX_DOMAIN_PART) return null;
  if (!/^[A-Za-z0-9.-]+$/.test(domainPart) || domainPart.startsWith('.') || domainPart.endsWith('.')) return null;
  return { domainPart, user };
}

/**
 * The gateway domain a NetBIOS (or DNS) domain part names, among `domains`; `preferred` (the
 * listener's domain, then the main domain) settles a first label that several domains share.
 */
export function domainForDownLevel(domainPart: string, domains: readonly string[], preferred: readonly (string | undefined)[]): string | null {
  const wanted = domainPart.toLowerCase();
  const names = domains.map((d) => d.toLowerCase());
  if (wanted.includes('.')) return names.includes(wanted) ? wanted : null;
  const matches = names.filter((d) => d.split('.')[0] === wanted);
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) return null;
  for (const p of preferred) {
    const lower = p?.toLowerCase();
    if (lower !== undefined && matches.includes(lower)) return lower;
  }
  return null;
}
