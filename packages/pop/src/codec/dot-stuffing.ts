/**
 * Multi-line response bodies (RFC 1939 section 3): CRLF-terminated lines, a line that starts
 * with "." gets one more ".", and a line holding only "." ends the response.
 */

const CRLF = Buffer.from('\r\n');
const DOT = 0x2e;
const LF = 0x0a;
const CR = 0x0d;

/** One body line, stuffed. The line must not contain CR or LF. */
export function stuffLine(line: string): string {
  return line.startsWith('.') ? `.${line}` : line;
}

/**
 * A whole body (a message, later) as a dot-stuffed block ending with the terminating ".".
 * Bare LF line ends become CRLF; a body without a final line end gets one.
 */
export function dotStuffBody(body: Uint8Array): Buffer {
  const parts: Buffer[] = [];
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(LF, start);
    const next = end < 0 ? bytes.length : end + 1;
    if (end < 0) end = bytes.length;
    else if (end > start && bytes[end - 1] === CR) end -= 1;
    if (bytes[start] === DOT) parts.push(Buffer.from('.'));
    parts.push(bytes.subarray(start, end), CRLF);
    start = next;
  }
  parts.push(Buffer.from('.\r\n'));
  return Buffer.concat(parts);
}

/**
 * Reverse of stuffing for one received line (without its line end): null for the terminator,
 * else the line with one leading "." removed.
 */
export function unstuffLine(line: Uint8Array): Buffer | null {
  const bytes = Buffer.from(line.buffer, line.byteOffset, line.byteLength);
  if (bytes.length === 1 && bytes[0] === DOT) return null;
  return bytes[0] === DOT ? bytes.subarray(1) : bytes;
}
