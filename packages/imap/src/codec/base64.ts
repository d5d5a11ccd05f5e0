/** Strict base64 for SASL lines: Buffer.from(x, 'base64') silently skips garbage, which we must refuse. */

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The decoded bytes, or null when `text` is not canonical padded base64. An empty text is empty data. */
export function decodeBase64Strict(text: string): Buffer | null {
  if (!BASE64.test(text)) return null;
  return Buffer.from(text, 'base64');
}

export function encodeBase64(data: Buffer): string {
  return data.toString('base64');
}
