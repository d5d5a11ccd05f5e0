/**
 * PWD command lines (poppassd): a case-insensitive keyword, then its argument. Pure: bytes in, a
 * parsed command or a reason out.
 */

export interface PwdCommand {
  readonly ok: true;
  /** the keyword, upper-cased */
  readonly name: string;
  /**
   * everything after the first space, untouched: PASS and NEWPASS take this whole, because a
   * password may contain spaces. Undefined when the line holds the keyword alone.
   */
  readonly rest: string | undefined;
  /** the space-separated words of `rest` (runs of spaces make no empty words) */
  readonly args: readonly string[];
}

export type CommandRejection =
  | 'empty'
  /** NUL would let a stored password differ from what the client typed */
  | 'nul'
  /** not UTF-8: replacement characters could make two different passwords equal */
  | 'encoding'
  | 'keyword';

export interface CommandParseError {
  readonly ok: false;
  readonly reason: CommandRejection;
}

const KEYWORD = /^[A-Za-z][A-Za-z0-9-]{0,15}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function parseCommand(line: Uint8Array): PwdCommand | CommandParseError {
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
  return { ok: true, name: keyword.toUpperCase(), rest, args };
}
