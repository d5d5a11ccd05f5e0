/** Pure helpers the pages share (no DOM), so they are unit-tested under Node. */

/** A textarea's list (one item a line, or comma-separated) as trimmed, non-empty items. */
export function parseList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** One item a line only (program arguments may hold commas). */
export function parseLines(text: string): string[] {
  return text
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Bytes as base64 without building one huge argument list (keytabs can be large). */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(binary);
}

/** A log or key time (ms epoch, seconds epoch, or ISO text) in a fixed, sortable form. */
export function formatTime(t: string | number | undefined): string {
  if (t === undefined || t === '') return '';
  let d: Date;
  if (typeof t === 'number') d = new Date(t < 1e11 ? t * 1000 : t);
  else if (/^\d+$/.test(t)) return formatTime(Number(t));
  else d = new Date(t);
  if (Number.isNaN(d.getTime())) return String(t);
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** The app's pages, from the URL fragment. */
export type Route =
  | { page: 'login' }
  | { page: 'domains' }
  | { page: 'domain'; domain: string }
  | { page: 'accounts'; domain: string }
  | { page: 'account'; domain: string; account: string }
  | { page: 'kerberos'; domain: string }
  | { page: 'groups'; domain: string }
  | { page: 'mailboxes'; domain: string; account: string }
  | { page: 'client-addresses' }
  | { page: 'login-security' }
  | { page: 'helpers' }
  | { page: 'login-log' }
  | { page: 'effective-rights'; account?: string; mailbox?: string }
  | { page: 'not-found'; path: string };

export function parseRoute(hash: string): Route {
  const [rawPath = '', query = ''] = hash.replace(/^#/, '').split('?', 2);
  const path = rawPath.replace(/^\/+|\/+$/g, '');
  const parts = path === '' ? [] : path.split('/').map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  const [a, b, c, d, e] = parts;
  if (parts.length === 0) return { page: 'domains' };
  if (a === 'login' && parts.length === 1) return { page: 'login' };
  if (a === 'domains') {
    if (parts.length === 1) return { page: 'domains' };
    if (b && parts.length === 2) return { page: 'domain', domain: b };
    if (b && c === 'accounts' && parts.length === 3) return { page: 'accounts', domain: b };
    if (b && c === 'accounts' && d && parts.length === 4) return { page: 'account', domain: b, account: d };
    if (b && c === 'accounts' && d && e === 'mailboxes' && parts.length === 5) return { page: 'mailboxes', domain: b, account: d };
    if (b && c === 'kerberos' && parts.length === 3) return { page: 'kerberos', domain: b };
    if (b && c === 'groups' && parts.length === 3) return { page: 'groups', domain: b };
  }
  if (a === 'server' && parts.length === 2) {
    if (b === 'client-addresses' || b === 'login-security' || b === 'helpers') return { page: b };
  }
  if (a === 'login-log' && parts.length === 1) return { page: 'login-log' };
  if (a === 'effective-rights' && parts.length === 1) {
    // the calculator may come prefilled: #/effective-rights?account=..&mailbox=..
    const q = new URLSearchParams(query);
    const route: Extract<Route, { page: 'effective-rights' }> = { page: 'effective-rights' };
    const account = q.get('account');
    const mailbox = q.get('mailbox');
    if (account) route.account = account;
    if (mailbox) route.mailbox = mailbox;
    return route;
  }
  return { page: 'not-found', path };
}

/** The fragment that opens a route (the inverse of parseRoute). */
export function routeHref(route: Route): string {
  const e = encodeURIComponent;
  switch (route.page) {
    case 'login':
      return '#/login';
    case 'domains':
      return '#/domains';
    case 'domain':
      return `#/domains/${e(route.domain)}`;
    case 'accounts':
      return `#/domains/${e(route.domain)}/accounts`;
    case 'account':
      return `#/domains/${e(route.domain)}/accounts/${e(route.account)}`;
    case 'kerberos':
      return `#/domains/${e(route.domain)}/kerberos`;
    case 'groups':
      return `#/domains/${e(route.domain)}/groups`;
    case 'client-addresses':
    case 'login-security':
    case 'helpers':
      return `#/server/${route.page}`;
    case 'login-log':
      return '#/login-log';
    case 'mailboxes':
      return `#/domains/${e(route.domain)}/accounts/${e(route.account)}/mailboxes`;
    case 'effective-rights': {
      const q = new URLSearchParams();
      if (route.account) q.set('account', route.account);
      if (route.mailbox) q.set('mailbox', route.mailbox);
      const text = q.toString();
      return text ? `#/effective-rights?${text}` : '#/effective-rights';
    }
    case 'not-found':
      return `#/${route.path}`;
  }
}

/** Access rights, grouped as the spec's Access Rights page lists them, with its descriptions. */
export const MAIN_DOMAIN_RIGHTS: readonly { name: string; label: string }[] = [
  { name: 'Master', label: 'Can Do Everything' },
  { name: 'Settings', label: 'Can Modify Server and Module Settings' },
  { name: 'Directory', label: 'Can Modify Directory Settings' },
  { name: 'AllDomains', label: 'Can Modify All Domains and Accounts Settings' },
  { name: 'AllDomainsRead', label: 'Can Read All Domains and Accounts Settings' },
  { name: 'Monitor', label: 'Can Monitor' },
];
export const DOMAIN_RIGHTS: readonly { name: string; label: string }[] = [
  { name: 'Domain', label: 'Can Modify This Domain and its Account Settings' },
  { name: 'CanImpersonate', label: 'Can Impersonate Accounts of This Domain' },
  { name: 'KerberosKeys', label: 'Can Manage Kerberos Keys of This Domain' },
];

/** The Login Methods panel, in the order auth-core's LOGIN_METHODS lists them. */
export const LOGIN_METHODS = ['CLRTXT', 'CRAM-MD5', 'DIGEST-MD5', 'APOP', 'GSSAPI', 'NTLM', 'MSN', 'SESSIONID', 'SCRAM'] as const;

/**
 * The first characters of a session ID, enough to tell sessions apart on a page: the full ID is a
 * bearer credential and must not sit in the page for anyone looking over a shoulder.
 */
export function shortId(id: string, keep = 8): string {
  return id.length <= keep ? '\u2026' : `${id.slice(0, keep)}\u2026`;
}

/** Two lists with the same items in the same order. */
export function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * The account an ACL identifier names, for the effective-rights link: `bob` or `-bob` is
 * bob@ownerDomain, `bob@other` itself; `anyone`, `anyone@...` and `#group` name no one account.
 */
export function identifierAccount(identifier: string, ownerDomain: string): string | null {
  const id = identifier.replace(/^-/, '');
  if (id === '' || id.startsWith('#') || /^anyone(@|$)/i.test(id)) return null;
  if (id.endsWith('@')) return null;
  return id.includes('@') ? id : `${id}@${ownerDomain}`;
}
