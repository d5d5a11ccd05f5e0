/** SCRAM-SHA-256 end to end through the Authenticator, with a small RFC 5802 client. */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Authenticator } from '../src/authenticator.js';
import type { SaslStep } from '../src/results.js';
import { addAccount, conn, MAIN, world } from './auth-helpers.js';

async function scram(auth: Authenticator, user: string, password: string, authzid = ''): Promise<SaslStep> {
  const ex = auth.startSasl('SCRAM-SHA-256', conn())!;
  const gs2 = authzid ? `n,a=${authzid},` : 'n,,';
  const bare = `n=${user},r=${randomBytes(12).toString('base64')}`;
  const first = await ex.step(Buffer.from(gs2 + bare));
  if (first.kind !== 'continue') return first;
  const serverFirst = first.challenge.toString();
  const attrs = Object.fromEntries(serverFirst.split(',').map((kv) => [kv[0], kv.slice(2)]));
  const salted = pbkdf2Sync(password, Buffer.from(attrs['s']!, 'base64'), Number(attrs['i']), 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const withoutProof = `c=${Buffer.from(gs2).toString('base64')},r=${attrs['r']}`;
  const sig = createHmac('sha256', storedKey).update(`${bare},${serverFirst},${withoutProof}`).digest();
  const proof = Buffer.from(clientKey.map((b, i) => b ^ sig[i]!));
  const last = await ex.step(Buffer.from(`${withoutProof},p=${proof.toString('base64')}`));
  if (last.kind !== 'continue') return last;
  return ex.step(Buffer.alloc(0));
}

describe('SCRAM-SHA-256 through the Authenticator', () => {
  it('logs in with the clear password and a tag password', async () => {
    const w = world();
    addAccount(w, `alice@${MAIN}`, { password: '{clear}pencil', tagPasswords: { mobile: '{clear}crayon' } });
    expect(await scram(w.auth, 'alice', 'pencil')).toMatchObject({ kind: 'success', success: { authcid: 'alice@example.test', mechanism: 'SCRAM-SHA-256' } });
    expect(await scram(w.auth, 'alice$mobile', 'crayon')).toMatchObject({ kind: 'success' });
    expect(await scram(w.auth, 'alice', 'crayon')).toMatchObject({ kind: 'failure', failure: { code: 'bad-credentials' } });
  });

  it('authzid of another account is refused', async () => {
    const w = world();
    addAccount(w, `alice@${MAIN}`, { password: '{clear}pencil' });
    addAccount(w, `bob@${MAIN}`, { password: '{clear}x' });
    expect(await scram(w.auth, 'alice', 'pencil', 'bob')).toMatchObject({ kind: 'failure', failure: { code: 'impersonation-denied' } });
  });

  it('under hideUnknownAccount, unknown and one-way accounts fail like a wrong password', async () => {
    const w = world();
    w.directory.server = { hideUnknownAccount: true };
    addAccount(w, `alice@${MAIN}`, { password: '{clear}pencil' });
    addAccount(w, `legacy@${MAIN}`, { password: '{U-crpt}abJnggxhB/yWI' });
    const wrong = await scram(w.auth, 'alice', 'wrong');
    expect(wrong).toEqual({ kind: 'failure', failure: { code: 'bad-credentials', message: 'incorrect account name or password' } });
    expect(await scram(w.auth, 'ghost', 'x')).toEqual(wrong);
    expect(await scram(w.auth, 'legacy', 'password')).toEqual(wrong);
  });

  it('without hiding, a one-way password is reported as unsupported', async () => {
    const w = world();
    addAccount(w, `legacy@${MAIN}`, { password: '{U-crpt}abJnggxhB/yWI' });
    expect(await scram(w.auth, 'legacy', 'password')).toMatchObject({ kind: 'failure', failure: { code: 'unsupported-credential' } });
  });
});
