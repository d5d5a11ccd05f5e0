/**
 * AuthFailure → the SMTP reply (RFC 4954 section 6, RFC 3463 / RFC 5248 enhanced codes).
 * A locked account is a 535 like bad credentials: a 454 would invite the client to retry the
 * same login on its own and keep the lockout going. The message is auth-core's, which honours
 * hideUnknownAccount.
 */
import type { AuthFailure, FailureCode } from '@portcullis/auth-core';
import { reply } from '../codec/index.js';

const REPLIES: Record<FailureCode, [number, string]> = {
  'unknown-account': [535, '5.7.8'],
  'bad-credentials': [535, '5.7.8'],
  locked: [535, '5.7.8'],
  'unsupported-credential': [535, '5.7.8'],
  'secure-method-required': [534, '5.7.9'],
  'service-disabled': [535, '5.7.1'],
  'impersonation-denied': [535, '5.7.1'],
  'client-address': [535, '5.7.0'],
  'mechanism-unavailable': [504, '5.5.4'],
  malformed: [501, '5.5.2'],
  cancelled: [501, '5.7.0'],
  temporary: [454, '4.7.0'],
};

export function failureReply(failure: AuthFailure): string {
  const [code, enhanced] = REPLIES[failure.code];
  return reply(code, failure.message || 'authentication failed', enhanced);
}
