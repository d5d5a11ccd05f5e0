import type { AccountRecord } from './settings.js';

/** Why a login failed. Protocols map these to their own error codes. */
export type FailureCode =
  | 'unknown-account'
  | 'bad-credentials'
  | 'locked'
  | 'secure-method-required'
  | 'service-disabled'
  | 'client-address'
  | 'impersonation-denied'
  | 'mechanism-unavailable'
  | 'unsupported-credential'
  | 'malformed'
  | 'cancelled'
  | 'temporary';

export interface AuthFailure {
  code: FailureCode;
  /** Safe to show the client; never contains a password. Honours hideUnknownAccount. */
  message: string;
}

export interface AuthSuccess {
  /** account whose credentials were checked, user@domain */
  authcid: string;
  /** account opened, user@domain (equal to authcid unless impersonating) */
  authzid: string;
  account: AccountRecord;
  mechanism: string;
}

export type SaslStep =
  | { kind: 'continue'; challenge: Buffer }
  | { kind: 'success'; success: AuthSuccess; /** RFC 4422 additional data with success */ data?: Buffer }
  | { kind: 'failure'; failure: AuthFailure };

export type LoginResult = { ok: true; success: AuthSuccess } | { ok: false; failure: AuthFailure };
