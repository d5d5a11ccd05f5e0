/**
 * Encoding of request lines and parsing of reply lines. An argument that is a plain run of
 * printable ASCII goes as it is; anything else (spaces, quotes, backslashes, non-ASCII, an empty
 * value) goes as a quoted string: `"` ... `"` with `\"` and `\\` escaped, UTF-8 inside.
 * Line ends and NUL cannot be carried at all: such a value is refused before anything is sent.
 */
import { isSaslMethod, MAX_LINE_BYTES, REPLY_WORDS, type HelperCommand, type ReplyWord } from './vocabulary.js';

export class UnsendableError extends Error {}

const ATOM = /^[\x21-\x7e]+$/;

export function encodeArg(value: string): string {
  if (/[\r\n\0]/.test(value)) throw new UnsendableError('a value with a line end or NUL cannot be sent');
  if (ATOM.test(value) && !value.startsWith('"') && !value.includes('\\')) return value;
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** Reverse of encodeArg, for helpers written in JS and for tests. Returns null on a bad quote. */
export function decodeArgs(text: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === ' ') {
      i++;
      continue;
    }
    if (text[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) return null;
        const c = text[i]!;
        if (c === '"') {
          i++;
          break;
        }
        if (c === '\\') {
          if (i + 1 >= text.length) return null;
          value += text[i + 1];
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      out.push(value);
    } else {
      const end = text.indexOf(' ', i);
      const stop = end < 0 ? text.length : end;
      out.push(text.slice(i, stop));
      i = stop;
    }
  }
  return out;
}

/**
 * One request line. For `SASL` the first argument is the method, which goes into the command
 * word: `<seq> SASL(CRAM-MD5) <user@domain> <challenge> <response>`.
 */
export function formatRequest(seq: number, command: HelperCommand, args: readonly string[]): string {
  let word: string = command;
  let rest = args;
  if (command === 'SASL') {
    const method = args[0] ?? '';
    if (!isSaslMethod(method)) throw new UnsendableError(`SASL(${method.slice(0, 20)}) is not a method the helper is asked about`);
    word = `SASL(${method})`;
    rest = args.slice(1);
  }
  const line = [String(seq), word, ...rest.map(encodeArg)].join(' ');
  if (Buffer.byteLength(line) > MAX_LINE_BYTES) throw new UnsendableError('request line too long');
  return line;
}

export type HelperLine =
  | { kind: 'info'; text: string }
  | { kind: 'reply'; seq: number; word: ReplyWord; text: string }
  | { kind: 'bad' };

export function parseHelperLine(line: string): HelperLine {
  if (line.startsWith('*')) return { kind: 'info', text: line.slice(1).trim() };
  const m = /^(\d{1,15}) ([A-Za-z]+)(?: (.*))?$/.exec(line);
  if (!m) return { kind: 'bad' };
  const word = m[2]!.toUpperCase();
  if (!(REPLY_WORDS as readonly string[]).includes(word)) return { kind: 'bad' };
  return { kind: 'reply', seq: Number(m[1]), word: word as ReplyWord, text: m[3] ?? '' };
}
