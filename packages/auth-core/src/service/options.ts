import type { AuthLogger } from '../authenticator.js';
import type { FailureCode } from '../results.js';
import type { DirectoryStore, SessionCache } from '../ports.js';
import type { MechanismRegistry } from '../sasl/mechanism.js';
import type { CanImpersonate } from '../policy/impersonation.js';
import type { PasswordChecker } from '../policy/password-checkers.js';

export interface AuthenticatorOptions {
  directory: DirectoryStore;
  cache: SessionCache;
  /** used for login names without a domain when the listener names none */
  mainDomain: string;
  mechanisms: MechanismRegistry;
  logger?: AuthLogger;
  /** may `authc` open `authzAddress`? Without it, impersonation is always refused. */
  canImpersonate?: CanImpersonate;
  /**
   * Every failed login answers after this many ms, so that an unknown account and a wrong
   * password take about the same time and guessing is slowed. Default 250; 0 in unit tests.
   */
  failureDelayMs?: number;
  /** clock in ms (tests) */
  now?: () => number;
  /** password sources in checking order; default: the own password only */
  passwordCheckers?: readonly PasswordChecker[];
  /**
   * Told the outcome of every concluded login (metrics, the login log). Called before the failure
   * delay; must not throw (a throw is caught and ignored) and never sees a password.
   */
  onLogin?: (event: LoginEvent) => void;
}

export interface LoginEvent {
  service: string;
  /** SASL mechanism name, CLRTXT or APOP */
  mechanism: string;
  result: 'success' | FailureCode;
  /** from the start of the attempt (for SASL: the AUTHENTICATE command) to its conclusion */
  durationMs: number;
  /** this attempt's failure reached failedLoginLimit and locked the account */
  locked?: boolean;
  /** the login name as given (resolved to user@domain when the domain is known); never a password */
  account?: string;
  /** the client's address */
  remoteAddress?: string;
  /** failures: which rule refused the login, for administrators (not the client's message) */
  rule?: string;
}

export const DEFAULT_FAILURE_DELAY_MS = 250;

export const SILENT_LOGGER: AuthLogger = {
  info: () => undefined,
  warn: () => undefined,
  debug: () => undefined,
};
