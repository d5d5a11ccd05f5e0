import { describe, expect, it } from 'vitest';
import type { MechanismContext, MechanismStep } from '../src/sasl/mechanism.js';
import { createMsnMechanism, msnMechanism } from '../src/sasl/msn.js';
import * as c from '../src/sasl/ntlm-crypto.js';
import { challengeFlags, createNtlmMechanism, ntlmMechanism } from '../src/sasl/ntlm.js';
import { NtlmFlag } from '../src/sasl/ntlm-messages.js';
import { createDefaultMechanisms, DEFAULT_MECHANISMS } from '../src/sasl/registry.js';
import { advertisementFor } from '../src/service/advertise.js';
import { failureCode, fakeContext, send, type FakeOptions } from './sasl-fake-context.js';
import {
  authenticate,
  CLIENT_CHALLENGE,
  negotiate,
  ntlm2SessionType3,
  readChallenge,
  v1Type3,
  v2Blob,
  v2Type3,
} from './ntlm-client.js';

const hex = (b: Buffer): string => b.toString('hex');
const SERVER_CHALLENGE = Buffer.from('0123456789abcdef', 'hex');
const fixed = createNtlmMechanism({ makeServerChallenge: () => Buffer.from(SERVER_CHALLENGE), now: () => 0 });

/** MS-NLMP 4.2.1: User / Domain / Password, ServerChallenge 0123456789abcdef, ClientChallenge aa*8. */
describe('NTLM one-way functions: MS-NLMP 4.2 test vectors', () => {
  it('4.2.2 NTLMv1: LMOWFv1, NTOWFv1, SessionBaseKey, NT and LM responses', () => {
    const nt = c.ntowfv1('Password');
    expect(hex(c.lmowfv1('Password'))).toBe('e52cac67419a9a224a3b108f3fa6cb6d');
    expect(hex(nt)).toBe('a4f49c406510bdcab6824ee7c30fd852');
    expect(hex(c.ntlmv1SessionBaseKey(nt))).toBe('d87262b0cde4b1cb7499becccdf10784');
    expect(hex(c.ntlmv1Response(nt, SERVER_CHALLENGE))).toBe('67c43011f30298a2ad35ece64f16331c44bdbed927841f94');
    expect(hex(c.desl(c.lmowfv1('Password'), SERVER_CHALLENGE))).toBe('98def7b87f88aa5dafe2df779688a172def11c7d5ccdef13');
  });

  it('4.2.3 NTLMv1 with client challenge (NTLM2 session response)', () => {
    expect(hex(c.ntlm2SessionResponse(c.ntowfv1('Password'), SERVER_CHALLENGE, CLIENT_CHALLENGE))).toBe(
      '7537f803ae367128ca458204bde7caf81e97ed2683267232',
    );
  });

  it('4.2.4 NTLMv2: NTOWFv2, LMv2, NTProofStr, SessionBaseKey', () => {
    const key = c.ntowfv2('Password', 'User', 'Domain');
    expect(hex(key)).toBe('0c868a403bfd7a93a3001ef22ef02e3f');
    expect(hex(c.lmv2Response(key, SERVER_CHALLENGE, CLIENT_CHALLENGE))).toBe('86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa');
    const targetInfo = Buffer.from('02000c0044006f006d00610069006e0001000c00530065007200760065007200' + '00000000', 'hex');
    const proof = c.ntProofStr(key, SERVER_CHALLENGE, v2Blob(targetInfo));
    expect(hex(proof)).toBe('68cd0ab851e51c96aabc927bebef6a1c');
    expect(hex(c.ntlmv2SessionBaseKey(key, proof))).toBe('8de40ccadbc14a82f15cb0ad0de95ca3');
  });
});

function withV1(options: FakeOptions, allow: boolean): ReturnType<typeof fakeContext> {
  const fake = fakeContext(options);
  const lookup = fake.ctx.lookupSecret.bind(fake.ctx);
  const ctx: MechanismContext = {
    ...fake.ctx,
    lookupSecret: async (user) => {
      const r = await lookup(user);
      return r.ok ? { ...r, allowNTLMv1: allow } : r;
    },
  };
  return { ...fake, ctx };
}

function challengeOf(step: MechanismStep): Buffer {
  if (step.kind !== 'continue') throw new Error(`expected a challenge, got ${JSON.stringify(step)}`);
  return step.challenge;
}

const USERS = { tim: 'Password' };

describe('SASL NTLM exchange', () => {
  it('asks for NEGOTIATE with an empty challenge, then sends a CHALLENGE with target info', async () => {
    const { ctx } = fakeContext({ users: USERS });
    const s = fixed.create(ctx);
    expect(challengeOf(await send(s, null))).toHaveLength(0);
    const ch = readChallenge(challengeOf(await send(s, negotiate())));
    expect(hex(ch.serverChallenge)).toBe(hex(SERVER_CHALLENGE));
    expect(ch.flags & NtlmFlag.TARGET_INFO).toBeTruthy();
    expect(ch.flags & NtlmFlag.UNICODE).toBeTruthy();
    expect(ch.flags & NtlmFlag.OEM).toBe(0);
    expect(ch.targetName.toString('utf16le')).toBe('EXAMPLE');
    const info = ch.targetInfo.toString('latin1');
    expect(info).toContain(Buffer.from('mail.example.test', 'utf16le').toString('latin1'));
    expect(info).toContain(Buffer.from('MAIL', 'utf16le').toString('latin1'));
    // MsvAvTimestamp (7) of time 0 = 116444736000000000 ticks
    expect(info).toContain(Buffer.from('0700080000803ed5deb19d01', 'hex').toString('latin1'));
  });

  it('mirrors OEM, extended session security, 128/56 and VERSION; drops what it does not do', () => {
    const asked = NtlmFlag.OEM | NtlmFlag.EXTENDED_SESSIONSECURITY | NtlmFlag.N128 | NtlmFlag.N56 | NtlmFlag.VERSION | NtlmFlag.SEAL | NtlmFlag.LM_KEY;
    const flags = challengeFlags(asked);
    expect(flags & NtlmFlag.OEM).toBeTruthy();
    expect(flags & NtlmFlag.UNICODE).toBe(0);
    for (const f of [NtlmFlag.EXTENDED_SESSIONSECURITY, NtlmFlag.N128, NtlmFlag.N56, NtlmFlag.VERSION, NtlmFlag.NTLM, NtlmFlag.TARGET_INFO]) {
      expect(flags & f).toBeTruthy();
    }
    expect(flags & NtlmFlag.SEAL).toBe(0);
    expect(flags & NtlmFlag.LM_KEY).toBe(0);
  });

  it('a random server challenge per session', async () => {
    const { ctx } = fakeContext();
    const a = readChallenge(challengeOf(await send(ntlmMechanism.create(ctx), negotiate()))).serverChallenge;
    const b = readChallenge(challengeOf(await send(ntlmMechanism.create(ctx), negotiate()))).serverChallenge;
    expect(a).toHaveLength(8);
    expect(hex(a)).not.toBe(hex(b));
  });

  it('NTLMv2 with the right password logs in (Unicode and OEM)', async () => {
    for (const unicodeClient of [true, false]) {
      const { ctx, calls } = fakeContext({ users: USERS });
      const s = ntlmMechanism.create(ctx);
      const flags = unicodeClient ? NtlmFlag.UNICODE | NtlmFlag.NTLM : NtlmFlag.OEM | NtlmFlag.NTLM;
      const ch = challengeOf(await send(s, negotiate(flags)));
      const step = await send(s, v2Type3(ch, 'tim', 'WORKGROUP', 'Password', unicodeClient));
      expect(step.kind).toBe('success');
      expect(calls.lookupSecret).toEqual(['tim']);
      expect(calls.completeSecretLogin).toEqual([{ authcid: 'tim@example.test', authzid: undefined }]);
    }
  });

  it('NTLMv2 hashed with an upper-cased or empty domain is accepted too', async () => {
    for (const hashedDomain of ['WORKGROUP', '']) {
      const { ctx } = fakeContext({ users: USERS });
      const s = ntlmMechanism.create(ctx);
      const ch = challengeOf(await send(s, negotiate()));
      const r = readChallenge(ch);
      const key = c.ntowfv2('Password', 'tim', hashedDomain);
      const blob = v2Blob(r.targetInfo);
      const nt = Buffer.concat([c.ntProofStr(key, r.serverChallenge, blob), blob]);
      expect((await send(s, authenticate({ lm: Buffer.alloc(24), nt, domain: 'workgroup', user: 'tim' }))).kind).toBe('success');
    }
  });

  it('LMv2 alone proves the password when the NTProofStr does not match', async () => {
    const { ctx } = fakeContext({ users: USERS });
    const s = ntlmMechanism.create(ctx);
    const r = readChallenge(challengeOf(await send(s, negotiate())));
    const key = c.ntowfv2('Password', 'tim', 'D');
    const nt = Buffer.concat([Buffer.alloc(16), v2Blob(r.targetInfo)]);
    const lm = c.lmv2Response(key, r.serverChallenge, CLIENT_CHALLENGE);
    expect((await send(s, authenticate({ lm, nt, domain: 'D', user: 'tim' }))).kind).toBe('success');
  });

  it('NTLMv2 with a wrong password goes to failSecretLogin', async () => {
    const { ctx, calls } = fakeContext({ users: USERS });
    const s = ntlmMechanism.create(ctx);
    const ch = challengeOf(await send(s, negotiate()));
    expect(failureCode(await send(s, v2Type3(ch, 'tim', 'D', 'wrong')))).toBe('bad-credentials');
    expect(calls.failSecretLogin).toEqual(['tim@example.test']);
    expect(calls.completeSecretLogin).toHaveLength(0);
  });

  it('an AUTHENTICATE replayed against another challenge fails', async () => {
    const { ctx, calls } = fakeContext({ users: USERS });
    const first = ntlmMechanism.create(ctx);
    const type3 = v2Type3(challengeOf(await send(first, negotiate())), 'tim', 'D', 'Password');
    expect((await send(first, type3)).kind).toBe('success');
    const second = ntlmMechanism.create(ctx);
    await send(second, negotiate());
    expect(failureCode(await send(second, type3))).toBe('bad-credentials');
    expect(calls.failSecretLogin).toEqual(['tim@example.test']);
  });

  it('passes lookup failures through (unknown user, one-way password)', async () => {
    const { ctx } = fakeContext({ users: { tim: 'x' }, oneWay: ['tim'] });
    const s1 = ntlmMechanism.create(ctx);
    expect(failureCode(await send(s1, v2Type3(challengeOf(await send(s1, negotiate())), 'tim', 'D', 'x')))).toBe(
      'unsupported-credential',
    );
    const s2 = ntlmMechanism.create(ctx);
    expect(failureCode(await send(s2, v2Type3(challengeOf(await send(s2, negotiate())), 'nobody', 'D', 'x')))).toBe(
      'unknown-account',
    );
  });

  it('refuses an anonymous AUTHENTICATE without looking anyone up', async () => {
    const { ctx, calls } = fakeContext({ users: USERS });
    const s = ntlmMechanism.create(ctx);
    await send(s, negotiate());
    const step = await send(s, authenticate({ lm: Buffer.alloc(1), nt: Buffer.alloc(0), domain: '', user: '' }));
    expect(failureCode(step)).toBe('bad-credentials');
    expect(step.kind === 'failure' && step.failure.message).toMatch(/anonymous/);
    expect(calls.lookupSecret).toHaveLength(0);
  });

  describe('NTLMv1', () => {
    it('is refused unless allowNTLMv1, and the refusal is not counted as a failed password', async () => {
      const { ctx, calls } = withV1({ users: USERS }, false);
      const s = ntlmMechanism.create(ctx);
      const step = await send(s, v1Type3(challengeOf(await send(s, negotiate())), 'tim', 'Password'));
      expect(failureCode(step)).toBe('mechanism-unavailable');
      expect(calls.failSecretLogin).toHaveLength(0);
      expect(calls.completeSecretLogin).toHaveLength(0);
    });

    it('is refused when the lookup does not say (allowNTLMv1 absent)', async () => {
      const { ctx } = fakeContext({ users: USERS });
      const s = ntlmMechanism.create(ctx);
      expect(failureCode(await send(s, v1Type3(challengeOf(await send(s, negotiate())), 'tim', 'Password')))).toBe(
        'mechanism-unavailable',
      );
    });

    it('with allowNTLMv1: the v1 response and the NTLM2 session response log in; a wrong one fails', async () => {
      for (const build of [v1Type3, ntlm2SessionType3]) {
        const { ctx } = withV1({ users: USERS }, true);
        const s = ntlmMechanism.create(ctx);
        expect((await send(s, build(challengeOf(await send(s, negotiate())), 'tim', 'Password'))).kind).toBe('success');
        const { ctx: ctx2, calls } = withV1({ users: USERS }, true);
        const s2 = ntlmMechanism.create(ctx2);
        expect(failureCode(await send(s2, build(challengeOf(await send(s2, negotiate())), 'tim', 'nope')))).toBe('bad-credentials');
        expect(calls.failSecretLogin).toEqual(['tim@example.test']);
      }
    });

    it('the MS-NLMP 4.2.2 NTLMv1 AUTHENTICATE logs in against the fixed challenge', async () => {
      const { ctx } = withV1({ users: { User: 'Password' } }, true);
      const s = fixed.create(ctx);
      await send(s, negotiate());
      const nt = Buffer.from('67c43011f30298a2ad35ece64f16331c44bdbed927841f94', 'hex');
      const lm = Buffer.from('98def7b87f88aa5dafe2df779688a172def11c7d5ccdef13', 'hex');
      expect((await send(s, authenticate({ lm, nt, domain: 'Domain', user: 'User' }))).kind).toBe('success');
    });
  });

  describe('malformed messages', () => {
    const sig = Buffer.from('NTLMSSP\0', 'latin1');
    const cases: [string, Buffer][] = [
      ['short NEGOTIATE', Buffer.from('NTLMSSP\0\x01', 'latin1')],
      ['wrong signature', Buffer.concat([Buffer.from('NTLMSSX\0', 'latin1'), Buffer.from('0100000001020000', 'hex')])],
      ['AUTHENTICATE instead of NEGOTIATE', Buffer.concat([sig, Buffer.from('0300000001020000', 'hex')])],
    ];
    it.each(cases)('first message: %s', async (_what, msg) => {
      const { ctx } = fakeContext({ users: USERS });
      expect(failureCode(await send(ntlmMechanism.create(ctx), msg))).toBe('malformed');
    });

    async function afterChallenge(type3: Buffer): Promise<MechanismStep> {
      const { ctx, calls } = fakeContext({ users: USERS });
      const s = ntlmMechanism.create(ctx);
      await send(s, negotiate());
      const step = await send(s, type3);
      expect(calls.completeSecretLogin).toHaveLength(0);
      return step;
    }

    it('short AUTHENTICATE', async () => {
      expect(failureCode(await afterChallenge(Buffer.concat([sig, Buffer.from('03000000', 'hex'), Buffer.alloc(20)])))).toBe('malformed');
    });

    it('NEGOTIATE again instead of AUTHENTICATE', async () => {
      expect(failureCode(await afterChallenge(negotiate()))).toBe('malformed');
    });

    it('offset past the end, length past the end, offset inside the header', async () => {
      const good = authenticate({ lm: Buffer.alloc(24), nt: Buffer.alloc(60, 1), domain: 'D', user: 'tim' });
      const offPast = Buffer.from(good);
      offPast.writeUInt32LE(0xfffffff0, 24);
      const lenPast = Buffer.from(good);
      lenPast.writeUInt16LE(0xffff, 20);
      const inHeader = Buffer.from(good);
      inHeader.writeUInt32LE(8, 40);
      for (const m of [offPast, lenPast, inHeader]) expect(failureCode(await afterChallenge(m))).toBe('malformed');
    });

    it('odd-length Unicode user name, and an NT response of a wrong length', async () => {
      const odd = authenticate({ lm: Buffer.alloc(24), nt: Buffer.alloc(60, 1), domain: 'D', user: 'x', unicode: false });
      expect(failureCode(await afterChallenge(odd))).toBe('malformed');
      const shortNt = authenticate({ lm: Buffer.alloc(24), nt: Buffer.alloc(30, 1), domain: 'D', user: 'tim' });
      expect(failureCode(await afterChallenge(shortNt))).toBe('malformed');
      const oddNt = authenticate({ lm: Buffer.alloc(24), nt: Buffer.alloc(20, 1), domain: 'D', user: 'tim' });
      expect(failureCode(await afterChallenge(oddNt))).toBe('malformed');
    });

    it('a huge message is refused before parsing', async () => {
      const { ctx } = fakeContext({ users: USERS });
      const s = ntlmMechanism.create(ctx);
      await send(s, negotiate());
      expect(failureCode(await send(s, Buffer.alloc(100_000)))).toBe('malformed');
    });

    it('a second empty message is not answered with another empty challenge', async () => {
      const { ctx } = fakeContext({ users: USERS });
      const s = ntlmMechanism.create(ctx);
      expect(challengeOf(await send(s, Buffer.alloc(0)))).toHaveLength(0);
      expect(failureCode(await send(s, Buffer.alloc(0)))).toBe('malformed');
    });

    it('a step after the end fails', async () => {
      const { ctx } = fakeContext({ users: USERS });
      const s = ntlmMechanism.create(ctx);
      const ch = challengeOf(await send(s, negotiate()));
      expect((await send(s, v2Type3(ch, 'tim', 'D', 'Password'))).kind).toBe('success');
      expect(failureCode(await send(s, v2Type3(ch, 'tim', 'D', 'Password')))).toBe('malformed');
    });
  });
});

describe('SASL MSN', () => {
  it('is the NTLM exchange under the name MSN and the Login Method MSN', async () => {
    expect(msnMechanism.name).toBe('MSN');
    expect(msnMechanism.loginMethod).toBe('MSN');
    expect(msnMechanism.credential).toBe('stored-secret');
    const { ctx, calls } = fakeContext({ users: USERS });
    const s = createMsnMechanism().create(ctx);
    expect(challengeOf(await send(s, null))).toHaveLength(0);
    const ch = challengeOf(await send(s, negotiate()));
    expect((await send(s, v2Type3(ch, 'tim', 'D', 'Password'))).kind).toBe('success');
    expect(calls.completeSecretLogin).toEqual([{ authcid: 'tim@example.test', authzid: undefined }]);
  });

  it('is registered after the existing mechanisms, NTLM then MSN', () => {
    const names = DEFAULT_MECHANISMS.map((m) => m.name);
    expect(names.slice(-3, -1)).toEqual(['NTLM', 'MSN']);
    expect(ntlmMechanism.loginMethod).toBe('NTLM');
  });

  it('is advertised only when the domain lists NTLM / MSN (the default does not)', () => {
    const registry = createDefaultMechanisms();
    const plainLink = { secure: false };
    const byDefault = advertisementFor(null, registry, plainLink).saslMechanisms;
    expect(byDefault).not.toContain('NTLM');
    expect(byDefault).not.toContain('MSN');
    expect(advertisementFor({ name: 'example.test', loginMethods: ['NTLM'] }, registry, plainLink).saslMechanisms).toEqual(['NTLM']);
    expect(advertisementFor({ name: 'example.test', loginMethods: ['MSN', 'NTLM'] }, registry, plainLink).saslMechanisms).toEqual(['NTLM', 'MSN']);
  });
});
