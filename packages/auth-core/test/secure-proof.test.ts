/**
 * A password source that checks secure-method proofs itself (the External Authentication
 * helper's SASL(method)): asked only when no source has a clear secret, for CRAM-MD5 and APOP.
 */
import { describe, expect, it } from 'vitest';
import type { Authenticator } from '../src/authenticator.js';
import { encodePassword } from '../src/passwords/index.js';
import { ownPasswordChecker, type PasswordChecker } from '../src/policy/index.js';
import { apopDigest, cramMd5Digest } from '../src/sasl/index.js';
import type { SecureProof } from '../src/sasl/mechanism.js';
import { addAccount, conn, MAIN, world } from './auth-helpers.js';

/** Knows one secret per address, like a helper would, and records what it was asked. */
function proofSource(secrets: Record<string, string>): { checker: PasswordChecker; asked: SecureProof[] } {
  const asked: SecureProof[] = [];
  const checker: PasswordChecker = {
    source: 'external',
    enabled: (req) => req.settings.useExtPassword && req.tag === undefined,
    verify: async () => false,
    clearSecret: () => null,
    verifyProof: async (req, proof) => {
      asked.push(proof);
      const secret = secrets[req.address];
      if (secret === undefined) return false;
      const expected =
        proof.method === 'CRAM-MD5' ? cramMd5Digest(proof.challenge, secret).toString('hex') : proof.method === 'APOP' ? apopDigest(proof.challenge, secret) : '';
      return expected !== '' && expected === proof.response;
    },
  };
  return { checker, asked };
}

async function cram(auth: Authenticator, user: string, secret: string) {
  const ex = auth.startSasl('CRAM-MD5', conn())!;
  const first = await ex.step(null);
  if (first.kind !== 'continue') throw new Error('expected a challenge');
  const challenge = first.challenge.toString('utf8');
  const digest = cramMd5Digest(challenge, secret).toString('hex');
  return { challenge, digest, result: await ex.step(Buffer.from(`${user} ${digest.toUpperCase()}`, 'utf8')) };
}

describe('secure-method proofs checked by a password source', () => {
  it('CRAM-MD5: the source gets method, challenge and the lower-case digest, and decides', async () => {
    const { checker, asked } = proofSource({ [`ext@${MAIN}`]: 'helper-secret' });
    const w = world({ passwordCheckers: [ownPasswordChecker, checker] });
    addAccount(w, `ext@${MAIN}`, { useExtPassword: true, failedLoginLimit: 5 });
    const good = await cram(w.auth, 'ext', 'helper-secret');
    expect(good.result).toMatchObject({ kind: 'success', success: { authcid: `ext@${MAIN}`, mechanism: 'CRAM-MD5' } });
    expect(asked[0]).toEqual({ method: 'CRAM-MD5', challenge: good.challenge, response: good.digest });
    const bad = await cram(w.auth, 'ext', 'not-the-secret');
    expect(bad.result).toMatchObject({ kind: 'failure', failure: { code: 'bad-credentials' } });
    // a refused proof counts towards lockout like a wrong password
    expect(w.cache.recordFailureCalls).toBe(1);
  });

  it('APOP goes the same way', async () => {
    const { checker } = proofSource({ [`ext@${MAIN}`]: 'helper-secret' });
    const w = world({ passwordCheckers: [ownPasswordChecker, checker] });
    addAccount(w, `ext@${MAIN}`, { useExtPassword: true });
    const ts = w.auth.apopTimestamp(conn({ service: 'pop' }));
    expect((await w.auth.loginApop('ext', ts, apopDigest(ts, 'helper-secret'), conn({ service: 'pop' }))).ok).toBe(true);
    expect(await w.auth.loginApop('ext', ts, apopDigest(ts, 'wrong'), conn({ service: 'pop' }))).toMatchObject({
      ok: false,
      failure: { code: 'bad-credentials' },
    });
  });

  it('is not asked when a source has a clear secret, nor when no enabled source checks proofs', async () => {
    const { checker, asked } = proofSource({ [`both@${MAIN}`]: 'helper-secret', [`off@${MAIN}`]: 'helper-secret' });
    const w = world({ passwordCheckers: [ownPasswordChecker, checker] });
    addAccount(w, `both@${MAIN}`, { password: '{clear}own-secret', useExtPassword: true });
    expect((await cram(w.auth, 'both', 'own-secret')).result).toMatchObject({ kind: 'success' });
    expect((await cram(w.auth, 'both', 'helper-secret')).result).toMatchObject({ kind: 'failure', failure: { code: 'bad-credentials' } });
    addAccount(w, `off@${MAIN}`, { password: await encodePassword('pw', 'U-crpt'), useExtPassword: false });
    expect((await cram(w.auth, 'off', 'helper-secret')).result).toMatchObject({ kind: 'failure', failure: { code: 'unsupported-credential' } });
    expect(asked).toEqual([]);
  });

  it('DIGEST-MD5 never hands its proof out: it needs the secret for its own answer', async () => {
    const { checker, asked } = proofSource({ [`ext@${MAIN}`]: 'helper-secret' });
    const w = world({ passwordCheckers: [ownPasswordChecker, checker] });
    addAccount(w, `ext@${MAIN}`, { useExtPassword: true });
    const ex = w.auth.startSasl('DIGEST-MD5', conn())!;
    const first = await ex.step(null);
    expect(first.kind).toBe('continue');
    expect(asked).toEqual([]);
  });
});
