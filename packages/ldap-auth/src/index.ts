export { AuthenticationUriError, bindNameFor, escapeDnValue, parseAuthenticationUri, type AuthenticationUri } from './authentication-uri.js';
export { simpleBind, type BindOptions, type BindResult } from './ldap-bind.js';
export { createUriPasswordChecker, DEFAULT_LDAP_TIMEOUT_MS, type UriCheckerLogger, type UriCheckerOptions } from './uri-password-checker.js';
