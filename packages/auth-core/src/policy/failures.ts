/**
 * Every failure a login can end with, worded once. Under hideUnknownAccount the ones that would
 * tell an existing account from an unknown one collapse into one code and one message.
 */
import type { AuthFailure, FailureCode } from '../results.js';

export const GENERIC_FAILURE_MESSAGE = 'incorrect account name or password';

const MESSAGES: Record<FailureCode, string> = {
  'unknown-account': 'unknown account',
  'bad-credentials': 'incorrect password',
  locked: 'account is temporarily locked',
  'secure-method-required': 'a secure authentication method or an encrypted connection is required',
  'service-disabled': 'this service is not enabled for the account',
  'client-address': 'logins are not accepted from this network address',
  'impersonation-denied': 'not authorized to open that account',
  'mechanism-unavailable': 'this authentication mechanism is not available',
  'unsupported-credential': 'this authentication method is not available for the account',
  malformed: 'malformed authentication data',
  cancelled: 'authentication cancelled',
  temporary: 'temporary authentication failure, try again later',
};

/** Codes that would reveal whether an account exists; hidden under hideUnknownAccount. */
const REVEALING: ReadonlySet<FailureCode> = new Set<FailureCode>([
  'unknown-account',
  'bad-credentials',
  'locked',
  'unsupported-credential',
]);

export function failure(code: FailureCode, hideUnknownAccount = false): AuthFailure {
  if (hideUnknownAccount && REVEALING.has(code)) {
    return { code: 'bad-credentials', message: GENERIC_FAILURE_MESSAGE };
  }
  return { code, message: MESSAGES[code] };
}
