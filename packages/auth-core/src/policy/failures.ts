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

/** The true reason behind a failure that hideUnknownAccount disguised (for the login log only). */
const disguised = new WeakMap<AuthFailure, FailureCode>();

export function failure(code: FailureCode, hideUnknownAccount = false): AuthFailure {
  if (hideUnknownAccount && REVEALING.has(code)) {
    const hidden: AuthFailure = { code: 'bad-credentials', message: GENERIC_FAILURE_MESSAGE };
    disguised.set(hidden, code);
    return hidden;
  }
  return { code, message: MESSAGES[code] };
}

/** Which rule refused a login, worded for an administrator (never shown to the client). */
const RULES: Record<FailureCode, string> = {
  'unknown-account': 'unknown account',
  'bad-credentials': 'wrong password',
  locked: 'locked out: too many failed logins (failedLoginLimit within failedLoginPeriod)',
  'secure-method-required': 'secure method required: a cleartext password over an unencrypted connection (secureMethodRequired)',
  'service-disabled': 'service not enabled for the account (enabledServices)',
  'client-address': 'client address not allowed: not in Client IP Addresses and logins from non-clients are prohibited',
  'impersonation-denied': 'impersonation denied: the CanImpersonate right is missing for the other account',
  'mechanism-unavailable': 'login method not enabled (the domain\'s Login Methods) or not offered here',
  'unsupported-credential': 'login method not usable for the account (no clear password for a shared-secret method, or allowKerberos/allowCertificate off)',
  malformed: 'malformed authentication data',
  cancelled: 'cancelled by the client',
  temporary: 'temporary failure: the directory or the cache did not answer',
};

/** The administrator's explanation of a failure, seeing through hideUnknownAccount. */
export function refusalRule(f: AuthFailure): string {
  const real = disguised.get(f);
  if (real === undefined) return RULES[f.code];
  return `${RULES[real]} (answered as a wrong password: hideUnknownAccount)`;
}
