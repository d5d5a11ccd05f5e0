export { failure, GENERIC_FAILURE_MESSAGE } from './failures.js';
export {
  AddressList,
  clientAddressAllowed,
  isServerItself,
  parseAddress,
  parseRange,
} from './client-address.js';
export { isLockedOut, recordLoginFailure, clearLoginFailures, lockoutKey } from './lockout.js';
export { secureMethodViolated, serviceEnabled } from './account-policy.js';
export {
  ownPasswordChecker,
  DEFAULT_PASSWORD_CHECKERS,
  checkPassword,
  findClearSecret,
  checkProof,
  type PasswordChecker,
  type PasswordCheckRequest,
} from './password-checkers.js';
export { IMPERSONATION_MECHANISMS, resolveAuthorization, type CanImpersonate, type AuthorizationResult } from './impersonation.js';
