/**
 * SMTP command lines (RFC 5321 section 4.1): a case-insensitive verb, then the rest of the line.
 * Pure: bytes in, a parsed command or a reason out.
 */
import { parseCommandLine, type CommandLineRejection } from '@portcullis/line-protocol';

export interface SmtpCommand {
  readonly ok: true;
  /** upper-cased */
  readonly verb: string;
  /** everything after the first space, untouched ('' when the verb is alone) */
  readonly arg: string;
}

export type CommandRejection = Exclude<CommandLineRejection, 'keyword'> | 'verb';

export interface CommandParseError {
  readonly ok: false;
  readonly reason: CommandRejection;
}

/** RFC 5321 verbs are 4 letters; extensions (STARTTLS) are longer but stay short and alphabetic. */
const VERB = /^[A-Za-z][A-Za-z0-9-]{1,15}$/;

export function parseCommand(line: Uint8Array): SmtpCommand | CommandParseError {
  const parsed = parseCommandLine(line, VERB);
  if (!parsed.ok) return { ok: false, reason: parsed.reason === 'keyword' ? 'verb' : parsed.reason };
  return { ok: true, verb: parsed.keyword, arg: parsed.rest ?? '' };
}
