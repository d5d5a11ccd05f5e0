import type { Advertisement, Authenticator, SaslExchange } from '../authenticator.js';
import type { ConnectionInfo } from '../connection.js';
import type { AuthFailure, LoginResult } from '../results.js';
import { defaultDomainFor } from '../accounts/resolve.js';
import { clientAddressAllowed } from '../policy/client-address.js';
import { failure } from '../policy/failures.js';
import { advertisementFor } from './advertise.js';
import { loginApop, makeApopTimestamp } from './apop.js';
import { newAttempt } from './attempt.js';
import { LoginEngine } from './login-engine.js';
import type { AuthenticatorOptions } from './options.js';
import { MechanismExchange } from './sasl-exchange.js';

/** The Authenticator the protocol packages call. */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const engine = new LoginEngine(options);
  const registry = options.mechanisms;
  const now = options.now ?? Date.now;

  return {
    async advertise(conn: ConnectionInfo): Promise<Advertisement> {
      let domain = null;
      try {
        domain = await engine.directory.resolveDomain(defaultDomainFor(conn, engine.mainDomain));
      } catch (err) {
        // advertising the defaults beats failing a greeting; the login itself will report the error
        engine.logger.warn({ connId: conn.id, err: err instanceof Error ? err.message : String(err) }, 'domain lookup failed');
      }
      return advertisementFor(domain, registry, conn);
    },

    async checkClientAddress(conn: ConnectionInfo): Promise<AuthFailure | null> {
      try {
        const server = await engine.directory.getServerSettings();
        if (clientAddressAllowed(server, conn.remoteAddress, conn.localAddress)) return null;
        engine.logger.info({ service: conn.service, remoteAddress: conn.remoteAddress, connId: conn.id, result: 'client-address' }, 'connection from a non-client address');
        return failure('client-address');
      } catch (err) {
        engine.logger.warn({ connId: conn.id, err: err instanceof Error ? err.message : String(err) }, 'server settings lookup failed');
        return failure('temporary');
      }
    },

    startSasl(mechanism: string, conn: ConnectionInfo): SaslExchange | null {
      const mech = registry.get(mechanism.toUpperCase());
      if (!mech || (mech.requiresTls && !conn.secure)) {
        engine.logRefusal(newAttempt(conn, mechanism.slice(0, 40), false), failure('mechanism-unavailable'));
        return null;
      }
      return new MechanismExchange(engine, mech, conn);
    },

    async loginPlaintext(user: string, password: string, conn: ConnectionInfo): Promise<LoginResult> {
      const attempt = newAttempt(conn, 'CLRTXT', true);
      const outcome = await engine.conclude(attempt, await engine.verifyPlaintext(attempt, user, password));
      return outcome.kind === 'success' ? { ok: true, success: outcome.success } : { ok: false, failure: outcome.failure };
    },

    apopTimestamp(conn: ConnectionInfo): string {
      return makeApopTimestamp(conn.serverName, now());
    },

    loginApop(user: string, timestamp: string, digestHex: string, conn: ConnectionInfo): Promise<LoginResult> {
      return loginApop(engine, user, timestamp, digestHex, conn);
    },
  };
}
