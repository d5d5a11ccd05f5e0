/**
 * FTP command lines (RFC 959 section 4.1, RFC 2640 for UTF-8 path names): a case-insensitive
 * keyword and at most one argument, which is the rest of the line taken whole (file names and
 * passwords may hold spaces and double quotes, and are passed on untouched). Pure.
 */

export interface FtpCommand {
  readonly ok: true;
  /** upper-cased keyword */
  readonly name: string;
  /** everything after the first space, untouched; undefined when the keyword stands alone */
  readonly arg: string | undefined;
}

export type CommandRejection =
  | 'empty'
  /** NUL would cut a path short in the file system calls */
  | 'nul'
  /** not UTF-8 (RFC 2640): replacement characters could make two names or passwords equal */
  | 'encoding'
  | 'keyword';

export interface CommandParseError {
  readonly ok: false;
  readonly reason: CommandRejection;
}

/** RFC 959 keywords are 3-4 letters; extensions (EPSV, MLSD, PBSZ...) stay within that. */
const KEYWORD = /^[A-Za-z]{3,4}$/;
const IAC = 0xff;
const utf8 = new TextDecoder('utf-8', { fatal: true });

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
  const line = stripTelnetPrefix(raw);
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
  const arg = space < 0 ? undefined : text.slice(space + 1);
  return { ok: true, name: keyword.toUpperCase(), arg };
}

/** REST's offset: a non-negative decimal within the safe integer range. */
export function parseOffset(arg: string | undefined): number | undefined {
  if (arg === undefined || !/^[0-9]{1,15}$/.test(arg)) return undefined;
  return Number(arg);
}
