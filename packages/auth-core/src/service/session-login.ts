/**
 * SASL SESSIONID's account: the client names an account and one of its open WebUser sessions
 * instead of a password. The method works only in domains whose Login Methods include SESSIONID
 * (it is off by default), and the session must belong to exactly the account named.
 */
import type { DirectoryStore, SessionCache, SessionRecord } from '../ports.js';
import type { FailureCode } from '../results.js';
import { DEFAULT_LOGIN_METHODS, type AccountRecord, type ServerSettings } from '../settings.js';
import { effectiveAccountSettings, type EffectiveAccountSettings } from '../accounts/effective-settings.js';
import { parseLoginName } from '../accounts/login-name.js';
import { defaultDomainFor, resolveLoginName } from '../accounts/resolve.js';
import { clientAddressAllowed } from '../policy/client-address.js';
import { isLockedOut } from '../policy/lockout.js';
import type { Attempt } from './attempt.js';

/** Seconds a WebUser session lives when the server setting `webUserSessionTTL` is not set. */
export const DEFAULT_WEBUSER_SESSION_TTL = 1800;

/** The session lifetime in seconds the server settings ask for. */
export function webUserSessionTtl(server: Pick<ServerSettings, 'webUserSessionTTL'>): number {
  const ttl = server.webUserSessionTTL;
  return typeof ttl === 'number' && Number.isFinite(ttl) && ttl >= 1 ? Math.floor(ttl) : DEFAULT_WEBUSER_SESSION_TTL;
}

/** When a session ends if it is not used again (ms epoch), for caches that cannot slide it. */
export function sessionExpiresAt(record: Pick<SessionRecord, 'createdAt'>, server: Pick<ServerSettings, 'webUserSessionTTL'>): number {
  return record.createdAt + webUserSessionTtl(server) * 1000;
}

/**
 * A session (already read from the cache) is being used: `webUserSessionTTL` is an idle lifetime,
 * so its expiry slides to TTL from now. Answers the new expiry (ms epoch), or null when the
 * session is gone meanwhile. A cache without `touchSession` keeps the lifetime from login, which
 * is then checked here.
 */
export async function extendSession(
  cache: Pick<SessionCache, 'touchSession'>,
  sessionId: string,
  record: Pick<SessionRecord, 'createdAt'>,
  server: Pick<ServerSettings, 'webUserSessionTTL'>,
  now: number = Date.now(),
): Promise<number | null> {
  const ttl = webUserSessionTtl(server);
  if (cache.touchSession) return (await cache.touchSession(sessionId, ttl)) ? now + ttl * 1000 : null;
  const expiresAt = sessionExpiresAt(record, server);
  return now < expiresAt ? expiresAt : null;
}

/** Session IDs this server issues are short; anything long is refused before the cache sees it. */
const MAX_SESSION_ID_LENGTH = 256;

export type SessionAccount =
  | { ok: true; account: AccountRecord; address: string; settings: EffectiveAccountSettings; server: ServerSettings }
  | {
      ok: false;
      code: FailureCode;
      hide: boolean;
      /** the real account a wrong session ID was presented for (counted like a wrong password) */
      countAgainst?: { address: string; settings: EffectiveAccountSettings };
    };

/** The account `user` a session ID proves, or why it may not log in. */
export async function sessionAccount(
  directory: DirectoryStore,
  cache: SessionCache,
  attempt: Attempt,
  user: string,
  sessionId: string,
  mainDomain: string,
  now: number = Date.now(),
): Promise<SessionAccount> {
  const server = await directory.getServerSettings();
  const hide = Boolean(server.hideUnknownAccount);
  attempt.account = user.slice(0, 256);
  if (!clientAddressAllowed(server, attempt.conn.remoteAddress, attempt.conn.localAddress)) {
    return { ok: false, code: 'client-address', hide };
  }
  const name = parseLoginName(user);
  // a session opens an account, never one of its tagged passwords
  if (!name || name.tag !== undefined) return { ok: false, code: 'unknown-account', hide };
  const resolved = await resolveLoginName(directory, name, defaultDomainFor(attempt.conn, mainDomain));
  attempt.account = resolved.address;
  if (!resolved.domain) return { ok: false, code: 'unknown-account', hide };
  const methods = resolved.domain.loginMethods ?? DEFAULT_LOGIN_METHODS;
  if (!methods.includes('SESSIONID')) return { ok: false, code: 'mechanism-unavailable', hide: false };
  if (!resolved.account) return { ok: false, code: 'unknown-account', hide };
  const settings = effectiveAccountSettings(resolved.account.settings, resolved.domain, server);
  if (await isLockedOut(cache, resolved.address, settings)) return { ok: false, code: 'locked', hide };
  const session = sessionId.length > 0 && sessionId.length <= MAX_SESSION_ID_LENGTH ? await cache.getSession(sessionId) : null;
  // only the owner's use keeps a session alive
  const open =
    session !== null && session.account.toLowerCase() === resolved.address && (await extendSession(cache, sessionId, session, server, now)) !== null;
  if (!open) return { ok: false, code: 'bad-credentials', hide, countAgainst: { address: resolved.address, settings } };
  return { ok: true, account: resolved.account, address: resolved.address, settings, server };
}
