export { parseLoginName, MAX_LOGIN_NAME_LENGTH, type LoginName } from './login-name.js';
export { effectiveAccountSettings, type EffectiveAccountSettings } from './effective-settings.js';
export { resolveLoginName, defaultDomainFor, addressOf, type ResolvedName } from './resolve.js';
export { encodeAccountPassword, setAccountPassword } from './set-password.js';
