/**
 * AuthFailure → the LDAP result code of a BindResponse (RFC 4511 4.2.2, RFC 4513 section 5).
 * A locked account answers invalidCredentials like a wrong password: a client that sees
 * unwillingToPerform or busy may retry on its own and keep the lockout going; the diagnostic
 * message still says what happened (as auth-core worded it, honouring hideUnknownAccount).
 */
import type { AuthFailure, FailureCode } from '@portcullis/auth-core';
import { ResultCode } from '../codec/index.js';

const CODES: Record<FailureCode, number> = {
  'unknown-account': ResultCode.invalidCredentials,
  'bad-credentials': ResultCode.invalidCredentials,
  locked: ResultCode.invalidCredentials,
  'secure-method-required': ResultCode.confidentialityRequired,
  'service-disabled': ResultCode.unwillingToPerform,
  'client-address': ResultCode.unwillingToPerform,
  'impersonation-denied': ResultCode.insufficientAccessRights,
  'mechanism-unavailable': ResultCode.authMethodNotSupported,
  'unsupported-credential': ResultCode.inappropriateAuthentication,
  malformed: ResultCode.invalidCredentials,
  cancelled: ResultCode.invalidCredentials,
  temporary: ResultCode.unavailable,
};

export function failureResultCode(failure: AuthFailure): number {
  return CODES[failure.code];
}

/** Failures after which the connection is closed (with a Notice of Disconnection). */
export function closesConnection(failure: AuthFailure): boolean {
  return failure.code === 'client-address';
}
