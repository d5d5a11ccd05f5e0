import { describe, expect, it } from 'vitest';
import { apopDigest, verifyApopDigest } from '../src/sasl/apop.js';
import { cramMd5Digest, cramMd5Mechanism, createCramMd5Mechanism } from '../src/sasl/cram-md5.js';
import { challengeText, failureCode, fakeContext, send } from './sasl-fake-context.js';

const RFC_CHALLENGE = '<1896.697170952@postoffice.reston.mci.net>';
const rfcMechanism = createCramMd5Mechanism({ makeChallenge: () => RFC_CHALLENGE });

describe('CRAM-MD5 (RFC 2195)', () => {
  it("RFC 2195 example: tim / tanstaaftanstaaf gives b913a602c7eda7a495b4e6e7334d3890", () => {
    expect(cramMd5Digest(RFC_CHALLENGE, 'tanstaaftanstaaf').toString('hex')).toBe('b913a602c7eda7a495b4e6e7334d3890');
  });

  it('drives the RFC exchange to a login', async () => {
    const { ctx, calls } = fakeContext({ users: { tim: 'tanstaaftanstaaf' } });
    const session = rfcMechanism.create(ctx);
    expect(challengeText(await send(session, null))).toBe(RFC_CHALLENGE);
    const step = await send(session, 'tim b913a602c7eda7a495b4e6e7334d3890');
    expect(step.kind).toBe('success');
    expect(calls.lookupSecret).toEqual(['tim']);
    expect(calls.completeSecretLogin).toEqual([{ authcid: 'tim@example.test', authzid: undefined }]);
    expect(calls.failSecretLogin).toHaveLength(0);
  });

  it('accepts an upper-case digest', async () => {
    const { ctx } = fakeContext({ users: { tim: 'tanstaaftanstaaf' } });
    const session = rfcMechanism.create(ctx);
    await send(session, null);
    expect((await send(session, 'tim B913A602C7EDA7A495B4E6E7334D3890')).kind).toBe('success');
  });

  it('default challenge has the <random.time@serverName> form and differs per session', async () => {
    const { ctx } = fakeContext();
    const a = challengeText(await send(cramMd5Mechanism.create(ctx), null));
    const b = challengeText(await send(cramMd5Mechanism.create(ctx), null));
    expect(a).toMatch(/^<\d+\.\d+@mail\.example\.test>$/);
    expect(a).not.toBe(b);
  });

  it('a wrong digest goes to failSecretLogin', async () => {
    const { ctx, calls } = fakeContext({ users: { tim: 'other-password' } });
    const session = rfcMechanism.create(ctx);
    await send(session, null);
    expect(failureCode(await send(session, 'tim b913a602c7eda7a495b4e6e7334d3890'))).toBe('bad-credentials');
    expect(calls.failSecretLogin).toEqual(['tim@example.test']);
    expect(calls.completeSecretLogin).toHaveLength(0);
  });

  it('passes lookup failures through (one-way password, unknown user)', async () => {
    const { ctx } = fakeContext({ users: { tim: 'x' }, oneWay: ['tim'] });
    const s1 = rfcMechanism.create(ctx);
    await send(s1, null);
    expect(failureCode(await send(s1, 'tim b913a602c7eda7a495b4e6e7334d3890'))).toBe('unsupported-credential');
    const s2 = rfcMechanism.create(ctx);
    await send(s2, null);
    expect(failureCode(await send(s2, 'nobody b913a602c7eda7a495b4e6e7334d3890'))).toBe('unknown-account');
  });

  it.each([
    ['no space', 'timb913a602c7eda7a495b4e6e7334d3890'],
    ['short digest', 'tim b913a602'],
    ['non-hex digest', 'tim z913a602c7eda7a495b4e6e7334d3890'],
    ['empty user', ' b913a602c7eda7a495b4e6e7334d3890'],
  ])('rejects %s as malformed', async (_label, response) => {
    const { ctx, calls } = fakeContext({ users: { tim: 'tanstaaftanstaaf' } });
    const session = rfcMechanism.create(ctx);
    await send(session, null);
    expect(failureCode(await send(session, response))).toBe('malformed');
    expect(calls.lookupSecret).toHaveLength(0);
  });

  it('refuses an initial response but treats an empty one as none', async () => {
    const { ctx } = fakeContext();
    expect(failureCode(await send(rfcMechanism.create(ctx), 'tim 00'))).toBe('malformed');
    expect(challengeText(await send(rfcMechanism.create(ctx), Buffer.alloc(0)))).toBe(RFC_CHALLENGE);
  });

  it('fails steps after the outcome', async () => {
    const { ctx, calls } = fakeContext({ users: { tim: 'tanstaaftanstaaf' } });
    const session = rfcMechanism.create(ctx);
    await send(session, null);
    await send(session, 'tim b913a602c7eda7a495b4e6e7334d3890');
    expect(failureCode(await send(session, 'tim b913a602c7eda7a495b4e6e7334d3890'))).toBe('malformed');
    expect(calls.completeSecretLogin).toHaveLength(1);
  });
});

describe('APOP helper (RFC 1939)', () => {
  const ts = '<1896.697170952@dbc.mtview.ca.us>';
  it('RFC 1939 example digest', () => {
    expect(apopDigest(ts, 'tanstaaf')).toBe('c4c9334bac560ecc979e58001b3e22fb');
  });
  it('verifies case-insensitively and rejects wrong or malformed digests', () => {
    expect(verifyApopDigest(ts, 'tanstaaf', 'c4c9334bac560ecc979e58001b3e22fb')).toBe(true);
    expect(verifyApopDigest(ts, 'tanstaaf', 'C4C9334BAC560ECC979E58001B3E22FB')).toBe(true);
    expect(verifyApopDigest(ts, 'wrong', 'c4c9334bac560ecc979e58001b3e22fb')).toBe(false);
    expect(verifyApopDigest(ts, 'tanstaaf', 'c4c9334b')).toBe(false);
    expect(verifyApopDigest(ts, 'tanstaaf', 'zz'.repeat(16))).toBe(false);
  });
});
