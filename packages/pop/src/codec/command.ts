/**
 * POP3 command lines (RFC 1939 section 3): a case-insensitive keyword, then arguments separated by
 * spaces. Pure: bytes in, a parsed command or a reason out.
 */
import { parseCommandLine, splitWords, type CommandLineRejection } from '@portcullis/line-protocol';

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

export type CommandRejection = CommandLineRejection;

export interface CommandParseError {
  readonly ok: false;
  readonly reason: CommandRejection;
}

export function parseCommand(line: Uint8Array): PopCommand | CommandParseError {
  const parsed = parseCommandLine(line);
  if (!parsed.ok) return parsed;
  return { ok: true, name: parsed.keyword, args: splitWords(parsed.rest), rest: parsed.rest };
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
