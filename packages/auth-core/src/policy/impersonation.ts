/**
 * Impersonation: credentials of one account (authcid) opening another (authzid). Allowed only
 * through a mechanism that carries it (IMPERSONATION_MECHANISMS) and when the canImpersonate hook
 * says so; naming oneself is always fine.
 */
import type { DirectoryStore } from '../ports.js';
import type { AccountRecord } from '../settings.js';
import { parseLoginName } from '../accounts/login-name.js';
import { addressOf } from '../accounts/resolve.js';

/** Decides whether `authc` may open `authzAddress` (user@domain, canonical). */
export type CanImpersonate = (authc: AccountRecord, authzAddress: string) => Promise<boolean>;

/**
 * The mechanisms that may open another account: the spec names PLAIN and GSSAPI; EXTERNAL too,
 * since a client certificate may name an authzid that impersonation allows. SCRAM's `a=` and
 * DIGEST-MD5's authzid may only name the authenticating account itself.
 */
export const IMPERSONATION_MECHANISMS: ReadonlySet<string> = new Set(['PLAIN', 'GSSAPI', 'EXTERNAL']);

export type AuthorizationResult =
  | { ok: true; address: string; account: AccountRecord }
  | { ok: false; reason: 'denied' };

/**
 * The account to open for `authc` given an optional authzid. A name without a domain is taken in
 * the authcid's domain; domain aliases and letter case do not make a different account.
 */
export async function resolveAuthorization(
  directory: DirectoryStore,
  authc: AccountRecord,
  authzid: string | undefined,
  canImpersonate: CanImpersonate | undefined,
  /** the SASL mechanism in use; when given, only IMPERSONATION_MECHANISMS may open another account */
  mechanism?: string,
): Promise<AuthorizationResult> {
  const self = { ok: true as const, address: addressOf(authc), account: authc };
  if (authzid === undefined || authzid === '') return self;
  const name = parseLoginName(authzid);
  if (!name || name.tag !== undefined) return { ok: false, reason: 'denied' };
  const domain = name.domain === undefined ? authc.domain : (await directory.resolveDomain(name.domain))?.name;
  if (domain === undefined) return { ok: false, reason: 'denied' };
  if (domain === authc.domain && name.user === authc.name) return self;
  if (!canImpersonate) return { ok: false, reason: 'denied' };
  if (mechanism !== undefined && !IMPERSONATION_MECHANISMS.has(mechanism.toUpperCase())) return { ok: false, reason: 'denied' };
  const address = `${name.user}@${domain}`;
  if (!(await canImpersonate(authc, address))) return { ok: false, reason: 'denied' };
  const target = await directory.getAccount(domain, name.user);
  if (!target) return { ok: false, reason: 'denied' };
  return { ok: true, address, account: target };
}
