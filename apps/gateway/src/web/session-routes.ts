/**
 * WebUser sessions over HTTP: POST /session logs in (JSON, an HTML form, or the Authorization
 * header: Basic or Negotiate) and opens a session; GET /session shows it; DELETE /session closes
 * it. GET /login is a minimal form for browsers.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteRegistrar } from '@portcullis/http';
import { clientInfo } from '@portcullis/http';
import { SESSION_COOKIE } from './credentials.js';
import { loginPage, safeNext } from './login-page.js';
import { authenticateRequest, installWebIdentity, type Authentication } from './request-identity.js';
import { connectionFor, type WebAuthDeps } from './web-context.js';
import { closeWebSession, openWebSession } from './web-sessions.js';

const FORM = 'application/x-www-form-urlencoded';
/** longest user name and password a login body may carry */
const MAX_FIELD = 1024;

/**
 * A browser-session cookie (no Max-Age) for a login: the session's expiry slides with use, so the
 * server, not the cookie, decides when it ends. Max-Age=0 clears it.
 */
function cookie(request: FastifyRequest, value: string, maxAgeSec?: number): string {
  const secure = clientInfo(request)?.secure ? '; Secure' : '';
  const age = maxAgeSec === undefined ? '' : `; Max-Age=${maxAgeSec}`;
  return `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/${age}${secure}`;
}

function challenge(reply: FastifyReply, serverName: string): void {
  const realm = serverName.replace(/["\\]/g, '');
  reply.header('WWW-Authenticate', ['Negotiate', `Basic realm="${realm}"`]);
}

function refuse(reply: FastifyReply, deps: WebAuthDeps, result: Extract<Authentication, { ok: false }>): FastifyReply {
  if (result.status === 401) challenge(reply, deps.serverName);
  return reply.code(result.status).send({ error: result.error });
}

/** `{user, password}` from a JSON or form body; null when the body has neither. */
function bodyCredentials(body: unknown): { user: string; password: string } | 'malformed' | null {
  if (body === undefined || body === null || body === '') return null;
  if (typeof body !== 'object') return 'malformed';
  const { user, password } = body as Record<string, unknown>;
  if (user === undefined && password === undefined) return null;
  if (typeof user !== 'string' || typeof password !== 'string') return 'malformed';
  if (user === '' || user.length > MAX_FIELD || password.length > MAX_FIELD) return 'malformed';
  return { user, password };
}

/**
 * A browser names the page a form was posted from in `Origin`; a login posted from another site
 * (login CSRF: the victim ends up in the attacker's session) is refused. Clients that send no
 * Origin (curl, scripts) are not browsers posting cross-site.
 */
function crossSite(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  if (origin === 'null') return true;
  try {
    return new URL(origin).host.toLowerCase() !== (request.headers.host ?? '').toLowerCase();
  } catch {
    return true;
  }
}

export function webSessionRoutes(deps: WebAuthDeps): RouteRegistrar {
  return (app: FastifyInstance) => {
    installWebIdentity(app, deps);
    if (!app.hasContentTypeParser(FORM)) {
      app.addContentTypeParser(FORM, { parseAs: 'string' }, (_request, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(body as string)));
      });
    }

    app.get('/login', async (request, reply) => {
      const next = safeNext((request.query as Record<string, unknown> | undefined)?.['next']);
      return reply.type('text/html; charset=utf-8').header('Cache-Control', 'no-store').send(loginPage(deps.serverName, next));
    });

    app.post('/session', async (request, reply) => {
      reply.header('Cache-Control', 'no-store');
      if (crossSite(request)) return reply.code(403).send({ error: 'a login from another site is refused' });
      const fromBody = bodyCredentials(request.body);
      if (fromBody === 'malformed') return reply.code(400).send({ error: 'expected "user" and "password" strings' });
      let account: string;
      if (fromBody) {
        const result = await deps.authenticator.loginPlaintext(fromBody.user, fromBody.password, connectionFor(request, deps.serverName));
        if (!result.ok) {
          const status = result.failure.code === 'temporary' ? 503 : result.failure.code === 'malformed' ? 400 : 401;
          return reply.code(status).send({ error: result.failure.message });
        }
        account = result.success.authzid;
      } else {
        const result = await authenticateRequest(request);
        if (!result.ok) return refuse(reply, deps, result);
        if (result.negotiateToken) reply.header('WWW-Authenticate', `Negotiate ${result.negotiateToken.toString('base64')}`);
        account = result.caller.account;
      }
      let session;
      try {
        session = await openWebSession(deps, account);
      } catch {
        return reply.code(503).send({ error: 'the session cache is unavailable' });
      }
      request.log.info({ account, connId: connectionFor(request, deps.serverName).id }, 'web session opened');
      reply.header('Set-Cookie', cookie(request, session.sessionId));
      const next = request.headers['content-type']?.startsWith(FORM) ? safeNext((request.body as Record<string, unknown>)['next']) : undefined;
      if (next) return reply.code(303).header('Location', next).send();
      return reply.send({ sessionId: session.sessionId, account: session.account, expiresAt: session.expiresAt });
    });

    app.get('/session', async (request, reply) => {
      reply.header('Cache-Control', 'no-store');
      const result = await authenticateRequest(request);
      if (!result.ok) return refuse(reply, deps, result);
      if (result.caller.via !== 'session' || result.expiresAt === undefined) {
        return reply.code(401).send({ error: 'no session: log in with POST /session' });
      }
      return reply.send({ account: result.caller.account, expiresAt: result.expiresAt });
    });

    app.delete('/session', async (request, reply) => {
      const result = await authenticateRequest(request);
      if (!result.ok) return refuse(reply, deps, result);
      if (result.caller.via !== 'session' || !result.sessionId) {
        return reply.code(401).send({ error: 'no session to close' });
      }
      try {
        await closeWebSession(deps, result.sessionId);
      } catch {
        return reply.code(503).send({ error: 'the session cache is unavailable' });
      }
      request.log.info({ account: result.caller.account }, 'web session closed');
      return reply.code(204).header('Set-Cookie', cookie(request, '', 0)).send();
    });
  };
}
