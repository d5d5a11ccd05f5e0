import type { Advertisement } from '../authenticator.js';
import type { ConnectionInfo } from '../connection.js';
import type { MechanismRegistry } from '../sasl/mechanism.js';
import { DEFAULT_LOGIN_METHODS, type DomainSettings, type LoginMethod } from '../settings.js';

/** What the domain's Login Methods advertise on this link: they never limit what may be used. */
export function advertisementFor(
  domain: DomainSettings | null,
  registry: MechanismRegistry,
  conn: Pick<ConnectionInfo, 'secure'>,
): Advertisement {
  const methods = new Set<LoginMethod>(domain?.loginMethods ?? DEFAULT_LOGIN_METHODS);
  return {
    saslMechanisms: registry
      .all()
      .filter((m) => methods.has(m.loginMethod) && (!m.requiresTls || conn.secure))
      .map((m) => m.name),
    clearText: methods.has('CLRTXT'),
    apop: methods.has('APOP'),
  };
}
