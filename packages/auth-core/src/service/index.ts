export { createAuthenticator } from './authenticator.js';
export { DEFAULT_FAILURE_DELAY_MS, type AuthenticatorOptions } from './options.js';
export { advertisementFor } from './advertise.js';
