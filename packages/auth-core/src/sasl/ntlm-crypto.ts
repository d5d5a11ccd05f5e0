/**
 * The NTLM one-way functions and responses of MS-NLMP 3.3. Node 20's OpenSSL 3 refuses MD4 and
 * single DES without the legacy provider, so MD4 comes from js-md4 and single DES runs as
 * DES-EDE (two-key triple DES) with both keys equal, which OpenSSL's default provider still has:
 * E(K, D(K, E(K, x))) is E(K, x).
 */
import { createCipheriv, createHash, createHmac } from 'node:crypto';
import md4 from 'js-md4';

export function md4Digest(data: Uint8Array): Buffer {
  return Buffer.from(md4.create().update(data).digest());
}

export function hmacMd5(key: Uint8Array, ...parts: Uint8Array[]): Buffer {
  const mac = createHmac('md5', key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

export function utf16le(text: string): Buffer {
  return Buffer.from(text, 'utf16le');
}

/** A 7-byte key spread over 8 bytes, one parity bit per byte (MS-NLMP's DES key expansion). */
function desKey(seven: Uint8Array): Buffer {
  const k = Buffer.alloc(8);
  const b = (i: number): number => seven[i] ?? 0;
  k[0] = b(0);
  k[1] = ((b(0) << 7) | (b(1) >> 1)) & 0xff;
  k[2] = ((b(1) << 6) | (b(2) >> 2)) & 0xff;
  k[3] = ((b(2) << 5) | (b(3) >> 3)) & 0xff;
  k[4] = ((b(3) << 4) | (b(4) >> 4)) & 0xff;
  k[5] = ((b(4) << 3) | (b(5) >> 5)) & 0xff;
  k[6] = ((b(5) << 2) | (b(6) >> 6)) & 0xff;
  k[7] = (b(6) << 1) & 0xff;
  // OpenSSL ignores the parity bit, so it is left clear.
  return k;
}

/** Single-block DES-ECB encryption with a 7-byte key. */
export function des(seven: Uint8Array, block: Uint8Array): Buffer {
  const k = desKey(seven);
  const cipher = createCipheriv('des-ede-ecb', Buffer.concat([k, k]), null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(block), cipher.final()]);
}

/** DESL(K, D): DES of D under K's three 7-byte thirds (K padded to 21 bytes). */
export function desl(key16: Uint8Array, data8: Uint8Array): Buffer {
  const k = Buffer.alloc(21);
  Buffer.from(key16).copy(k);
  return Buffer.concat([des(k.subarray(0, 7), data8), des(k.subarray(7, 14), data8), des(k.subarray(14, 21), data8)]);
}

/** NTOWFv1: MD4 of the UTF-16LE password. */
export function ntowfv1(password: string): Buffer {
  return md4Digest(utf16le(password));
}

/** LMOWFv1: the old LAN Manager hash; only for computing the LM response of the test vectors. */
export function lmowfv1(password: string): Buffer {
  const pw = Buffer.alloc(14);
  Buffer.from(password.toUpperCase(), 'latin1').copy(pw, 0, 0, 14);
  const magic = Buffer.from('KGS!@#$%', 'latin1');
  return Buffer.concat([des(pw.subarray(0, 7), magic), des(pw.subarray(7, 14), magic)]);
}

/** NTOWFv2: HMAC-MD5 under NTOWFv1 of UPPER(user) + domain, both UTF-16LE. */
export function ntowfv2(password: string, user: string, domain: string): Buffer {
  return hmacMd5(ntowfv1(password), utf16le(user.toUpperCase() + domain));
}

/** NTProofStr of an NTLMv2 response: HMAC-MD5(NTOWFv2, serverChallenge || blob). */
export function ntProofStr(responseKeyNT: Uint8Array, serverChallenge: Uint8Array, blob: Uint8Array): Buffer {
  return hmacMd5(responseKeyNT, serverChallenge, blob);
}

/** LMv2 response: HMAC-MD5(NTOWFv2, serverChallenge || clientChallenge) || clientChallenge. */
export function lmv2Response(responseKeyNT: Uint8Array, serverChallenge: Uint8Array, clientChallenge: Uint8Array): Buffer {
  return Buffer.concat([hmacMd5(responseKeyNT, serverChallenge, clientChallenge), clientChallenge]);
}

/** NTLMv2 SessionBaseKey: HMAC-MD5(NTOWFv2, NTProofStr). */
export function ntlmv2SessionBaseKey(responseKeyNT: Uint8Array, proof: Uint8Array): Buffer {
  return hmacMd5(responseKeyNT, proof);
}

/** NTLMv1 NT response: DESL(NTOWFv1, serverChallenge). */
export function ntlmv1Response(responseKeyNT: Uint8Array, serverChallenge: Uint8Array): Buffer {
  return desl(responseKeyNT, serverChallenge);
}

/**
 * NTLM2 session response (NTLMv1 with extended session security): DESL(NTOWFv1,
 * MD5(serverChallenge || clientChallenge)[0..8]); the client challenge travels in the LM field.
 */
export function ntlm2SessionResponse(responseKeyNT: Uint8Array, serverChallenge: Uint8Array, clientChallenge: Uint8Array): Buffer {
  const mixed = createHash('md5').update(serverChallenge).update(clientChallenge).digest().subarray(0, 8);
  return desl(responseKeyNT, mixed);
}

/** NTLMv1 SessionBaseKey: MD4(NTOWFv1). */
export function ntlmv1SessionBaseKey(responseKeyNT: Uint8Array): Buffer {
  return md4Digest(responseKeyNT);
}
