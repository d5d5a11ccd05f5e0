/**
 * NTLM messages of MS-NLMP 2.2.1: parsing the client's NEGOTIATE (Type 1) and AUTHENTICATE
 * (Type 3) strictly, and building the server's CHALLENGE (Type 2). Every length and offset is
 * checked against the message before it is used, so a hostile message is an error, never a read
 * out of range.
 */

export const NTLMSSP_SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');

/** NegotiateFlags bits (MS-NLMP 2.2.2.5) that this server reads or sets. */
export const NtlmFlag = {
  UNICODE: 0x00000001,
  OEM: 0x00000002,
  REQUEST_TARGET: 0x00000004,
  SIGN: 0x00000010,
  SEAL: 0x00000020,
  LM_KEY: 0x00000080,
  NTLM: 0x00000200,
  ANONYMOUS: 0x00000800,
  ALWAYS_SIGN: 0x00008000,
  TARGET_TYPE_DOMAIN: 0x00010000,
  EXTENDED_SESSIONSECURITY: 0x00080000,
  TARGET_INFO: 0x00800000,
  VERSION: 0x02000000,
  N128: 0x20000000,
  KEY_EXCH: 0x40000000,
  N56: 0x80000000,
} as const;

/** AV_PAIR ids (MS-NLMP 2.2.2.1) of the target info this server sends. */
export const AvId = {
  EOL: 0,
  NB_COMPUTER_NAME: 1,
  NB_DOMAIN_NAME: 2,
  DNS_COMPUTER_NAME: 3,
  DNS_DOMAIN_NAME: 4,
  TIMESTAMP: 7,
} as const;

export class NtlmFormatError extends Error {}

function header(msg: Buffer, type: number, minLength: number): void {
  if (msg.length < minLength) throw new NtlmFormatError(`message too short for Type ${type}`);
  if (!msg.subarray(0, 8).equals(NTLMSSP_SIGNATURE)) throw new NtlmFormatError('no NTLMSSP signature');
  if (msg.readUInt32LE(8) !== type) throw new NtlmFormatError(`expected a Type ${type} message`);
}

/** A security buffer (length, max length, offset); empty when its length is 0. */
function secBuf(msg: Buffer, at: number, payloadStart: number): Buffer {
  const len = msg.readUInt16LE(at);
  const offset = msg.readUInt32LE(at + 4);
  if (len === 0) return Buffer.alloc(0);
  if (offset < payloadStart || offset + len > msg.length) throw new NtlmFormatError('field offset out of range');
  return msg.subarray(offset, offset + len);
}

export interface NegotiateMessage {
  flags: number;
}

/** Type 1. Its domain and workstation fields are hints nobody relies on, so they are not read. */
export function parseNegotiate(msg: Buffer): NegotiateMessage {
  header(msg, 1, 16);
  return { flags: msg.readUInt32LE(12) >>> 0 };
}

export interface AuthenticateMessage {
  lmResponse: Buffer;
  ntResponse: Buffer;
  domain: string;
  user: string;
  workstation: string;
  /** the Type 3's own flags when it carries them (not the oldest clients) */
  flags: number | null;
}

/** The smallest Type 3: signature, type and five security buffers (LM, NT, domain, user, host). */
const AUTHENTICATE_MIN = 52;

/** Type 3; strings are UTF-16LE when `unicode` (the charset the Type 2 chose), else OEM (Latin-1). */
export function parseAuthenticate(msg: Buffer, unicode: boolean): AuthenticateMessage {
  header(msg, 3, AUTHENTICATE_MIN);
  // The fixed part varies between clients (with or without session key, flags, version, MIC);
  // it ends where the lowest field in use starts.
  const offsets = [12, 20, 28, 36, 44]
    .filter((at) => msg.readUInt16LE(at) > 0)
    .map((at) => msg.readUInt32LE(at + 4));
  const payloadStart = offsets.length > 0 ? Math.min(...offsets) : msg.length;
  if (payloadStart < AUTHENTICATE_MIN) throw new NtlmFormatError('field offset out of range');
  const decode = (b: Buffer): string => {
    if (!unicode) return b.toString('latin1');
    if (b.length % 2 !== 0) throw new NtlmFormatError('odd-length Unicode string');
    return b.toString('utf16le');
  };
  const hasFlags = payloadStart >= 64 && msg.length >= 64;
  return {
    lmResponse: secBuf(msg, 12, payloadStart),
    ntResponse: secBuf(msg, 20, payloadStart),
    domain: decode(secBuf(msg, 28, payloadStart)),
    user: decode(secBuf(msg, 36, payloadStart)),
    workstation: decode(secBuf(msg, 44, payloadStart)),
    flags: hasFlags ? msg.readUInt32LE(60) >>> 0 : null,
  };
}

export interface ChallengeFields {
  flags: number;
  serverChallenge: Buffer;
  /** the TargetName field, in the negotiated charset */
  targetName: string;
  /** raw AV pairs (see avPairs) */
  targetInfo: Buffer;
}

/** 'Windows 10.0 build 17763, NTLM revision 15': a plausible VERSION for clients that want one. */
const VERSION = Buffer.from([10, 0, 0x03, 0x45, 0, 0, 0, 15]);

/** Type 2. */
export function buildChallenge(c: ChallengeFields): Buffer {
  const unicode = (c.flags & NtlmFlag.UNICODE) !== 0;
  const target = Buffer.from(c.targetName, unicode ? 'utf16le' : 'latin1');
  const fixed = 56; // with the VERSION field
  const msg = Buffer.alloc(fixed + target.length + c.targetInfo.length);
  NTLMSSP_SIGNATURE.copy(msg, 0);
  msg.writeUInt32LE(2, 8);
  msg.writeUInt16LE(target.length, 12);
  msg.writeUInt16LE(target.length, 14);
  msg.writeUInt32LE(fixed, 16);
  msg.writeUInt32LE(c.flags >>> 0, 20);
  c.serverChallenge.copy(msg, 24);
  // 32..40 reserved, zero
  msg.writeUInt16LE(c.targetInfo.length, 40);
  msg.writeUInt16LE(c.targetInfo.length, 42);
  msg.writeUInt32LE(fixed + target.length, 44);
  if (c.flags & NtlmFlag.VERSION) VERSION.copy(msg, 48);
  target.copy(msg, fixed);
  c.targetInfo.copy(msg, fixed + target.length);
  return msg;
}

/** AV pairs ending with MsvAvEOL; string values are UTF-16LE as MS-NLMP requires. */
export function avPairs(pairs: readonly [number, string | Buffer][]): Buffer {
  const parts: Buffer[] = [];
  for (const [id, value] of pairs) {
    const v = typeof value === 'string' ? Buffer.from(value, 'utf16le') : value;
    const h = Buffer.alloc(4);
    h.writeUInt16LE(id, 0);
    h.writeUInt16LE(v.length, 2);
    parts.push(h, v);
  }
  parts.push(Buffer.alloc(4)); // MsvAvEOL
  return Buffer.concat(parts);
}

/** A FILETIME: 100 ns ticks since 1601-01-01, little-endian. */
export function fileTime(ms: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE((BigInt(Math.floor(ms)) + 11644473600000n) * 10000n);
  return b;
}
