/** A minimal NTLM client for the tests: builds NEGOTIATE and AUTHENTICATE messages. */
import { lmv2Response, ntlm2SessionResponse, ntlmv1Response, ntowfv1, ntowfv2, ntProofStr } from '../src/sasl/ntlm-crypto.js';
import { NTLMSSP_SIGNATURE, NtlmFlag } from '../src/sasl/ntlm-messages.js';

export function negotiate(flags: number = NtlmFlag.UNICODE | NtlmFlag.NTLM | NtlmFlag.REQUEST_TARGET): Buffer {
  const m = Buffer.alloc(32);
  NTLMSSP_SIGNATURE.copy(m, 0);
  m.writeUInt32LE(1, 8);
  m.writeUInt32LE(flags >>> 0, 12);
  return m;
}

export interface ParsedChallenge {
  flags: number;
  serverChallenge: Buffer;
  targetInfo: Buffer;
  targetName: Buffer;
}

export function readChallenge(m: Buffer): ParsedChallenge {
  const tnLen = m.readUInt16LE(12);
  const tnOff = m.readUInt32LE(16);
  const tiLen = m.readUInt16LE(40);
  const tiOff = m.readUInt32LE(44);
  return {
    flags: m.readUInt32LE(20),
    serverChallenge: m.subarray(24, 32),
    targetName: m.subarray(tnOff, tnOff + tnLen),
    targetInfo: m.subarray(tiOff, tiOff + tiLen),
  };
}

export interface Type3Fields {
  lm: Buffer;
  nt: Buffer;
  domain: string;
  user: string;
  workstation?: string;
  unicode?: boolean;
  flags?: number;
}

export function authenticate(f: Type3Fields): Buffer {
  const enc = (s: string): Buffer => Buffer.from(s, f.unicode === false ? 'latin1' : 'utf16le');
  const fields = [f.lm, f.nt, enc(f.domain), enc(f.user), enc(f.workstation ?? 'WS'), Buffer.alloc(0)];
  const fixed = 64;
  const head = Buffer.alloc(fixed);
  NTLMSSP_SIGNATURE.copy(head, 0);
  head.writeUInt32LE(3, 8);
  let offset = fixed;
  fields.forEach((b, i) => {
    head.writeUInt16LE(b.length, 12 + i * 8);
    head.writeUInt16LE(b.length, 14 + i * 8);
    head.writeUInt32LE(offset, 16 + i * 8);
    offset += b.length;
  });
  head.writeUInt32LE((f.flags ?? NtlmFlag.UNICODE | NtlmFlag.NTLM) >>> 0, 60);
  return Buffer.concat([head, ...fields]);
}

export const CLIENT_CHALLENGE = Buffer.alloc(8, 0xaa);

/** The NTLMv2 blob: RespType, HiRespType, reserved, time, client challenge, reserved, AV pairs, reserved. */
export function v2Blob(targetInfo: Buffer, time: Buffer = Buffer.alloc(8)): Buffer {
  return Buffer.concat([Buffer.from('0101000000000000', 'hex'), time, CLIENT_CHALLENGE, Buffer.alloc(4), targetInfo, Buffer.alloc(4)]);
}

export function v2Type3(challenge: Buffer, user: string, domain: string, password: string, unicode = true): Buffer {
  const c = readChallenge(challenge);
  const key = ntowfv2(password, user, domain);
  const blob = v2Blob(c.targetInfo);
  const nt = Buffer.concat([ntProofStr(key, c.serverChallenge, blob), blob]);
  const lm = lmv2Response(key, c.serverChallenge, CLIENT_CHALLENGE);
  return authenticate({ lm, nt, domain, user, unicode });
}

export function v1Type3(challenge: Buffer, user: string, password: string): Buffer {
  const c = readChallenge(challenge);
  return authenticate({ lm: Buffer.alloc(24, 1), nt: ntlmv1Response(ntowfv1(password), c.serverChallenge), domain: '', user });
}

export function ntlm2SessionType3(challenge: Buffer, user: string, password: string): Buffer {
  const c = readChallenge(challenge);
  const lm = Buffer.concat([CLIENT_CHALLENGE, Buffer.alloc(16)]);
  return authenticate({ lm, nt: ntlm2SessionResponse(ntowfv1(password), c.serverChallenge, CLIENT_CHALLENGE), domain: '', user });
}
