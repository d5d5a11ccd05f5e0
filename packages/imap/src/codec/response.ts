/**
 * Response builders (RFC 9051 section 7). Every builder returns one complete wire line with CRLF,
 * and every human-readable text goes through safeText so nothing a client or a message supplied
 * can end a line early and inject a response.
 */

export type TaggedStatus = 'OK' | 'NO' | 'BAD';

/** Human text for resp-text: printable, single line, no `[` at the start (it would read as a code). */
export function safeText(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what we strip
  const cleaned = text.replace(/[\x00-\x1f\x7f]+/g, ' ').trim();
  const noCode = cleaned.startsWith('[') ? cleaned.replace(/^\[+/, '') : cleaned;
  return noCode.length > 0 ? noCode : 'completed';
}

/** A response code without brackets: `AUTHENTICATIONFAILED`, `CAPABILITY IMAP4rev1 ...`. */
function codePart(code: string | undefined): string {
  return code ? `[${code.replace(/[\r\n\]]/g, '')}] ` : '';
}

export function tagged(tag: string, status: TaggedStatus, text: string, code?: string): string {
  return `${tag} ${status} ${codePart(code)}${safeText(text)}\r\n`;
}

/** `* <data>`: data is already IMAP syntax (built with the helpers below), not free text. */
export function untagged(data: string): string {
  return `* ${data}\r\n`;
}

/** `* OK|NO|BAD|BYE|PREAUTH [code] text` */
export function untaggedStatus(
  status: 'OK' | 'NO' | 'BAD' | 'BYE' | 'PREAUTH',
  text: string,
  code?: string,
): string {
  return `* ${status} ${codePart(code)}${safeText(text)}\r\n`;
}

/** `+ <text>`; for SASL the text is base64 and may be empty (`+ `). */
export function continuation(text = ''): string {
  return `+ ${text}\r\n`;
}

// eslint-disable-next-line no-control-regex -- quoted strings may hold any CHAR but NUL, CR and LF
const QUOTABLE = /^[\x01-\x09\x0b\x0c\x0e-\x7f]*$/;

/**
 * An IMAP string for `s`: quoted when every character can be quoted, else a literal
 * (`{n}\r\n` + bytes, counted in UTF-8 octets).
 */
export function imapString(s: string): string {
  if (QUOTABLE.test(s)) return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  return `{${Buffer.byteLength(s, 'utf8')}}\r\n${s}`;
}

/** Always quoted: for values (like ID fields) that must not be read as atoms or NIL. */
export const quoteString = imapString;

// eslint-disable-next-line no-control-regex -- controls are what makes a string unfit for an atom
const ATOM = /^[^\x00-\x20\x7f-\uffff(){%*"\\\]]+$/;

/** astring: a bare atom when safe (never NIL), else an IMAP string. */
export function astring(s: string): string {
  return ATOM.test(s) && s.toUpperCase() !== 'NIL' ? s : imapString(s);
}

/** nstring: NIL for null. */
export function nstring(s: string | null): string {
  return s === null ? 'NIL' : imapString(s);
}
