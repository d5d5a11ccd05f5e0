/**
 * One interface for every SASL mechanism, in the shape of Dovecot's mech-*.c: the engine knows a
 * mechanism only through this. A mechanism never sees storage: it asks the context.
 */
import type { ConnectionInfo } from '../connection.js';
import type { AuthFailure, AuthSuccess } from '../results.js';

/** What a mechanism needs from the password store. */
export type CredentialNeed =
  /** the client sends a cleartext password; the store verifies it (any password source) */
  | 'verify-plaintext'
  /** the mechanism needs the stored cleartext secret (CRAM-MD5, DIGEST-MD5, APOP, SCRAM) */
  | 'stored-secret'
  /** identity comes from elsewhere (EXTERNAL, GSSAPI, SESSIONID) */
  | 'none';

/**
 * A challenge-response proof handed whole to a password source that can check it but cannot give
 * out the secret (the External Authentication helper's `SASL(method)` command). Only mechanisms
 * whose proof needs no server-side answer built from the secret can use it: CRAM-MD5 and APOP.
 */
export interface SecureProof {
  /** the method name as the helper sees it: 'CRAM-MD5', 'APOP' */
  method: string;
  /** what the server sent: the CRAM-MD5 challenge, the APOP greeting timestamp */
  challenge: string;
  /** what the client answered: the hex digest, lower case */
  response: string;
}

/** Secret lookup for 'stored-secret' mechanisms. */
export type SecretLookup =
  | {
      ok: true;
      secret: string;
      authcid: string;
      /** the account's effective `allowNTLMv1` (NTLM/MSN accept v1 responses only when true) */
      allowNTLMv1?: boolean;
      /**
       * Set only when the lookup was given a SecureProof and no source had a clear secret but one
       * checked the proof itself: its verdict. `secret` is then a random value no proof matches.
       */
      proof?: 'accepted' | 'refused';
    }
  | { ok: false; failure: AuthFailure };

export interface MechanismContext {
  conn: ConnectionInfo;
  /** check a cleartext password for `user` (may carry `$tag`), opening `authzid` if given */
  verifyPlaintext(user: string, password: string, authzid?: string): Promise<MechanismOutcome>;
  /**
   * the cleartext secret of `user` (may carry `$tag`) for a shared-secret mechanism; with `proof`,
   * an account that has no clear secret may still be proved by a source that checks proofs
   * (the result's `proof` field then holds the verdict)
   */
  lookupSecret(user: string, proof?: SecureProof): Promise<SecretLookup>;
  /** after a shared-secret proof checked out, finish the login (policy checks, lockout reset) */
  completeSecretLogin(authcid: string, authzid?: string): Promise<MechanismOutcome>;
  /** record a failed proof against `authcid` (lockout) and return the failure to report */
  failSecretLogin(authcid: string): Promise<MechanismOutcome>;
  /** single-use nonces through the session cache */
  issueNonce(ttlSec: number): Promise<string>;
  consumeNonce(nonce: string): Promise<boolean>;
  /**
   * SASL EXTERNAL with a TLS client certificate: check the link's certificate against the trusted
   * CA of the listener's domain, take the account it names and finish the login (allowCertificate,
   * lockout, enabledServices, then `authzid`). Optional so that other contexts need not have it.
   */
  completeCertificateLogin?(authzid?: string): Promise<MechanismOutcome>;
  /**
   * SASL GSSAPI: a Kerberos ticket checked with a key of `keyDomain` proved `address`
   * (user@keyDomain). Finish the login: the account must be in exactly that domain and have
   * allowKerberos on; then lockout, enabledServices, `authzid`. Optional like the one above.
   */
  completeKerberosLogin?(address: string, keyDomain: string, authzid?: string): Promise<MechanismOutcome>;
  /**
   * SASL SESSIONID: `user` claims the open WebUser session `sessionId`. Finish the login only if
   * the user's domain has the SESSIONID Login Method, the session is open and not expired, and it
   * belongs to exactly that account; then lockout, enabledServices. Optional like the ones above.
   */
  completeSessionLogin?(user: string, sessionId: string): Promise<MechanismOutcome>;
}

export type MechanismOutcome =
  | { kind: 'success'; success: AuthSuccess; data?: Buffer }
  | { kind: 'failure'; failure: AuthFailure };

export type MechanismStep = { kind: 'continue'; challenge: Buffer } | MechanismOutcome;

export interface MechanismSession {
  /**
   * One client message. `input` is null when the client sent no initial response (the mechanism
   * then sends its first challenge). Bytes are already base64-decoded by the protocol.
   */
  step(input: Buffer | null): Promise<MechanismStep>;
}

export interface Mechanism {
  /** SASL name, upper case */
  name: string;
  /** the client sends the password itself (subject to secureMethodRequired) */
  cleartext: boolean;
  credential: CredentialNeed;
  /** only offered and usable on a TLS link (the -PLUS variants) */
  requiresTls?: boolean;
  /**
   * never advertised, whatever the Login Methods: used only by a caller that names it (HTTP
   * Negotiate's GSS-SPNEGO, which the http listener runs from the Authorization header)
   */
  hidden?: boolean;
  /**
   * the Login Method that advertises it ('CLRTXT' for PLAIN and LOGIN); 'EXTERNAL' has no Login
   * Method switch: it is advertised exactly on TLS links whose client presented a certificate
   */
  loginMethod: import('../settings.js').LoginMethod | 'EXTERNAL';
  create(ctx: MechanismContext): MechanismSession;
}

export type { AuthSuccess };

/** The mechanisms the engine knows, in advertising preference order (strongest first). */
export interface MechanismRegistry {
  get(name: string): Mechanism | undefined;
  all(): readonly Mechanism[];
}
