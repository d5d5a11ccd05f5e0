export {
  encodePassword,
  verifyStoredPassword,
  clearSecretOf,
  isOneWay,
  parseStoredPassword,
  dummyVerify,
  type ParsedStoredPassword,
} from './stored-password.js';
export { schemeNamed, BCRYPT_COST, type PasswordScheme } from './schemes.js';
export { constantTimeEqual } from './constant-time.js';
export { registerCryptVerifier, verifyImportedHash, isImportedHash, type CryptVerifier } from './imported-hashes.js';
