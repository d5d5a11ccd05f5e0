/** APOP (RFC 1939): the greeting's timestamp, and a login with MD5(timestamp + secret). */
import { randomBytes } from 'node:crypto';
import type { ConnectionInfo } from '../connection.js';
import type { LoginResult } from '../results.js';
import type { MechanismOutcome } from '../sasl/mechanism.js';
import { verifyApopDigest } from '../sasl/apop.js';
import { failure } from '../policy/failures.js';
import { newAttempt } from './attempt.js';
import type { LoginEngine } from './login-engine.js';

const DIGEST_RE = /^[0-9a-fA-F]{32}$/;
// RFC 1939: a msg-id, `<...@...>`, printable and without spaces.
const TIMESTAMP_RE = /^<[\x21-\x3b\x3d\x3f-\x7e]+@[\x21-\x3b\x3d\x3f-\x7e]+>$/;

export function makeApopTimestamp(serverName: string, nowMs: number): string {
  const host = serverName.replace(/[^\x21-\x3b\x3d\x3f-\x7e]/g, '') || 'localhost';
  return `<${randomBytes(8).toString('hex')}.${Math.floor(nowMs / 1000)}@${host}>`;
}

export async function loginApop(
  engine: LoginEngine,
  user: string,
  timestamp: string,
  digestHex: string,
  conn: ConnectionInfo,
): Promise<LoginResult> {
  const attempt = newAttempt(conn, 'APOP', false);
  let outcome: MechanismOutcome;
  if (!DIGEST_RE.test(digestHex) || !TIMESTAMP_RE.test(timestamp)) {
    attempt.account = user.slice(0, 256);
    outcome = { kind: 'failure', failure: failure('malformed') };
  } else {
    const found = await engine.lookupSecret(attempt, user, { method: 'APOP', challenge: timestamp, response: digestHex.toLowerCase() });
    if (!found.ok) outcome = { kind: 'failure', failure: found.failure };
    else if (found.proof !== undefined) {
      outcome = found.proof === 'accepted' ? await engine.completeSecretLogin(attempt, found.authcid) : await engine.failSecretLogin(attempt, found.authcid);
    } else if (verifyApopDigest(timestamp, found.secret, digestHex)) outcome = await engine.completeSecretLogin(attempt, found.authcid);
    else outcome = await engine.failSecretLogin(attempt, found.authcid);
  }
  outcome = await engine.conclude(attempt, outcome);
  return outcome.kind === 'success' ? { ok: true, success: outcome.success } : { ok: false, failure: outcome.failure };
}
