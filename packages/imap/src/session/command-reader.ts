/**
 * Reads one whole command (lines and literals) from a Connection, applying the literal limits
 * before any literal byte is buffered. The syntax itself is the codec's business.
 */
import { LineTooLongError, type Connection } from '@portcullis/listener';
import {
  CommandParser,
  ImapParseError,
  continuation,
  trailingLiteral,
  type ImapCommand,
  type LiteralRequest,
} from '../codec/index.js';

export interface ReaderLimits {
  /** total literal octets one command may carry */
  maxLiteralSize: number;
  /** a refused non-synchronising literal up to this size is skipped; a larger one ends the session */
  maxDiscard: number;
  /** literals per command: `{0}` after `{0}` must not go on for ever */
  maxLiterals: number;
}

export type ReadResult =
  | { kind: 'command'; command: ImapCommand }
  /** reply BAD (tagged when the tag is known) and go on */
  | { kind: 'bad'; tag?: string; text: string; code?: string }
  /** a synchronising literal refused before the client sent it */
  | { kind: 'no'; tag: string; text: string; code?: string }
  /** the client is sending more than we are willing to skip: BYE and close */
  | { kind: 'fatal'; text: string };

/**
 * Not an async function itself: an idle connection waits for its next command here, and a
 * suspended async frame is a few hundred bytes of each idle connection's memory.
 */
export function readCommand(conn: Connection, limits: ReaderLimits): Promise<ReadResult> {
  return readLineOrNull(conn).then((line) => (line ? parseCommand(conn, limits, line) : { kind: 'bad', text: 'line too long' }));
}

async function parseCommand(conn: Connection, limits: ReaderLimits, first: Buffer): Promise<ReadResult> {
  const parser = new CommandParser();
  let literalBytes = 0;
  let literals = 0;
  let line = first;
  for (;;) {
    let progress;
    try {
      progress = parser.feedLine(line);
    } catch (err) {
      if (!(err instanceof ImapParseError)) throw err;
      const pending = trailingLiteral(line);
      if (pending && !pending.synchronising && !(await swallowLiterals(conn, pending, limits))) {
        return { kind: 'fatal', text: 'literal too large' };
      }
      return err.tag ? { kind: 'bad', tag: err.tag, text: err.message } : { kind: 'bad', text: err.message };
    }
    if (progress.kind === 'complete') return { kind: 'command', command: progress.command };

    literals += 1;
    if (progress.size > limits.maxLiteralSize - literalBytes || literals > limits.maxLiterals) {
      if (progress.synchronising) {
        return { kind: 'no', tag: progress.tag, code: 'TOOBIG', text: 'literal too large' };
      }
      if (!(await swallowLiterals(conn, progress, limits))) return { kind: 'fatal', text: 'literal too large' };
      return { kind: 'bad', tag: progress.tag, code: 'TOOBIG', text: 'literal too large' };
    }
    literalBytes += progress.size;
    if (progress.synchronising) conn.write(continuation('Ready for literal data'));
    parser.feedLiteral(progress.size === 0 ? Buffer.alloc(0) : await conn.readBytes(progress.size));
    const next = await readLineOrNull(conn);
    if (!next) return { kind: 'bad', tag: progress.tag, text: 'line too long' };
    line = next;
  }
}

function nullIfTooLong(err: unknown): null {
  if (err instanceof LineTooLongError) return null;
  throw err;
}

/** Not an async function: an idle connection waits here, and a suspended frame costs memory. */
function readLineOrNull(conn: Connection): Promise<Buffer | null> {
  return conn.readLine().then(undefined, nullIfTooLong);
}

/**
 * Skip a refused non-synchronising literal and the rest of its command (which may announce more
 * non-synchronising literals), without keeping the bytes. False when it is too much to skip.
 */
async function swallowLiterals(conn: Connection, first: LiteralRequest, limits: ReaderLimits): Promise<boolean> {
  let skipped = 0;
  let pending: LiteralRequest | null = first;
  while (pending && !pending.synchronising) {
    skipped += pending.size;
    if (skipped > limits.maxDiscard) return false;
    await conn.discardBytes(pending.size);
    const rest = await readLineOrNull(conn);
    pending = rest ? trailingLiteral(rest) : null;
  }
  return true;
}
