export { createAuthenticator } from './authenticator.js';
export { DEFAULT_FAILURE_DELAY_MS, type AuthenticatorOptions, type LoginEvent } from './options.js';
export { advertisementFor } from './advertise.js';
export { DEFAULT_WEBUSER_SESSION_TTL, webUserSessionTtl, sessionExpiresAt, extendSession } from './session-login.js';
