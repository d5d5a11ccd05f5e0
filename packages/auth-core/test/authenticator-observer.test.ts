/** The onLogin observer: what the gateway's metrics are built from. */
import { describe, expect, it } from 'vitest';
import { cramMd5Digest } from '../src/sasl/index.js';
import type { LoginEvent } from '../src/service/options.js';
import { addAccount, conn, MAIN, plain, tls, world } from './auth-helpers.js';

function observed() {
  const events: LoginEvent[] = [];
  const w = world({ onLogin: (e) => events.push(e) });
  addAccount(w, `alice@${MAIN}`, { password: '{clear}right', failedLoginLimit: 2, failedLoginPeriod: 60 });
  return { w, events };
}

describe('onLogin', () => {
  it('reports each concluded login once with service, mechanism, result and a duration', async () => {
    const { w, events } = observed();
    await w.auth.loginPlaintext('alice', 'right', conn());
    await w.auth.startSasl('PLAIN', tls())!.step(plain('alice', 'nope'));
    const ex = w.auth.startSasl('CRAM-MD5', conn())!;
    const first = await ex.step(null);
    if (first.kind !== 'continue') throw new Error('expected a challenge');
    await ex.step(Buffer.from(`alice ${cramMd5Digest(first.challenge.toString('utf8'), 'right').toString('hex')}`));
    expect(events.map(({ service, mechanism, result }) => ({ service, mechanism, result }))).toEqual([
      { service: 'imap', mechanism: 'CLRTXT', result: 'success' },
      { service: 'imap', mechanism: 'PLAIN', result: 'bad-credentials' },
      { service: 'imap', mechanism: 'CRAM-MD5', result: 'success' },
    ]);
    for (const e of events) expect(e.durationMs).toBeGreaterThanOrEqual(0);
    expect(events.some((e) => e.locked)).toBe(false);
  });

  it('marks only the failure that reached failedLoginLimit as the lockout', async () => {
    const { w, events } = observed();
    await w.auth.loginPlaintext('alice', 'wrong', conn());
    await w.auth.loginPlaintext('alice', 'wrong', conn());
    await w.auth.loginPlaintext('alice', 'right', conn());
    expect(events.map((e) => [e.result, e.locked ?? false])).toEqual([
      ['bad-credentials', false],
      ['bad-credentials', true],
      ['locked', false],
    ]);
  });

  it('reports refusals outside an exchange (unknown mechanism, cancel) and survives a throwing observer', async () => {
    const { w, events } = observed();
    expect(w.auth.startSasl('NOSUCH', conn())).toBeNull();
    w.auth.startSasl('PLAIN', tls())!.cancel();
    expect(events.map((e) => [e.mechanism, e.result])).toEqual([
      ['NOSUCH', 'mechanism-unavailable'],
      ['PLAIN', 'cancelled'],
    ]);
    const throwing = world({ onLogin: () => { throw new Error('observer bug'); } });
    addAccount(throwing, `alice@${MAIN}`, { password: '{clear}right' });
    expect(await throwing.auth.loginPlaintext('alice', 'right', conn())).toMatchObject({ ok: true });
  });
});
