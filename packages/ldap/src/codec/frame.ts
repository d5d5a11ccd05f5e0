/**
 * Framing on the stream: an LDAPMessage is one BER SEQUENCE with a definite length (RFC 4511
 * 5.1), so its size is known from the first 2..6 bytes and the body can be read with an exact-n
 * read, never buffering more than one capped message.
 */
export const DEFAULT_MAX_MESSAGE_SIZE = 256 * 1024;

export type FrameProblem = 'not-a-sequence' | 'indefinite-length' | 'bad-length' | 'too-large';

export class FrameError extends Error {
  constructor(readonly problem: FrameProblem) {
    super(`bad LDAP frame: ${problem}`);
  }
}

export type FrameHeader =
  /** read this many more bytes, then ask again with all of them */
  | { kind: 'need'; bytes: number }
  | { kind: 'frame'; headerLength: number; bodyLength: number };

const SEQUENCE_TAG = 0x30;

/** Reads the tag and length octets at the start of `head`; throws FrameError. */
export function readFrameHeader(head: Uint8Array, maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE): FrameHeader {
  if (head.length < 2) return { kind: 'need', bytes: 2 - head.length };
  if (head[0] !== SEQUENCE_TAG) throw new FrameError('not-a-sequence');
  const first = head[1]!;
  if (first < 0x80) return checkSize({ kind: 'frame', headerLength: 2, bodyLength: first }, maxMessageSize);
  const count = first & 0x7f;
  if (count === 0) throw new FrameError('indefinite-length');
  // 4 length octets already describe 4 GiB; more is either padding or an attack
  if (count > 4) throw new FrameError('bad-length');
  if (head.length < 2 + count) return { kind: 'need', bytes: 2 + count - head.length };
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + head[2 + i]!;
  return checkSize({ kind: 'frame', headerLength: 2 + count, bodyLength: length }, maxMessageSize);
}

function checkSize(h: FrameHeader & { kind: 'frame' }, max: number): FrameHeader {
  if (h.headerLength + h.bodyLength > max) throw new FrameError('too-large');
  return h;
}

/** Splits whole messages off the front of a buffer (tests, clients); the rest stays unread. */
export function splitFrames(buf: Buffer, maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE): { frames: Buffer[]; rest: Buffer } {
  const frames: Buffer[] = [];
  let offset = 0;
  for (;;) {
    let h = readFrameHeader(buf.subarray(offset, offset + 2), maxMessageSize);
    if (h.kind === 'need' && offset + 2 <= buf.length) h = readFrameHeader(buf.subarray(offset, offset + 6), maxMessageSize);
    if (h.kind === 'need') break;
    const end = offset + h.headerLength + h.bodyLength;
    if (end > buf.length) break;
    frames.push(buf.subarray(offset, end));
    offset = end;
  }
  return { frames, rest: buf.subarray(offset) };
}
