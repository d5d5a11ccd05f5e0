/**
 * The account setting `authenticationURI`: `ldap://host[:port]/PARAMS` or `ldaps://...`. PARAMS
 * (percent-decoded) is the bind name, with `*` standing for the account name and `^0` for its
 * domain name. A PARAMS holding `=` is a DN, and what is substituted into it is escaped as an
 * RDN value (RFC 4514), so that an account name cannot add or change RDNs; any other PARAMS is a
 * server-specific bind name (Active Directory's `DOMAIN\*` or `*@^0`) and is sent as built.
 */

export interface AuthenticationUri {
  /** scheme, host and port only: what the LDAP client connects to */
  url: string;
  secure: boolean;
  /** the bind name template, decoded */
  template: string;
}

export class AuthenticationUriError extends Error {}

export function parseAuthenticationUri(raw: string): AuthenticationUri {
  const m = /^(ldaps?):\/\/([^/?#\s]+)\/([^?#]*)$/i.exec(raw.trim());
  if (!m) throw new AuthenticationUriError('expected ldap://host:port/PARAMS or ldaps://host:port/PARAMS');
  const scheme = m[1]!.toLowerCase();
  const hostPort = m[2]!;
  if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/.test(hostPort)) throw new AuthenticationUriError('bad host or port');
  let template: string;
  try {
    template = decodeURIComponent(m[3]!);
  } catch {
    throw new AuthenticationUriError('bad %-escape in the bind name');
  }
  if (template === '') throw new AuthenticationUriError('no bind name after the host');
  return { url: `${scheme}://${hostPort}`, secure: scheme === 'ldaps', template };
}

/** RFC 4514 escaping of an attribute value */
export function escapeDnValue(value: string): string {
  let out = value.replace(/[\\,+"<>;=\0]/g, (c) => (c === '\0' ? '\\00' : `\\${c}`));
  if (/^[ #]/.test(out)) out = `\\${out}`;
  if (out.endsWith(' ')) out = `${out.slice(0, -1)}\\ `;
  return out;
}

export function bindNameFor(template: string, accountName: string, domainName: string): string {
  const isDn = template.includes('=');
  const fill = isDn ? escapeDnValue : (v: string) => v;
  // one pass, so that a `*` or `^0` inside a substituted value is never substituted again
  return template.replace(/\*|\^0/g, (token) => fill(token === '*' ? accountName : domainName));
}
