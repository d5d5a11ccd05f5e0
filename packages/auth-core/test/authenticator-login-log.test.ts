/** What the onLogin observer tells the gateway's login log: who, from where, and which rule refused it. */
import { describe, expect, it } from 'vitest';
import type { LoginEvent } from '../src/service/options.js';
import { addAccount, conn, MAIN, world } from './auth-helpers.js';

function observed(server: { hideUnknownAccount?: boolean } = {}) {
  const events: LoginEvent[] = [];
  const w = world({ onLogin: (e) => events.push(e) });
  w.directory.server = { ...server };
  addAccount(w, `alice@${MAIN}`, { password: '{clear}right', failedLoginLimit: 2, failedLoginPeriod: 60, secureMethodRequired: false });
  addAccount(w, `bob@${MAIN}`, { password: '{clear}right', secureMethodRequired: true });
  return { w, events };
}

describe('onLogin for the login log', () => {
  it('names the account, the client address and the refusing rule', async () => {
    const { w, events } = observed();
    await w.auth.loginPlaintext('alice', 'right', conn());
    await w.auth.loginPlaintext('alice', 'wrong', conn({ remoteAddress: '203.0.113.9' }));
    await w.auth.loginPlaintext('alice', 'wrong', conn());
    await w.auth.loginPlaintext('alice', 'right', conn());
    await w.auth.loginPlaintext('nobody', 'x', conn());
    await w.auth.loginPlaintext('bob', 'right', conn());
    expect(events.map((e) => [e.account, e.result, e.rule])).toEqual([
      [`alice@${MAIN}`, 'success', undefined],
      [`alice@${MAIN}`, 'bad-credentials', 'wrong password'],
      [`alice@${MAIN}`, 'bad-credentials', 'wrong password'],
      [`alice@${MAIN}`, 'locked', expect.stringMatching(/^locked out/)],
      [`nobody@${MAIN}`, 'unknown-account', 'unknown account'],
      [`bob@${MAIN}`, 'secure-method-required', expect.stringMatching(/^secure method required/)],
    ]);
    expect(events[1]!.remoteAddress).toBe('203.0.113.9');
    expect(events[2]!.locked).toBe(true);
  });

  it('sees through hideUnknownAccount: the client hears "wrong password", the log the real rule', async () => {
    const { w, events } = observed({ hideUnknownAccount: true });
    const r = await w.auth.loginPlaintext('nobody', 'x', conn());
    expect(r).toMatchObject({ ok: false, failure: { code: 'bad-credentials' } });
    expect(events[0]).toMatchObject({ result: 'bad-credentials', rule: expect.stringMatching(/^unknown account \(answered as a wrong password/) });
  });
});
