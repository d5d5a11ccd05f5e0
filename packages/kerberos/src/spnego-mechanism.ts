/**
 * HTTP Negotiate (RFC 4559) as a one-message mechanism, GSS-SPNEGO: the client's SPNEGO (or bare
 * Kerberos) token is accepted with the keys of the domain its ticket's service names, exactly as
 * GSSAPI picks them, and the engine finishes the login for the client name in that domain. It is
 * registered hidden: the http listener asks for it by name; session protocols never advertise it.
 * HTTP holds no context between requests, so a token that needs another round trip is refused.
 */
import type { Mechanism, MechanismContext, MechanismRegistry, MechanismStep } from '@portcullis/auth-core';
import { createMechanismRegistry, guardSession, mechanismFailure } from '@portcullis/auth-core';
import type { GssapiMechanismOptions } from './gssapi-mechanism.js';
import { nativeGssAcceptor } from './gss-binding.js';
import { withTempKeytab } from './keytab-files.js';
import { parsePrincipal, serviceHost, simpleClientName, type Principal } from './principal.js';
import { negotiateServicePrincipal } from './spnego.js';
import { fromStored, storedKeysOf } from './stored-keys.js';

export const SPNEGO_MECHANISM_NAME = 'GSS-SPNEGO';
const MAX_INPUT = 64 * 1024;

function samePrincipal(a: Principal, b: Principal): boolean {
  return a.realm === b.realm && a.components.length === b.components.length && a.components.every((c, i) => c === b.components[i]);
}

export function createSpnegoMechanism(options: GssapiMechanismOptions): Mechanism {
  const logger = options.logger;
  const refuse = (reason: string, extra: object = {}): MechanismStep => {
    logger?.info({ mechanism: SPNEGO_MECHANISM_NAME, reason, ...extra }, 'kerberos ticket refused');
    return mechanismFailure('bad-credentials', 'Negotiate authentication failed');
  };

  const accept = async (ctx: MechanismContext, token: Buffer): Promise<MechanismStep> => {
    const service = negotiateServicePrincipal(token);
    if (!service) return mechanismFailure('malformed', 'Negotiate: expected a SPNEGO or Kerberos V5 initial token');
    const host = serviceHost(service);
    const domain = host ? await options.directory.resolveDomain(host) : null;
    if (!domain) return refuse('the ticket service names no domain', { service: service.components.join('/') });
    const keys = storedKeysOf(domain)
      .map(fromStored)
      .filter((k) => samePrincipal(k, service));
    if (keys.length === 0) return refuse('the domain has no key for the ticket service', { domain: domain.name, service: service.components.join('/') });
    const acceptor = options.acceptor ?? nativeGssAcceptor();
    let result;
    try {
      result = await withTempKeytab(keys, (path) => acceptor.accept(path, token), options.tmpDir);
    } catch (err) {
      return refuse('MIT GSS-API refused the ticket', { domain: domain.name, err: err instanceof Error ? err.message : String(err) });
    }
    try {
      if (!result.complete) return refuse('the client needs more than one round trip', { domain: domain.name });
      const target = result.targetName ? parsePrincipal(result.targetName) : null;
      if (!target || !samePrincipal(target, service)) return refuse('the context target differs from the ticket service', { domain: domain.name });
      const client = result.clientName ? parsePrincipal(result.clientName) : null;
      const user = client && simpleClientName(client);
      if (!client || !user) return refuse('the client principal is not a simple name', { domain: domain.name, client: result.clientName });
      if (client.realm !== service.realm) return refuse('the client is of another realm', { domain: domain.name, client: result.clientName });
      if (!ctx.completeKerberosLogin) return mechanismFailure('mechanism-unavailable', 'Negotiate is not available here');
      const outcome = await ctx.completeKerberosLogin(`${user}@${domain.name}`, domain.name);
      // the final SPNEGO token (accept-completed, and the AP-REP for mutual authentication)
      return outcome.kind === 'success' && result.output.length > 0 ? { ...outcome, data: result.output } : outcome;
    } finally {
      acceptor.release(result.context);
    }
  };

  return {
    name: SPNEGO_MECHANISM_NAME,
    cleartext: false,
    credential: 'none',
    loginMethod: 'GSSAPI',
    hidden: true,
    create(ctx: MechanismContext) {
      return guardSession(
        SPNEGO_MECHANISM_NAME,
        async (input): Promise<MechanismStep> => {
          if (input === null || input.length === 0) return mechanismFailure('malformed', 'Negotiate: expected a token');
          return accept(ctx, input);
        },
        MAX_INPUT,
      );
    },
  };
}

/** `registry` with GSS-SPNEGO (hidden, for HTTP Negotiate) added last. */
export function withSpnegoMechanism(registry: MechanismRegistry, options: GssapiMechanismOptions): MechanismRegistry {
  return createMechanismRegistry([...registry.all(), createSpnegoMechanism(options)]);
}
