/**
 * Strict base64 for SASL exchanges (RFC 5034 section 4). Buffer.from(s, 'base64') skips anything
 * it does not understand, so a garbled client message would silently become different bytes; we
 * refuse it instead.
 */

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The decoded bytes, or null when `text` is not canonical padded base64. */
export function decodeBase64Strict(text: string): Buffer | null {
  if (!STRICT_BASE64.test(text)) return null;
  return Buffer.from(text, 'base64');
}

export function encodeBase64(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
}
