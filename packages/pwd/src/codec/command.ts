/**
 * PWD command lines (poppassd): a case-insensitive keyword, then its argument. Pure: bytes in, a
 * parsed command or a reason out.
 */
import { parseCommandLine, splitWords, type CommandLineRejection } from '@portcullis/line-protocol';

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

export type CommandRejection = CommandLineRejection;

export interface CommandParseError {
  readonly ok: false;
  readonly reason: CommandRejection;
}

export function parseCommand(line: Uint8Array): PwdCommand | CommandParseError {
  const parsed = parseCommandLine(line);
  if (!parsed.ok) return parsed;
  return { ok: true, name: parsed.keyword, rest: parsed.rest, args: splitWords(parsed.rest) };
}
