/**
 * SASL EXTERNAL's account: the client certificate of the TLS link, checked against the trusted CA
 * of the domain the listener serves, names an account that must belong to that very domain (so a
 * domain's CA cannot mint logins for another domain) and have allowCertificate on.
 */
import type { AuthLogger } from '../authenticator.js';
import type { DirectoryStore, SessionCache } from '../ports.js';
import type { FailureCode } from '../results.js';
import type { AccountRecord, ServerSettings } from '../settings.js';
import { effectiveAccountSettings, type EffectiveAccountSettings } from '../accounts/effective-settings.js';
import { parseLoginName } from '../accounts/login-name.js';
import { defaultDomainFor, resolveLoginName } from '../accounts/resolve.js';
import { clientAddressAllowed } from '../policy/client-address.js';
import { isLockedOut } from '../policy/lockout.js';
import { checkClientCertificate } from '../pki/client-certificate.js';
import type { Attempt } from './attempt.js';

export type CertificateAccount =
  | { ok: true; account: AccountRecord; address: string; settings: EffectiveAccountSettings; server: ServerSettings }
  | { ok: false; code: FailureCode; hide: boolean };

function peerCertificate(attempt: Attempt): Buffer | null {
  const tls = attempt.conn.secure ? attempt.conn.tls : undefined;
  return tls?.peerCertificateDer?.() ?? null;
}

/** The account the link's client certificate logs into, or why there is none. */
export async function certificateAccount(
  directory: DirectoryStore,
  cache: SessionCache,
  attempt: Attempt,
  mainDomain: string,
  logger: AuthLogger,
  now: number = Date.now(),
): Promise<CertificateAccount> {
  const server = await directory.getServerSettings();
  const hide = Boolean(server.hideUnknownAccount);
  const refuse = (code: FailureCode, why: string, extra: object = {}): CertificateAccount => {
    logger.info({ connId: attempt.conn.id, mechanism: attempt.mechanism, reason: why, ...extra }, 'client certificate refused');
    return { ok: false, code, hide };
  };
  if (!clientAddressAllowed(server, attempt.conn.remoteAddress, attempt.conn.localAddress)) {
    return { ok: false, code: 'client-address', hide };
  }
  const der = peerCertificate(attempt);
  if (!der) return refuse('mechanism-unavailable', 'no client certificate on this link');
  const domain = await directory.resolveDomain(defaultDomainFor(attempt.conn, mainDomain));
  if (!domain) return refuse('bad-credentials', 'the listener domain does not exist');
  const check = checkClientCertificate(der, domain.trustedCA, now);
  if (!check.ok) return refuse('bad-credentials', check.reason, { domain: domain.name });
  const name = parseLoginName(check.email);
  attempt.account = check.email.slice(0, 256);
  if (!name || name.tag !== undefined || name.domain === undefined) {
    return refuse('bad-credentials', 'the certificate e-mail is not an account address', { subject: check.subject });
  }
  const resolved = await resolveLoginName(directory, name, domain.name);
  attempt.account = resolved.address;
  if (resolved.domain?.name !== domain.name) {
    return refuse('bad-credentials', 'the certificate names an account of another domain', { domain: domain.name, account: resolved.address });
  }
  if (!resolved.account) return { ok: false, code: 'unknown-account', hide };
  const settings = effectiveAccountSettings(resolved.account.settings, resolved.domain, server);
  if (!settings.allowCertificate) return { ok: false, code: 'unsupported-credential', hide: false };
  if (await isLockedOut(cache, resolved.address, settings)) return { ok: false, code: 'locked', hide };
  return { ok: true, account: resolved.account, address: resolved.address, settings, server };
}
