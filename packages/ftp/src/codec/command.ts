/**
 * FTP command lines (RFC 959 section 4.1, RFC 2640 for UTF-8 path names): a case-insensitive
 * keyword and at most one argument, which is the rest of the line taken whole (file names and
 * passwords may hold spaces and double quotes, and are passed on untouched). Pure.
 */
import { parseCommandLine, type CommandLineRejection } from '@portcullis/line-protocol';

export interface FtpCommand {
  readonly ok: true;
  /** upper-cased keyword */
  readonly name: string;
  /** everything after the first space, untouched; undefined when the keyword stands alone */
  readonly arg: string | undefined;
}

/** NUL would cut a path short in the file system calls; non-UTF-8 (RFC 2640) could make two names equal */
export type CommandRejection = CommandLineRejection;

export interface CommandParseError {
  readonly ok: false;
  readonly reason: CommandRejection;
}

/** RFC 959 keywords are 3-4 letters; extensions (EPSV, MLSD, PBSZ...) stay within that. */
const KEYWORD = /^[A-Za-z]{3,4}$/;
const IAC = 0xff;

/**
 * Telnet "Interrupt Process" and "Synch" (IAC IP, IAC DM, or a lone DM left after urgent data)
 * that clients put before ABOR (RFC 959 section 4.1.3); they are not part of the command.
 */
export function stripTelnetPrefix(line: Uint8Array): Uint8Array {
  let i = 0;
  while (i < line.length) {
    const b = line[i];
    if (b === IAC && i + 1 < line.length && (line[i + 1] === 0xf4 || line[i + 1] === 0xf2)) i += 2;
    else if (b === 0xf2 || b === 0xf4) i += 1;
    else break;
  }
  return line.subarray(i);
}

export function parseCommand(raw: Uint8Array): FtpCommand | CommandParseError {
  const parsed = parseCommandLine(stripTelnetPrefix(raw), KEYWORD);
  if (!parsed.ok) return parsed;
  return { ok: true, name: parsed.keyword, arg: parsed.rest };
}

/** REST's offset: a non-negative decimal within the safe integer range. */
export function parseOffset(arg: string | undefined): number | undefined {
  if (arg === undefined || !/^[0-9]{1,15}$/.test(arg)) return undefined;
  return Number(arg);
}
