/**
 * The admin HTTP API as the app uses it (the contract in the gateway's admin routes). Requests carry
 * the session cookie; every error becomes an ApiError with the server's own text.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Dispatched on window when an API call answers 401 (no valid session any more). */
export const SIGNED_OUT_EVENT = 'portcullis:signed-out';

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { ...init.headers, 'content-type': 'application/json' };
  }
  const res = await fetch(path, init);
  const text = await res.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (res.status === 401 && path !== '/session') {
    // the session expired or was closed elsewhere: the shell goes back to the sign-in form
    window.dispatchEvent(new CustomEvent(SIGNED_OUT_EVENT));
  }
  if (!res.ok) {
    const message =
      data && typeof data === 'object' && 'error' in data && typeof data.error === 'string'
        ? data.error
        : `${res.status} ${res.statusText}`;
    throw new ApiError(res.status, message);
  }
  return data as T;
}

const enc = encodeURIComponent;

export interface Me {
  account: string;
  rights: string[];
  domains: string[];
}
export interface DomainRow {
  name: string;
  accounts?: number;
}
export type Settings = Record<string, unknown>;
export interface DomainView {
  name: string;
  /** the main domain (it cannot be deleted) */
  main?: boolean;
  accounts?: number;
  settings: Settings & { loginMethods?: string[] };
}
export interface AccountRow {
  name: string;
  address?: string;
}
export interface AccountView {
  name: string;
  address?: string;
  settings: Settings;
  /** the values in force: the account's, else the domain's and server's defaults, else built-in */
  effective?: Settings;
  passwordSet?: boolean;
  /** names of the account's tag passwords (never the passwords) */
  tagPasswords?: string[];
  rights?: string[];
}
export interface KerberosKey {
  id: string;
  principal: string;
  realm?: string;
  kvno?: number;
  enctype?: string | number;
  added?: string | number;
}
export interface LoginLogEntry {
  time: string | number;
  service?: string;
  account?: string;
  address?: string;
  mechanism?: string;
  ok: boolean;
  code?: string;
  rule?: string;
}
export interface EffectiveRights {
  rights: string;
  steps: { step: string; detail: string; rights: string }[];
  /** the account as resolved (an alias becomes the real name) */
  account?: string;
  owner?: string;
  mailbox?: string;
  /** the mailbox's ACL as stored: identifier -> rights */
  acl?: Record<string, string>;
}
/** A mailbox and its ACL as stored: identifier -> RFC 4314 rights letters. */
export interface MailboxAcl {
  name: string;
  acl: Record<string, string>;
}
export interface Group {
  name: string;
  members: string[];
}
export interface ListenerRow {
  name: string;
  service: string;
  address?: string;
  port: number;
  tls?: string;
  /** the lists in force */
  grant: string[];
  deny: string[];
  /** the configuration file's lists, and which of them a run-time override replaces */
  config?: { grant: string[]; deny: string[] };
  overridden?: { grant: boolean; deny: boolean };
}
/** A WebUser session; `id` is the session ID itself (a bearer credential: never shown in full). */
export interface SessionRow {
  id: string;
  account: string;
  kind?: string;
  createdAt?: number | string;
  expiresAt?: number | string;
}

export const api = {
  login: (user: string, password: string) =>
    request<{ sessionId: string; account: string; expiresAt: number }>('POST', '/session', { user, password }),
  logout: () => request<void>('DELETE', '/session'),
  me: () => request<Me>('GET', '/api/v1/me'),

  domains: () => request<{ domains: DomainRow[] }>('GET', '/api/v1/domains'),
  createDomain: (name: string) => request<{ name: string }>('POST', '/api/v1/domains', { name }),
  domain: (d: string) => request<DomainView>('GET', `/api/v1/domains/${enc(d)}`),
  patchDomain: (d: string, settings: Settings) => request<DomainView>('PATCH', `/api/v1/domains/${enc(d)}`, { settings }),
  deleteDomain: (d: string, force: boolean) =>
    request<void>('DELETE', `/api/v1/domains/${enc(d)}${force ? '?force=true' : ''}`),

  accounts: (d: string) => request<{ accounts: AccountRow[] }>('GET', `/api/v1/domains/${enc(d)}/accounts`),
  createAccount: (d: string, name: string, password?: string) =>
    request<unknown>('POST', `/api/v1/domains/${enc(d)}/accounts`, password ? { name, password } : { name }),
  account: (d: string, a: string) => request<AccountView>('GET', `/api/v1/domains/${enc(d)}/accounts/${enc(a)}`),
  patchAccount: (d: string, a: string, body: { settings?: Settings; password?: string }) =>
    request<unknown>('PATCH', `/api/v1/domains/${enc(d)}/accounts/${enc(a)}`, body),
  deleteAccount: (d: string, a: string) => request<void>('DELETE', `/api/v1/domains/${enc(d)}/accounts/${enc(a)}`),
  rights: (d: string, a: string) => request<{ rights: string[] }>('GET', `/api/v1/domains/${enc(d)}/accounts/${enc(a)}/rights`),
  putRights: (d: string, a: string, rights: string[]) =>
    request<unknown>('PUT', `/api/v1/domains/${enc(d)}/accounts/${enc(a)}/rights`, { rights }),

  kerberosKeys: (d: string) => request<{ keys: KerberosKey[] }>('GET', `/api/v1/domains/${enc(d)}/kerberos-keys`),
  importKeytab: (d: string, keytab: string) =>
    request<{ imported: number }>('POST', `/api/v1/domains/${enc(d)}/kerberos-keys`, { keytab }),
  deleteKeys: (d: string, ids: string[]) =>
    request<unknown>('POST', `/api/v1/domains/${enc(d)}/kerberos-keys/delete`, { ids }),

  groups: (d: string) => request<{ groups: Group[] }>('GET', `/api/v1/domains/${enc(d)}/groups`),
  putGroup: (d: string, g: string, members: string[]) =>
    request<Group>('PUT', `/api/v1/domains/${enc(d)}/groups/${enc(g)}`, { members }),
  deleteGroup: (d: string, g: string) => request<unknown>('DELETE', `/api/v1/domains/${enc(d)}/groups/${enc(g)}`),

  server: () => request<{ settings: Settings }>('GET', '/api/v1/server'),
  patchServer: (settings: Settings) => request<{ settings: Settings }>('PATCH', '/api/v1/server', { settings }),
  listeners: () => request<{ listeners: ListenerRow[] }>('GET', '/api/v1/listeners'),
  /** a list replaces the file's; null goes back to the file's */
  patchListener: (name: string, body: { grant?: string[] | null; deny?: string[] | null }) =>
    request<ListenerRow>('PATCH', `/api/v1/listeners/${enc(name)}`, body),

  sessions: (account: string) => request<{ sessions: SessionRow[] }>('GET', `/api/v1/sessions?account=${enc(account)}`),
  closeSession: (id: string) => request<void>('DELETE', `/api/v1/sessions/${enc(id)}`),

  lockout: (key: string) => request<{ locked: boolean }>('GET', `/api/v1/lockout?key=${enc(key)}`),
  unlock: (key: string) => request<unknown>('DELETE', `/api/v1/lockout?key=${enc(key)}`),

  loginLog: (q: { limit?: number; account?: string; ok?: string }) => {
    const params = new URLSearchParams();
    params.set('limit', String(q.limit ?? 100));
    if (q.account) params.set('account', q.account);
    if (q.ok) params.set('ok', q.ok);
    return request<{ entries: LoginLogEntry[] }>('GET', `/api/v1/login-log?${params.toString()}`);
  },
  mailboxes: (d: string, a: string) =>
    request<{ mailboxes: MailboxAcl[] }>('GET', `/api/v1/domains/${enc(d)}/accounts/${enc(a)}/mailboxes`),
  /** `rights` as SETACL takes them: `lrs` sets, `+w` adds, `-w` takes away */
  setMailboxAcl: (d: string, a: string, mailbox: string, identifier: string, rights: string) =>
    request<{ mailbox: string; acl: Record<string, string> }>(
      'PUT',
      `/api/v1/domains/${enc(d)}/accounts/${enc(a)}/mailboxes/acl?mailbox=${enc(mailbox)}`,
      { identifier, rights },
    ),
  deleteMailboxAcl: (d: string, a: string, mailbox: string, identifier: string) =>
    request<{ mailbox: string; acl: Record<string, string> } | undefined>(
      'DELETE',
      `/api/v1/domains/${enc(d)}/accounts/${enc(a)}/mailboxes/acl?mailbox=${enc(mailbox)}&identifier=${enc(identifier)}`,
    ),
  effectiveRights: (account: string, mailbox: string) =>
    request<EffectiveRights>('GET', `/api/v1/acl/effective?account=${enc(account)}&mailbox=${enc(mailbox)}`),
};
