/**
 * A command line of the keyword protocols (POP3, PWD, SMTP, FTP): a case-insensitive keyword, then
 * the rest of the line. Pure: bytes in, the keyword and the untouched rest, or a reason out.
 */

export type CommandLineRejection =
  | 'empty'
  /** NUL would let a name or password differ between what we check and what a later reader sees */
  | 'nul'
  /**
   * not UTF-8: decoding with replacement characters could make two different passwords equal,
   * so such a line is refused rather than mangled
   */
  | 'encoding'
  | 'keyword';

export type CommandLine =
  | {
      readonly ok: true;
      /** upper-cased */
      readonly keyword: string;
      /** everything after the first space, untouched (a password may hold spaces); undefined when the keyword is alone */
      readonly rest: string | undefined;
    }
  | { readonly ok: false; readonly reason: CommandLineRejection };

/** Keywords are 3-4 letters in the RFCs; extensions stay short and alphanumeric. */
export const DEFAULT_KEYWORD = /^[A-Za-z][A-Za-z0-9-]{0,15}$/;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function parseCommandLine(line: Uint8Array, keyword: RegExp = DEFAULT_KEYWORD): CommandLine {
  if (line.length === 0) return { ok: false, reason: 'empty' };
  if (line.includes(0)) return { ok: false, reason: 'nul' };
  let text: string;
  try {
    text = utf8.decode(line);
  } catch {
    return { ok: false, reason: 'encoding' };
  }
  const space = text.indexOf(' ');
  const word = space < 0 ? text : text.slice(0, space);
  if (!keyword.test(word)) return { ok: false, reason: 'keyword' };
  return { ok: true, keyword: word.toUpperCase(), rest: space < 0 ? undefined : text.slice(space + 1) };
}

/** The space-separated words of a rest of line; runs of spaces make no empty words. */
export function splitWords(rest: string | undefined): string[] {
  return rest === undefined ? [] : rest.split(' ').filter((w) => w !== '');
}
