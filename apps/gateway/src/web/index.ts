/** The gateway's web side: WebUser sessions, and who is calling (for the admin API). */
export { webSessionRoutes } from './session-routes.js';
export { resolveCaller, authenticateRequest, installWebIdentity, type Caller, type Authentication } from './request-identity.js';
export { sessionIdLogin } from './sessionid-login.js';
export { NEGOTIATE_MECHANISM, type WebAuthDeps } from './web-context.js';
export { SESSION_COOKIE } from './credentials.js';
export { openWebSession, findWebSession, closeWebSession, type WebSession } from './web-sessions.js';
