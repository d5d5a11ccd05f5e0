import { describe, expect, it } from 'vitest';
import { loginMechanism } from '../src/sasl/login.js';
import { parsePlainMessage, plainMechanism } from '../src/sasl/plain.js';
import { challengeText, failureCode, fakeContext, send } from './sasl-fake-context.js';

describe('PLAIN (RFC 4616)', () => {
  it('metadata: cleartext, verify-plaintext, CLRTXT', () => {
    expect(plainMechanism).toMatchObject({ name: 'PLAIN', cleartext: true, credential: 'verify-plaintext', loginMethod: 'CLRTXT' });
  });

  it('RFC 4616 example 1: "\\0tim\\0tanstaaftanstaaf" logs in tim', async () => {
    const { ctx, calls } = fakeContext({ users: { tim: 'tanstaaftanstaaf' } });
    const step = await send(plainMechanism.create(ctx), '\0tim\0tanstaaftanstaaf');
    expect(step.kind).toBe('success');
    expect(calls.verifyPlaintext).toEqual([{ user: 'tim', password: 'tanstaaftanstaaf', authzid: undefined }]);
  });

  it('RFC 4616 example 2: authzid Ursel, authcid Kurt is passed on', async () => {
    const { ctx, calls } = fakeContext({ users: { Kurt: 'xipj3plmq' } });
    const step = await send(plainMechanism.create(ctx), 'Ursel\0Kurt\0xipj3plmq');
    expect(step.kind).toBe('success');
    expect(calls.verifyPlaintext).toEqual([{ user: 'Kurt', password: 'xipj3plmq', authzid: 'Ursel' }]);
  });

  it('sends an empty challenge when there is no initial response', async () => {
    const { ctx } = fakeContext({ users: { tim: 'pw' } });
    const session = plainMechanism.create(ctx);
    expect(challengeText(await send(session, null))).toBe('');
    expect((await send(session, '\0tim\0pw')).kind).toBe('success');
  });

  it('a wrong password is the verifier failure', async () => {
    const { ctx } = fakeContext({ users: { tim: 'pw' } });
    expect(failureCode(await send(plainMechanism.create(ctx), '\0tim\0nope'))).toBe('bad-credentials');
  });

  it.each([
    ['no NUL at all', 'timpw'],
    ['one NUL', 'tim\0pw'],
    ['extra NUL', '\0tim\0pw\0'],
    ['empty authcid', 'a\0\0pw'],
    ['empty password', '\0tim\0'],
    ['empty message', ''],
  ])('rejects %s as malformed without asking the store', async (_label, message) => {
    const { ctx, calls } = fakeContext({ users: { tim: 'pw' } });
    expect(failureCode(await send(plainMechanism.create(ctx), message))).toBe('malformed');
    expect(calls.verifyPlaintext).toHaveLength(0);
  });

  it('rejects invalid UTF-8 and over-long input', async () => {
    const { ctx } = fakeContext();
    expect(failureCode(await send(plainMechanism.create(ctx), Buffer.from([0, 0x74, 0, 0xff, 0xfe])))).toBe('malformed');
    expect(failureCode(await send(plainMechanism.create(ctx), `\0tim\0${'x'.repeat(100_000)}`))).toBe('malformed');
  });

  it('fails a step after the outcome, and the failure never echoes the password', async () => {
    const { ctx, calls } = fakeContext({ users: { tim: 'pw' } });
    const session = plainMechanism.create(ctx);
    const bad = await send(session, '\0tim\0SuperSecret1');
    expect(JSON.stringify(bad)).not.toContain('SuperSecret1');
    expect(failureCode(await send(session, '\0tim\0pw'))).toBe('malformed');
    expect(calls.verifyPlaintext).toHaveLength(1);
  });

  it('parsePlainMessage splits the three fields', () => {
    expect(parsePlainMessage(Buffer.from('a\0b\0c'))).toEqual({ authzid: 'a', authcid: 'b', password: 'c' });
    expect(parsePlainMessage(Buffer.from('a\0b'))).toBeNull();
  });
});

describe('LOGIN (draft-murchison-sasl-login)', () => {
  it('asks Username: then Password:', async () => {
    const { ctx, calls } = fakeContext({ users: { tim: 'pw' } });
    const session = loginMechanism.create(ctx);
    expect(challengeText(await send(session, null))).toBe('Username:');
    expect(challengeText(await send(session, 'tim'))).toBe('Password:');
    expect((await send(session, 'pw')).kind).toBe('success');
    expect(calls.verifyPlaintext).toEqual([{ user: 'tim', password: 'pw', authzid: undefined }]);
    expect(loginMechanism).toMatchObject({ cleartext: true, loginMethod: 'CLRTXT', credential: 'verify-plaintext' });
  });

  it('takes an initial response as the user name', async () => {
    const { ctx } = fakeContext({ users: { tim: 'pw' } });
    const session = loginMechanism.create(ctx);
    expect(challengeText(await send(session, 'tim'))).toBe('Password:');
    expect((await send(session, 'pw')).kind).toBe('success');
  });

  it('wrong password fails; steps after the end fail', async () => {
    const { ctx } = fakeContext({ users: { tim: 'pw' } });
    const session = loginMechanism.create(ctx);
    await send(session, 'tim');
    expect(failureCode(await send(session, 'wrong'))).toBe('bad-credentials');
    expect(failureCode(await send(session, 'pw'))).toBe('malformed');
  });

  it('rejects an empty user name, NUL bytes and a missing response', async () => {
    const { ctx } = fakeContext();
    const a = loginMechanism.create(ctx);
    await send(a, null);
    expect(failureCode(await send(a, ''))).toBe('malformed');
    expect(failureCode(await send(loginMechanism.create(ctx), 'ti\0m'))).toBe('malformed');
    const b = loginMechanism.create(ctx);
    await send(b, null);
    expect(failureCode(await send(b, null))).toBe('malformed');
  });
});
