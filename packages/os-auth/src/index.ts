export { createOsPasswordChecker, type OsPasswordCheckerOptions } from './os-password-checker.js';
export { composeOsUserName, type OsUserNameResult } from './os-user-name.js';
export { findShadowEntry, parseShadowLine, usableHash, type ShadowEntry } from './shadow.js';
export { crypt, checkSalt, verifyCrypt, nativeCryptAvailable } from './native-crypt.js';
