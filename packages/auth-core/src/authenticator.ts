/**
 * What a protocol package calls. A protocol knows nothing of password formats or policies: it asks
 * this, and maps the typed result onto its own replies.
 */
import type { ConnectionInfo } from './connection.js';
import type { AuthFailure, LoginResult, SaslStep } from './results.js';

export interface Advertisement {
  /** SASL mechanism names to advertise, in preference order (per Domain Login Methods and TLS) */
  saslMechanisms: string[];
  /** CLRTXT: show the plain LOGIN / USER-PASS commands as available */
  clearText: boolean;
  /** APOP: the POP/PWD greeting carries a timestamp */
  apop: boolean;
}

export interface SaslExchange {
  readonly mechanism: string;
  /** one client message, base64-decoded by the protocol; null when no initial response was sent */
  step(input: Buffer | null): Promise<SaslStep>;
  /** the client sent `*` */
  cancel(): AuthFailure;
}

export interface Authenticator {
  /** What to advertise on this connection (domain from the listener, else the main domain). */
  advertise(conn: ConnectionInfo): Promise<Advertisement>;
  /**
   * loginsFromNonClients=prohibit: a failure for an address outside clientAddresses (loopback and
   * the server's own addresses are always clients). Null when the address may log in.
   */
  checkClientAddress(conn: ConnectionInfo): Promise<AuthFailure | null>;
  /**
   * Any registered mechanism may be used whatever is advertised; null for an unknown mechanism or
   * a -PLUS mechanism without TLS.
   */
  startSasl(mechanism: string, conn: ConnectionInfo): SaslExchange | null;
  /** IMAP LOGIN, POP3 USER/PASS: a cleartext password. */
  loginPlaintext(user: string, password: string, conn: ConnectionInfo): Promise<LoginResult>;
  /** A fresh RFC 1939 timestamp `<random.time@serverName>` for a POP/PWD greeting. */
  apopTimestamp(conn: ConnectionInfo): string;
  /** APOP user digest (hex MD5 of timestamp + secret). */
  loginApop(user: string, timestamp: string, digestHex: string, conn: ConnectionInfo): Promise<LoginResult>;
}

/** Minimal structured logger (pino-compatible) so auth-core does not depend on a logging library. */
export interface AuthLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}
