/**
 * POP3 command lines (RFC 1939 section 3): a case-insensitive keyword, then arguments separated by
 * spaces. Pure: bytes in, a parsed command or a reason out.
 */

export interface PopCommand {
  readonly ok: true;
  /** the keyword, upper-cased */
  readonly name: string;
  /** the space-separated arguments (runs of spaces do not make empty arguments) */
  readonly args: readonly string[];
  /**
   * everything after the first space, untouched: PASS takes this, because a password may contain
   * spaces. Undefined when the line holds the keyword alone.
   */
  readonly rest: string | undefined;
}

export type CommandRejection =
  | 'empty'
  /** NUL would let a name or password differ between what we check and what a backend sees */
  | 'nul'
  /**
   * not UTF-8: decoding with replacement characters could make two different passwords equal,
   * so such a line is refused rather than mangled
   */
  | 'encoding'
  | 'keyword';

export interface CommandParseError {
  readonly ok: false;
  readonly reason: CommandRejection;
}

/** Keywords are 3-4 letters in the RFCs; extensions stay short and alphanumeric. */
const KEYWORD = /^[A-Za-z][A-Za-z0-9-]{0,15}$/;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function parseCommand(line: Uint8Array): PopCommand | CommandParseError {
  if (line.length === 0) return { ok: false, reason: 'empty' };
  if (line.includes(0)) return { ok: false, reason: 'nul' };
  let text: string;
  try {
    text = utf8.decode(line);
  } catch {
    return { ok: false, reason: 'encoding' };
  }
  const space = text.indexOf(' ');
  const keyword = space < 0 ? text : text.slice(0, space);
  if (!KEYWORD.test(keyword)) return { ok: false, reason: 'keyword' };
  const rest = space < 0 ? undefined : text.slice(space + 1);
  const args = rest === undefined ? [] : rest.split(' ').filter((a) => a !== '');
  return { ok: true, name: keyword.toUpperCase(), args, rest };
}

/** A message number argument (RFC 1939: a positive decimal). Undefined when it is not one. */
export function parseMessageNumber(arg: string | undefined): number | undefined {
  if (arg === undefined || !/^[0-9]{1,10}$/.test(arg)) return undefined;
  const n = Number(arg);
  return n >= 1 ? n : undefined;
}

/** A non-negative decimal (TOP's line count). */
export function parseNonNegative(arg: string | undefined): number | undefined {
  if (arg === undefined || !/^[0-9]{1,10}$/.test(arg)) return undefined;
  return Number(arg);
}
