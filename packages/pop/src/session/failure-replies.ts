/**
 * AuthFailure → the -ERR line a POP3 client sees. Response codes follow RFC 2449 / RFC 3206:
 *  - [AUTH] for anything about the user's credentials or account: the client should ask the user
 *    rather than retry. A locked account is [AUTH] too: [SYS/TEMP] would invite clients to retry
 *    the same login automatically, which only keeps the lockout going.
 *  - [SYS/TEMP] when the server could not decide (a backend was unavailable).
 *  - no code for protocol-level problems (malformed exchange, cancelled, unknown mechanism).
 */
import type { AuthFailure, FailureCode } from '@portcullis/auth-core';
import { err, type ResponseCode } from '../codec/index.js';

const CODES: Record<FailureCode, ResponseCode | undefined> = {
  'unknown-account': 'AUTH',
  'bad-credentials': 'AUTH',
  locked: 'AUTH',
  'secure-method-required': 'AUTH',
  'service-disabled': 'AUTH',
  'impersonation-denied': 'AUTH',
  'unsupported-credential': 'AUTH',
  'client-address': undefined,
  'mechanism-unavailable': undefined,
  malformed: undefined,
  cancelled: undefined,
  temporary: 'SYS/TEMP',
};

export function failureReply(failure: AuthFailure): string {
  return err(failure.message || 'authentication failed', CODES[failure.code]);
}

/** Failures after which the connection is closed rather than left in AUTHORIZATION. */
export function closesConnection(failure: AuthFailure): boolean {
  return failure.code === 'client-address';
}
