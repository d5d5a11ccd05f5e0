/**
 * SMTP command lines (RFC 5321 section 4.1): a case-insensitive verb, then the rest of the line.
 * Pure: bytes in, a parsed command or a reason out.
 */

export interface SmtpCommand {
  readonly ok: true;
  /** upper-cased */
  readonly verb: string;
  /** everything after the first space, untouched ('' when the verb is alone) */
  readonly arg: string;
}

export type CommandRejection =
  | 'empty'
  /** NUL would let what we check differ from what a later reader sees */
  | 'nul'
  /** not UTF-8: SMTPUTF8 allows UTF-8, nothing else; a mangled address is worse than a refusal */
  | 'encoding'
  | 'verb';

export interface CommandParseError {
  readonly ok: false;
  readonly reason: CommandRejection;
}

/** RFC 5321 verbs are 4 letters; extensions (STARTTLS) are longer but stay short and alphabetic. */
const VERB = /^[A-Za-z][A-Za-z0-9-]{1,15}$/;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function parseCommand(line: Uint8Array): SmtpCommand | CommandParseError {
  if (line.length === 0) return { ok: false, reason: 'empty' };
  if (line.includes(0)) return { ok: false, reason: 'nul' };
  let text: string;
  try {
    text = utf8.decode(line);
  } catch {
    return { ok: false, reason: 'encoding' };
  }
  const space = text.indexOf(' ');
  const verb = space < 0 ? text : text.slice(0, space);
  if (!VERB.test(verb)) return { ok: false, reason: 'verb' };
  return { ok: true, verb: verb.toUpperCase(), arg: space < 0 ? '' : text.slice(space + 1) };
}
