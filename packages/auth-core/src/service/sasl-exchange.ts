/**
 * One SASL exchange: a mechanism session driven step by step, with the engine behind its
 * MechanismContext. The exchange, not the mechanism, has the last word on success: a mechanism
 * can only report the success the engine granted.
 */
import { randomBytes } from 'node:crypto';
import type { SaslExchange } from '../authenticator.js';
import type { ConnectionInfo } from '../connection.js';
import type { AuthFailure, SaslStep } from '../results.js';
import type { Mechanism, MechanismContext, MechanismOutcome, MechanismSession, MechanismStep } from '../sasl/mechanism.js';
import { failure } from '../policy/failures.js';
import { newAttempt, type Attempt } from './attempt.js';
import type { LoginEngine } from './login-engine.js';

/** Longest nonce lifetime a mechanism may ask for, so a bad value cannot fill the cache. */
const MAX_NONCE_TTL_SEC = 3600;

function contextFor(engine: LoginEngine, attempt: Attempt): MechanismContext {
  return {
    conn: attempt.conn,
    verifyPlaintext: (user, password, authzid) => engine.verifyPlaintext(attempt, user, password, authzid),
    lookupSecret: (user, proof) => engine.lookupSecret(attempt, user, proof),
    completeSecretLogin: (authcid, authzid) => engine.completeSecretLogin(attempt, authcid, authzid),
    failSecretLogin: (authcid) => engine.failSecretLogin(attempt, authcid),
    issueNonce: async (ttlSec) => {
      const nonce = randomBytes(18).toString('base64url');
      const ttl = Math.min(Math.max(1, Math.floor(ttlSec)), MAX_NONCE_TTL_SEC);
      await engine.cache.putNonce(nonce, Number.isFinite(ttl) ? ttl : MAX_NONCE_TTL_SEC);
      return nonce;
    },
    consumeNonce: (nonce) => engine.cache.takeNonce(nonce),
    completeCertificateLogin: (authzid) => engine.completeCertificateLogin(attempt, authzid),
    completeKerberosLogin: (address, keyDomain, authzid) => engine.completeKerberosLogin(attempt, address, keyDomain, authzid),
    completeSessionLogin: (user, sessionId) => engine.completeSessionLogin(attempt, user, sessionId),
  };
}

export class MechanismExchange implements SaslExchange {
  readonly mechanism: string;
  private readonly attempt: Attempt;
  private readonly session: MechanismSession | null;
  private finished = false;
  private busy = false;

  constructor(
    private readonly engine: LoginEngine,
    mech: Mechanism,
    conn: ConnectionInfo,
  ) {
    this.mechanism = mech.name;
    this.attempt = newAttempt(conn, mech.name, mech.cleartext);
    let session: MechanismSession | null = null;
    try {
      session = mech.create(contextFor(engine, this.attempt));
    } catch (err) {
      engine.logger.warn({ mechanism: mech.name, err: err instanceof Error ? err.message : String(err) }, 'mechanism failed to start');
    }
    this.session = session;
  }

  async step(input: Buffer | null): Promise<SaslStep> {
    if (this.finished || this.busy) {
      return { kind: 'failure', failure: failure('malformed') };
    }
    this.busy = true;
    let result: MechanismStep;
    try {
      result = this.session ? await this.session.step(input) : { kind: 'failure', failure: failure('temporary') };
    } catch (err) {
      // a mechanism throws only on input it could not parse (or a bug): never past this point
      this.engine.logger.debug({ mechanism: this.mechanism, err: err instanceof Error ? err.message : String(err) }, 'mechanism step threw');
      result = { kind: 'failure', failure: failure('malformed') };
    } finally {
      this.busy = false;
    }
    if (result.kind === 'continue') return result;
    this.finished = true;
    const outcome = await this.engine.conclude(this.attempt, this.vetted(result));
    return outcome.kind === 'success'
      ? { kind: 'success', success: outcome.success, ...(outcome.data ? { data: outcome.data } : {}) }
      : { kind: 'failure', failure: outcome.failure };
  }

  cancel(): AuthFailure {
    const cancelled = failure('cancelled');
    if (!this.finished) {
      this.finished = true;
      this.engine.logRefusal(this.attempt, cancelled);
    }
    return cancelled;
  }

  /** Accept a mechanism's success only if it is the one the engine granted in this exchange. */
  private vetted(result: MechanismOutcome): MechanismOutcome {
    if (result.kind === 'failure') return result;
    const granted = this.attempt.granted;
    if (granted && granted.authcid === result.success.authcid && granted.authzid === result.success.authzid) {
      return { kind: 'success', success: granted, ...(result.data ? { data: result.data } : {}) };
    }
    this.engine.logger.warn({ mechanism: this.mechanism }, 'mechanism reported a success the engine did not grant');
    return { kind: 'failure', failure: failure('bad-credentials', true) };
  }
}
