import type { Advertisement } from '../authenticator.js';
import type { ConnectionInfo } from '../connection.js';
import type { Mechanism, MechanismRegistry } from '../sasl/mechanism.js';
import { DEFAULT_LOGIN_METHODS, type DomainSettings, type LoginMethod } from '../settings.js';

/** What the domain's Login Methods advertise on this link: they never limit what may be used. */
export function advertisementFor(
  domain: DomainSettings | null,
  registry: MechanismRegistry,
  conn: Pick<ConnectionInfo, 'secure' | 'tls'>,
): Advertisement {
  const methods = new Set<LoginMethod>(domain?.loginMethods ?? DEFAULT_LOGIN_METHODS);
  const offered = (m: Mechanism): boolean =>
    m.loginMethod === 'EXTERNAL' ? presentedClientCertificate(conn) : methods.has(m.loginMethod);
  return {
    saslMechanisms: registry
      .all()
      .filter((m) => !m.hidden && offered(m) && (!m.requiresTls || conn.secure))
      .map((m) => m.name),
    clearText: methods.has('CLRTXT'),
    apop: methods.has('APOP'),
  };
}

/** The client sent a certificate on this TLS link (whether it verifies is the login's business). */
function presentedClientCertificate(conn: Pick<ConnectionInfo, 'secure' | 'tls'>): boolean {
  if (!conn.secure || !conn.tls?.peerCertificateDer) return false;
  try {
    return conn.tls.peerCertificateDer() !== null;
  } catch {
    return false;
  }
}
