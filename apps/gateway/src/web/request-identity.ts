/**
 * Who is calling: the one question every web route asks. A session (cookie `portcullis_session`
 * or `Authorization: Bearer`), else HTTP Basic or Negotiate checked by the same auth-core
 * Authenticator as every protocol (service `http`: client addresses, lockout, enabledServices,
 * hideUnknownAccount all apply).
 *
 * The dependencies are a decoration of the fastify app (`installWebIdentity`, done by
 * `webSessionRoutes`), so that `resolveCaller(request)` works in any route or plugin of the app.
 */
import type { AuthFailure } from '@portcullis/auth-core';
import type { FastifyInstance, FastifyRequest } from '@portcullis/http';
import { requestCredentials } from './credentials.js';
import { connectionFor, NEGOTIATE_MECHANISM, type WebAuthDeps } from './web-context.js';
import { findWebSession } from './web-sessions.js';

export interface Caller {
  /** user@domain */
  account: string;
  via: 'session' | 'basic' | 'negotiate';
}

export type Authentication =
  | {
      ok: true;
      caller: Caller;
      /** the session the request named (via 'session') */
      sessionId?: string;
      /** via 'session': when it ends (ms epoch) */
      expiresAt?: number;
      /** Negotiate: the mutual-authentication token to send back, if MIT produced one */
      negotiateToken?: Buffer;
    }
  | {
      ok: false;
      /** 400 malformed credentials, 401 none or refused, 503 cache or directory down */
      status: 400 | 401 | 503;
      /** safe to show: never a password, and honours hideUnknownAccount */
      error: string;
      /** no credentials at all (reply with the WWW-Authenticate challenges) */
      anonymous: boolean;
    };

const DECORATION = 'portcullisWebIdentity';

export function installWebIdentity(app: FastifyInstance, deps: WebAuthDeps): void {
  if (!app.hasDecorator(DECORATION)) app.decorate(DECORATION, deps);
}

function depsOf(request: FastifyRequest): WebAuthDeps {
  if (!request.server.hasDecorator(DECORATION)) {
    throw new Error('resolveCaller: webSessionRoutes is not registered on this app');
  }
  return request.server.getDecorator<WebAuthDeps>(DECORATION);
}

function refused(failure: AuthFailure): Authentication {
  if (failure.code === 'temporary') return { ok: false, status: 503, error: failure.message, anonymous: false };
  if (failure.code === 'malformed') return { ok: false, status: 400, error: failure.message, anonymous: false };
  return { ok: false, status: 401, error: failure.message, anonymous: false };
}

/** The caller and how they proved it, or why not. */
export async function authenticateRequest(request: FastifyRequest): Promise<Authentication> {
  const deps = depsOf(request);
  const creds = requestCredentials(request);
  switch (creds.kind) {
    case 'none':
      return { ok: false, status: 401, error: 'authentication required', anonymous: true };
    case 'malformed':
      return { ok: false, status: 400, error: `malformed ${creds.scheme} credentials`, anonymous: false };
    case 'session': {
      let session;
      try {
        session = await findWebSession(deps, creds.sessionId);
      } catch {
        return { ok: false, status: 503, error: 'the session cache is unavailable', anonymous: false };
      }
      if (!session) return { ok: false, status: 401, error: 'no such session, or it has expired', anonymous: false };
      return { ok: true, caller: { account: session.account, via: 'session' }, sessionId: session.sessionId, expiresAt: session.expiresAt };
    }
    case 'basic': {
      const result = await deps.authenticator.loginPlaintext(creds.user, creds.password, connectionFor(request, deps.serverName));
      if (!result.ok) return refused(result.failure);
      return { ok: true, caller: { account: result.success.authzid, via: 'basic' } };
    }
    case 'negotiate': {
      const exchange = deps.authenticator.startSasl(NEGOTIATE_MECHANISM, connectionFor(request, deps.serverName));
      if (!exchange) return { ok: false, status: 401, error: 'Negotiate is not available', anonymous: false };
      const step = await exchange.step(creds.token);
      if (step.kind === 'failure') return refused(step.failure);
      if (step.kind === 'continue') {
        // HTTP has no place to hold a half-made context between requests: one token must do
        exchange.cancel();
        return { ok: false, status: 401, error: 'Negotiate needs more than one round trip; not supported', anonymous: false };
      }
      return {
        ok: true,
        caller: { account: step.success.authzid, via: 'negotiate' },
        ...(step.data && step.data.length > 0 ? { negotiateToken: step.data } : {}),
      };
    }
  }
}

/**
 * The caller of `request`, or null (no credentials, or refused). The admin API's only way to
 * learn who is calling.
 */
export async function resolveCaller(request: FastifyRequest): Promise<Caller | null> {
  const result = await authenticateRequest(request);
  return result.ok ? result.caller : null;
}
