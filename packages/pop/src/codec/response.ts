/**
 * Response building: status lines with RFC 2449 / RFC 3206 response codes, SASL continuations
 * (RFC 5034) and multi-line responses. Every text that may come from elsewhere (a server name, an
 * authenticator message) is cleaned so that it can never end the line early or inject a second
 * response.
 */
import { stuffLine } from './dot-stuffing.js';

/** The extended response codes we send (RFC 2449 section 8, RFC 3206). */
export type ResponseCode = 'AUTH' | 'SYS/TEMP' | 'SYS/PERM' | 'IN-USE' | 'LOGIN-DELAY';

/** Control characters (CR and LF among them) become spaces. */
export function cleanText(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f]/g, ' ');
}

export function ok(text?: string): string {
  return text ? `+OK ${cleanText(text)}\r\n` : '+OK\r\n';
}

export function err(text: string, code?: ResponseCode): string {
  const prefix = code ? `[${code}] ` : '';
  return `-ERR ${prefix}${cleanText(text)}\r\n`;
}

/** A SASL server challenge line: "+ " and the base64 text (RFC 5034 section 4). */
export function continuation(base64: string): string {
  return `+ ${base64}\r\n`;
}

/** "+OK status", then each line dot-stuffed, then the "." terminator. */
export function multiLine(status: string, lines: readonly string[]): string {
  const body = lines.map((l) => `${stuffLine(cleanText(l))}\r\n`).join('');
  return `${ok(status)}${body}.\r\n`;
}
