/**
 * Jabber IDs (RFC 7622), checked for shape and length. Local part and domain are lower-cased; the
 * full PRECIS profiles are not applied (account names are already plain ASCII in the directory).
 */
export interface Jid {
  local?: string;
  domain: string;
  resource?: string;
}

const MAX_PART = 1023;
const LOCAL_FORBIDDEN = /["&'/:<>@\s\p{Cc}]/u;
const DOMAIN_FORBIDDEN = /[\s\p{Cc}/@"&'<>\\]/u;
const RESOURCE_FORBIDDEN = /[\p{Cc}]/u;

function fits(part: string): boolean {
  return part.length > 0 && Buffer.byteLength(part) <= MAX_PART;
}

export function parseJid(text: string): Jid | null {
  const slash = text.indexOf('/');
  const bare = slash >= 0 ? text.slice(0, slash) : text;
  const resource = slash >= 0 ? text.slice(slash + 1) : undefined;
  const at = bare.indexOf('@');
  const local = at >= 0 ? bare.slice(0, at) : undefined;
  let domain = (at >= 0 ? bare.slice(at + 1) : bare).toLowerCase();
  if (domain.endsWith('.')) domain = domain.slice(0, -1);
  if (!fits(domain) || DOMAIN_FORBIDDEN.test(domain)) return null;
  if (local !== undefined && (!fits(local) || LOCAL_FORBIDDEN.test(local))) return null;
  if (resource !== undefined && !isResource(resource)) return null;
  return {
    ...(local !== undefined ? { local: local.toLowerCase() } : {}),
    domain,
    ...(resource !== undefined ? { resource } : {}),
  };
}

export function isResource(text: string): boolean {
  return fits(text) && !RESOURCE_FORBIDDEN.test(text) && text.trim() === text;
}

export function bareJid(jid: Jid): string {
  return jid.local !== undefined ? `${jid.local}@${jid.domain}` : jid.domain;
}

export function formatJid(jid: Jid): string {
  return jid.resource !== undefined ? `${bareJid(jid)}/${jid.resource}` : bareJid(jid);
}
