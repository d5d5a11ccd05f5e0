/** APOP (RFC 1939): not a SASL mechanism, but the same shared-secret arithmetic lives here. */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Hex MD5 of the greeting's timestamp followed by the shared secret. */
export function apopDigest(timestamp: string, secret: string): string {
  return createHash('md5').update(timestamp, 'utf8').update(secret, 'utf8').digest('hex');
}

/** The client's digest (hex, any case) matches; compared in constant time. */
export function verifyApopDigest(timestamp: string, secret: string, digestHex: string): boolean {
  if (!/^[0-9a-fA-F]{32}$/.test(digestHex)) return false;
  const expected = createHash('md5').update(timestamp, 'utf8').update(secret, 'utf8').digest();
  return timingSafeEqual(expected, Buffer.from(digestHex, 'hex'));
}
