import type { ConnectionInfo } from '../connection.js';
import type { AuthSuccess } from '../results.js';
import type { AccountRecord } from '../settings.js';
import type { EffectiveAccountSettings } from '../accounts/effective-settings.js';

/** What a shared-secret lookup left behind for the proof's outcome. */
export type SecretState =
  | { kind: 'real'; account: AccountRecord; settings: EffectiveAccountSettings }
  /** hideUnknownAccount: a refusal disguised as a normal exchange that can only fail */
  | { kind: 'phantom' };

/** One login attempt: a SASL exchange, a plaintext login or an APOP command. */
export interface Attempt {
  conn: ConnectionInfo;
  mechanism: string;
  /** the client sends its password itself (secureMethodRequired applies) */
  cleartext: boolean;
  /** the account name for the log (never a password) */
  account?: string;
  /** authcids this attempt looked a secret up for; a proof can only conclude one of these */
  secrets: Map<string, SecretState>;
  /** the success the engine granted; a mechanism cannot report any other */
  granted?: AuthSuccess;
  /** performance.now() at the start, for the login latency */
  startedAt: number;
  /** this attempt's failure locked the account */
  lockedNow?: boolean;
}

export function newAttempt(conn: ConnectionInfo, mechanism: string, cleartext: boolean): Attempt {
  return { conn, mechanism, cleartext, secrets: new Map(), startedAt: performance.now() };
}
