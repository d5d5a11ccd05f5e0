/**
 * SASL GSSAPI's account: a Kerberos ticket, checked with a key of one domain, proves a client
 * principal; the account is that name in exactly that domain (so one domain's key cannot mint
 * logins for another) and must have allowKerberos on.
 */
import type { DirectoryStore, SessionCache } from '../ports.js';
import type { FailureCode } from '../results.js';
import type { AccountRecord, ServerSettings } from '../settings.js';
import { effectiveAccountSettings, type EffectiveAccountSettings } from '../accounts/effective-settings.js';
import { parseLoginName } from '../accounts/login-name.js';
import { resolveLoginName } from '../accounts/resolve.js';
import { clientAddressAllowed } from '../policy/client-address.js';
import { isLockedOut } from '../policy/lockout.js';
import type { Attempt } from './attempt.js';

export type KerberosAccount =
  | { ok: true; account: AccountRecord; address: string; settings: EffectiveAccountSettings; server: ServerSettings }
  | { ok: false; code: FailureCode; hide: boolean };

/** The account `address` (user@keyDomain) a ticket proved, or why it may not log in. */
export async function kerberosAccount(
  directory: DirectoryStore,
  cache: SessionCache,
  attempt: Attempt,
  address: string,
  keyDomain: string,
): Promise<KerberosAccount> {
  const server = await directory.getServerSettings();
  const hide = Boolean(server.hideUnknownAccount);
  attempt.account = address.slice(0, 256);
  if (!clientAddressAllowed(server, attempt.conn.remoteAddress, attempt.conn.localAddress)) {
    return { ok: false, code: 'client-address', hide };
  }
  const name = parseLoginName(address);
  if (!name || name.tag !== undefined || name.domain === undefined) return { ok: false, code: 'unknown-account', hide };
  const resolved = await resolveLoginName(directory, name, keyDomain);
  attempt.account = resolved.address;
  if (!resolved.domain || resolved.domain.name !== keyDomain.toLowerCase()) return { ok: false, code: 'unknown-account', hide };
  if (!resolved.account) return { ok: false, code: 'unknown-account', hide };
  const settings = effectiveAccountSettings(resolved.account.settings, resolved.domain, server);
  if (!settings.allowKerberos) return { ok: false, code: 'unsupported-credential', hide: false };
  if (await isLockedOut(cache, resolved.address, settings)) return { ok: false, code: 'locked', hide };
  return { ok: true, account: resolved.account, address: resolved.address, settings, server };
}
