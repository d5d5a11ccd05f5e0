/** RFC 5530 response codes for auth-core failures. */
import type { AuthFailure, FailureCode } from '@portcullis/auth-core';

export type FailureReply =
  | { kind: 'tagged'; status: 'NO' | 'BAD'; code?: string; text: string }
  /** refuse the connection: untagged BYE, then close */
  | { kind: 'bye'; text: string };

const CODES: Record<FailureCode, { status: 'NO' | 'BAD' | 'BYE'; code?: string }> = {
  'bad-credentials': { status: 'NO', code: 'AUTHENTICATIONFAILED' },
  'unknown-account': { status: 'NO', code: 'AUTHENTICATIONFAILED' },
  'unsupported-credential': { status: 'NO', code: 'AUTHENTICATIONFAILED' },
  'impersonation-denied': { status: 'NO', code: 'AUTHORIZATIONFAILED' },
  'secure-method-required': { status: 'NO', code: 'PRIVACYREQUIRED' },
  locked: { status: 'NO', code: 'UNAVAILABLE' },
  temporary: { status: 'NO', code: 'UNAVAILABLE' },
  'service-disabled': { status: 'NO', code: 'CONTACTADMIN' },
  'mechanism-unavailable': { status: 'NO', code: 'CANNOT' },
  'client-address': { status: 'BYE' },
  cancelled: { status: 'BAD' },
  malformed: { status: 'BAD' },
};

export function failureReply(failure: AuthFailure): FailureReply {
  const entry = CODES[failure.code] ?? { status: 'NO', code: 'AUTHENTICATIONFAILED' };
  const text = failure.message || 'authentication failed';
  if (entry.status === 'BYE') return { kind: 'bye', text };
  return entry.code ? { kind: 'tagged', status: entry.status, code: entry.code, text } : { kind: 'tagged', status: entry.status, text };
}
