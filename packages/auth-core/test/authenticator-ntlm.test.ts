/** NTLM through the Authenticator: the real engine's lookup, allowNTLMv1 chain and hiding. */
import { describe, expect, it } from 'vitest';
import type { Authenticator } from '../src/authenticator.js';
import type { SaslStep } from '../src/results.js';
import { addAccount, conn, MAIN, world } from './auth-helpers.js';
import { negotiate, v1Type3, v2Type3 } from './ntlm-client.js';

async function ntlm(auth: Authenticator, user: string, password: string, version: 1 | 2, mechanism = 'NTLM'): Promise<SaslStep> {
  const ex = auth.startSasl(mechanism, conn())!;
  const ch = await ex.step(negotiate());
  if (ch.kind !== 'continue') return ch;
  return ex.step(version === 2 ? v2Type3(ch.challenge, user, 'WORKGROUP', password) : v1Type3(ch.challenge, user, password));
}

describe('NTLM through the Authenticator', () => {
  it('NTLMv2 logs in (NTLM and MSN); a wrong password is a counted failure', async () => {
    const w = world();
    addAccount(w, `alice@${MAIN}`, { password: '{clear}pencil' });
    expect(await ntlm(w.auth, 'alice', 'pencil', 2)).toMatchObject({ kind: 'success', success: { authcid: 'alice@example.test', mechanism: 'NTLM' } });
    expect(await ntlm(w.auth, 'alice@example.test', 'pencil', 2, 'MSN')).toMatchObject({ kind: 'success', success: { mechanism: 'MSN' } });
    expect(await ntlm(w.auth, 'alice', 'wrong', 2)).toMatchObject({ kind: 'failure', failure: { code: 'bad-credentials' } });
  });

  it('NTLMv1 follows allowNTLMv1: account, then domain default, then server default', async () => {
    const w = world();
    addAccount(w, `alice@${MAIN}`, { password: '{clear}pencil' });
    addAccount(w, `old@${MAIN}`, { password: '{clear}pencil', allowNTLMv1: true });
    expect(await ntlm(w.auth, 'alice', 'pencil', 1)).toMatchObject({ kind: 'failure', failure: { code: 'mechanism-unavailable' } });
    expect(await ntlm(w.auth, 'old', 'pencil', 1)).toMatchObject({ kind: 'success' });
    expect(await ntlm(w.auth, 'old', 'wrong', 1)).toMatchObject({ kind: 'failure', failure: { code: 'bad-credentials' } });
    w.directory.server = { defaultAccountSettings: { allowNTLMv1: true } };
    expect(await ntlm(w.auth, 'alice', 'pencil', 1)).toMatchObject({ kind: 'success' });
  });

  it('a one-way password cannot answer NTLM', async () => {
    const w = world();
    addAccount(w, `legacy@${MAIN}`, { password: '{U-crpt}abJnggxhB/yWI' });
    expect(await ntlm(w.auth, 'legacy', 'password', 2)).toMatchObject({ kind: 'failure', failure: { code: 'unsupported-credential' } });
  });

  it('under hideUnknownAccount, an unknown account fails like a wrong password, for v2 and for v1', async () => {
    const w = world();
    w.directory.server = { hideUnknownAccount: true };
    addAccount(w, `alice@${MAIN}`, { password: '{clear}pencil' });
    const wrong = await ntlm(w.auth, 'alice', 'wrong', 2);
    expect(wrong).toMatchObject({ kind: 'failure', failure: { code: 'bad-credentials' } });
    expect(await ntlm(w.auth, 'ghost', 'x', 2)).toEqual(wrong);
    // v1 without the setting: refused the same way whether the account exists or not
    expect(await ntlm(w.auth, 'ghost', 'x', 1)).toEqual(await ntlm(w.auth, 'alice', 'pencil', 1));
    // with v1 allowed by default, an unknown account's v1 attempt fails like a wrong v1 password
    w.directory.server = { hideUnknownAccount: true, defaultAccountSettings: { allowNTLMv1: true } };
    const wrongV1 = await ntlm(w.auth, 'alice', 'wrong', 1);
    expect(wrongV1).toMatchObject({ kind: 'failure', failure: { code: 'bad-credentials' } });
    expect(await ntlm(w.auth, 'ghost', 'x', 1)).toEqual(wrongV1);
  });
});
