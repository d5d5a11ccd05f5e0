/**
 * Login names: `user`, `user@domain`, `user$tag`, `user$tag@domain`. Only `@` separates a domain;
 * names are case-insensitive and are lower-cased here.
 */

export interface LoginName {
  /** account name, lower-case */
  user: string;
  /** password tag (`user$tag`), lower-case, undefined when none */
  tag?: string;
  /** domain part as typed (lower-case), undefined when none */
  domain?: string;
}

/** Longest name we take; anything longer is refused before it reaches storage. */
export const MAX_LOGIN_NAME_LENGTH = 512;

// Control characters, spaces and path separators never belong in an account or domain name and
// would reach the directory store (file names) otherwise.
function hasForbiddenChar(raw: string): boolean {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || c === 0x2f /* / */ || c === 0x5c /* \\ */) return true;
  }
  return false;
}

/** Parse a login name; null when it cannot name an account. */
export function parseLoginName(raw: string): LoginName | null {
  if (raw.length === 0 || raw.length > MAX_LOGIN_NAME_LENGTH || hasForbiddenChar(raw)) return null;
  const lower = raw.toLowerCase();
  const at = lower.lastIndexOf('@');
  const local = at >= 0 ? lower.slice(0, at) : lower;
  const domain = at >= 0 ? lower.slice(at + 1) : undefined;
  if (domain !== undefined && (domain.length === 0 || domain.includes('@'))) return null;
  if (local.includes('@')) return null;
  const dollar = local.indexOf('$');
  const user = dollar >= 0 ? local.slice(0, dollar) : local;
  const tag = dollar >= 0 ? local.slice(dollar + 1) : undefined;
  if (user.length === 0 || user === '.' || user === '..') return null;
  if (tag !== undefined && tag.length === 0) return null;
  if (domain === '.' || domain === '..') return null;
  return { user, ...(tag !== undefined ? { tag } : {}), ...(domain !== undefined ? { domain } : {}) };
}
