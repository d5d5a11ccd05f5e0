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
import { negotiateServicePrincipal } from './spnego.js';
import { acceptedClient, acceptWithDomainKeys } from './ticket-acceptance.js';

export const SPNEGO_MECHANISM_NAME = 'GSS-SPNEGO';
const MAX_INPUT = 64 * 1024;

export function createSpnegoMechanism(options: GssapiMechanismOptions): Mechanism {
  const logger = options.logger;
  const refuse = (reason: string, extra: object = {}): MechanismStep => {
    logger?.info({ mechanism: SPNEGO_MECHANISM_NAME, reason, ...extra }, 'kerberos ticket refused');
    return mechanismFailure('bad-credentials', 'Negotiate authentication failed');
  };

  const accept = async (ctx: MechanismContext, token: Buffer): Promise<MechanismStep> => {
    const service = negotiateServicePrincipal(token);
    if (!service) return mechanismFailure('malformed', 'Negotiate: expected a SPNEGO or Kerberos V5 initial token');
    const acceptor = () => options.acceptor ?? nativeGssAcceptor();
    const acceptance = await acceptWithDomainKeys(options, acceptor, service, token, refuse);
    if (!acceptance.accepted) return acceptance.step;
    const { domain, result } = acceptance;
    try {
      if (!result.complete) return refuse('the client needs more than one round trip', { domain: domain.name });
      const client = acceptedClient(result, service, domain.name, refuse);
      if ('step' in client) return client.step;
      if (!ctx.completeKerberosLogin) return mechanismFailure('mechanism-unavailable', 'Negotiate is not available here');
      const outcome = await ctx.completeKerberosLogin(`${client.user}@${domain.name}`, domain.name);
      // the final SPNEGO token (accept-completed, and the AP-REP for mutual authentication)
      return outcome.kind === 'success' && result.output.length > 0 ? { ...outcome, data: result.output } : outcome;
    } finally {
      acceptor().release(result.context);
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
