import type { FailureCode } from '@portcullis/auth-core';
import type { SaslFailureCondition } from '../codec/serialize.js';

/** auth-core's failure codes as RFC 6120 6.5 SASL failure conditions */
const CONDITIONS: Record<FailureCode, SaslFailureCondition> = {
  'unknown-account': 'not-authorized',
  'bad-credentials': 'not-authorized',
  'client-address': 'not-authorized',
  'unsupported-credential': 'not-authorized',
  locked: 'account-disabled',
  'service-disabled': 'account-disabled',
  'secure-method-required': 'encryption-required',
  'impersonation-denied': 'invalid-authzid',
  'mechanism-unavailable': 'invalid-mechanism',
  malformed: 'malformed-request',
  cancelled: 'aborted',
  temporary: 'temporary-auth-failure',
};

export function saslConditionFor(code: FailureCode): SaslFailureCondition {
  return CONDITIONS[code];
}
