/**
 * SASL GSSAPI (RFC 4752) with the Kerberos V5 mechanism: the client's AP-REQ is accepted with
 * the keys of the domain its ticket's service principal names, then the wrapped security-layer
 * negotiation runs (this server offers no layer: only "none"), then the engine finishes the login
 * for the client name in that domain.
 */
import type { AuthLogger, DirectoryStore, Mechanism, MechanismContext, MechanismStep } from '@portcullis/auth-core';
import type { MechanismRegistry } from '@portcullis/auth-core';
import { createMechanismRegistry, guardSession, mechanismFailure } from '@portcullis/auth-core';
import { ticketServicePrincipal } from './ap-req.js';
import { nativeGssAcceptor, type GssAcceptor, type GssContext } from './gss-binding.js';
import type { Principal } from './principal.js';
import { acceptedClient, acceptWithDomainKeys } from './ticket-acceptance.js';

const NAME = 'GSSAPI';
/** RFC 4752 security-layer bit for "no security layer". */
const LAYER_NONE = 0x01;
/** A Kerberos AP-REQ with a PAC can be large; 64 KiB is well above what KDCs issue. */
const MAX_INPUT = 64 * 1024;

export interface GssapiMechanismOptions {
  directory: Pick<DirectoryStore, 'resolveDomain'>;
  /** default: the native MIT binding */
  acceptor?: GssAcceptor;
  logger?: Pick<AuthLogger, 'info' | 'debug'>;
  /** where private keytab files are written for an accept call; default os.tmpdir() */
  tmpDir?: string;
}

type State =
  | { kind: 'token' }
  | { kind: 'continue'; context: GssContext; domain: string; service: Principal }
  | { kind: 'ack'; context: GssContext; domain: string; user: string }
  | { kind: 'layer'; context: GssContext; domain: string; user: string }
  | { kind: 'done' };

export function createGssapiMechanism(options: GssapiMechanismOptions): Mechanism {
  const logger = options.logger;
  const refuse = (reason: string, extra: object = {}): MechanismStep => {
    logger?.info({ mechanism: NAME, reason, ...extra }, 'kerberos ticket refused');
    return mechanismFailure('bad-credentials', 'GSSAPI authentication failed');
  };

  return {
    name: NAME,
    cleartext: false,
    credential: 'none',
    loginMethod: 'GSSAPI',
    create(ctx: MechanismContext) {
      const acceptor = options.acceptor ?? nativeGssAcceptor();
      let state: State = { kind: 'token' };
      let prompted = false;

      const finish = (): void => {
        if ('context' in state) acceptor.release(state.context);
        state = { kind: 'done' };
      };

      /** After MIT accepted: check the names, then either send the AP-REP or the layer offer. */
      const accepted = (
        context: GssContext,
        domain: string,
        service: Principal,
        result: { output: Buffer; clientName?: string; targetName?: string },
      ): MechanismStep => {
        const client = acceptedClient(result, service, domain, refuse);
        if ('step' in client) return client.step;
        const { user } = client;
        if (result.output.length > 0) {
          state = { kind: 'ack', context, domain, user };
          return { kind: 'continue', challenge: result.output };
        }
        state = { kind: 'layer', context, domain, user };
        return offerLayers(context);
      };

      const offerLayers = (context: GssContext): MechanismStep => {
        // no layer offered, so the max size field is 0
        const offer = Buffer.from([LAYER_NONE, 0, 0, 0]);
        return { kind: 'continue', challenge: acceptor.wrap(context, offer, false) };
      };

      const acceptToken = async (token: Buffer): Promise<MechanismStep> => {
        const service = ticketServicePrincipal(token);
        if (!service) return mechanismFailure('malformed', 'GSSAPI: expected a Kerberos V5 initial context token');
        const acceptance = await acceptWithDomainKeys(options, () => acceptor, service, token, refuse);
        if (!acceptance.accepted) return acceptance.step;
        const { domain, result } = acceptance;
        if (!result.complete) {
          state = { kind: 'continue', context: result.context, domain: domain.name, service };
          return { kind: 'continue', challenge: result.output };
        }
        return accepted(result.context, domain.name, service, result);
      };

      const step = async (input: Buffer | null): Promise<MechanismStep> => {
        switch (state.kind) {
          case 'token':
            if (input === null || input.length === 0) {
              if (prompted) return mechanismFailure('malformed', 'GSSAPI: expected a token');
              prompted = true;
              return { kind: 'continue', challenge: Buffer.alloc(0) };
            }
            return acceptToken(input);
          case 'continue':
            if (input === null || input.length === 0) return mechanismFailure('malformed', 'GSSAPI: expected a token');
            return acceptToken(input);
          case 'ack':
            if (input !== null && input.length > 0) return mechanismFailure('malformed', 'GSSAPI: expected an empty response');
            state = { kind: 'layer', context: state.context, domain: state.domain, user: state.user };
            return offerLayers(state.context);
          case 'layer': {
            if (input === null) return mechanismFailure('malformed', 'GSSAPI: expected the security layer choice');
            let data: Buffer;
            try {
              data = acceptor.unwrap(state.context, input).data;
            } catch {
              return mechanismFailure('malformed', 'GSSAPI: the security layer message does not unwrap');
            }
            if (data.length < 4 || data[0] !== LAYER_NONE) {
              return mechanismFailure('malformed', 'GSSAPI: only the "no security layer" choice is offered');
            }
            const authzid = data.subarray(4).toString('utf8');
            if (authzid.includes('\0') || Buffer.from(authzid, 'utf8').length !== data.length - 4) {
              return mechanismFailure('malformed', 'GSSAPI: the authorization identity is not UTF-8');
            }
            const { domain, user } = state;
            if (!ctx.completeKerberosLogin) return mechanismFailure('mechanism-unavailable', 'GSSAPI is not available here');
            return ctx.completeKerberosLogin(`${user}@${domain}`, domain, authzid === '' ? undefined : authzid);
          }
          case 'done':
            return mechanismFailure('malformed', 'GSSAPI: the exchange is finished');
        }
      };

      const session = guardSession(NAME, step, MAX_INPUT);
      return {
        async step(input: Buffer | null): Promise<MechanismStep> {
          const out = await session.step(input);
          if (out.kind !== 'continue') finish();
          return out;
        },
      };
    },
  };
}

/** `registry` with GSSAPI added last (the gateway's wiring in one call). */
export function withGssapiMechanism(registry: MechanismRegistry, options: GssapiMechanismOptions): MechanismRegistry {
  return createMechanismRegistry([...registry.all(), createGssapiMechanism(options)]);
}
