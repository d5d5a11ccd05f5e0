import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  cleanText,
  continuation,
  dotStuffBody,
  err,
  multiLine,
  ok,
  parseCommand,
  parseMessageNumber,
  parseNonNegative,
  stuffLine,
  unstuffLine,
} from '../src/codec/index.js';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('parseCommand', () => {
  it('upper-cases the keyword and splits arguments on spaces', () => {
    expect(parseCommand(b('user alice'))).toEqual({ ok: true, name: 'USER', args: ['alice'], rest: 'alice' });
    expect(parseCommand(b('ApOp alice 0123'))).toMatchObject({ name: 'APOP', args: ['alice', '0123'] });
    expect(parseCommand(b('TOP  1   10'))).toMatchObject({ name: 'TOP', args: ['1', '10'] });
  });

  it('keeps the rest of the line verbatim for PASS', () => {
    expect(parseCommand(b('PASS  my secret  '))).toMatchObject({ name: 'PASS', rest: ' my secret  ' });
    expect(parseCommand(b('PASS'))).toMatchObject({ name: 'PASS', rest: undefined, args: [] });
    expect(parseCommand(b('PASS '))).toMatchObject({ rest: '', args: [] });
  });

  it('rejects empty lines, NUL bytes, invalid UTF-8 and odd keywords', () => {
    expect(parseCommand(b(''))).toEqual({ ok: false, reason: 'empty' });
    expect(parseCommand(b('USER a\0b'))).toEqual({ ok: false, reason: 'nul' });
    expect(parseCommand(Buffer.from([0x50, 0x41, 0x53, 0x53, 0x20, 0xff, 0xfe]))).toEqual({
      ok: false,
      reason: 'encoding',
    });
    expect(parseCommand(b(' USER alice'))).toEqual({ ok: false, reason: 'keyword' });
    expect(parseCommand(b('US=R alice'))).toEqual({ ok: false, reason: 'keyword' });
    expect(parseCommand(b('X'.repeat(40)))).toEqual({ ok: false, reason: 'keyword' });
  });

  it('accepts UTF-8 arguments', () => {
    expect(parseCommand(b('PASS pässwörd'))).toMatchObject({ rest: 'pässwörd' });
  });
});

describe('message numbers', () => {
  it('accepts positive decimals only', () => {
    expect(parseMessageNumber('1')).toBe(1);
    expect(parseMessageNumber('0')).toBeUndefined();
    expect(parseMessageNumber('-1')).toBeUndefined();
    expect(parseMessageNumber('1x')).toBeUndefined();
    expect(parseMessageNumber('12345678901')).toBeUndefined();
    expect(parseMessageNumber(undefined)).toBeUndefined();
    expect(parseNonNegative('0')).toBe(0);
    expect(parseNonNegative('a')).toBeUndefined();
  });
});

describe('responses', () => {
  it('builds status lines with response codes', () => {
    expect(ok()).toBe('+OK\r\n');
    expect(ok('0 0')).toBe('+OK 0 0\r\n');
    expect(err('bad password', 'AUTH')).toBe('-ERR [AUTH] bad password\r\n');
    expect(err('try later', 'SYS/TEMP')).toBe('-ERR [SYS/TEMP] try later\r\n');
    expect(err('no such message')).toBe('-ERR no such message\r\n');
  });

  it('cannot be made to inject a second response line', () => {
    expect(err('a\r\n+OK evil')).toBe('-ERR a  +OK evil\r\n');
    expect(ok('x\ny')).toBe('+OK x y\r\n');
    expect(cleanText('\0\u007f')).toBe('  ');
  });

  it('encodes continuations, empty ones included', () => {
    expect(continuation('VXNlcm5hbWU6')).toBe('+ VXNlcm5hbWU6\r\n');
    expect(continuation('')).toBe('+ \r\n');
  });

  it('dot-stuffs multi-line responses and terminates them', () => {
    expect(multiLine('list follows', ['USER', '.hidden', '..'])).toBe(
      '+OK list follows\r\nUSER\r\n..hidden\r\n...\r\n.\r\n',
    );
    expect(multiLine('0 messages', [])).toBe('+OK 0 messages\r\n.\r\n');
    expect(stuffLine('.')).toBe('..');
  });

  it('dot-stuffs whole bodies, normalising line ends', () => {
    expect(dotStuffBody(b('a\n.b\r\n.\nc')).toString()).toBe('a\r\n..b\r\n..\r\nc\r\n.\r\n');
    expect(dotStuffBody(b('')).toString()).toBe('.\r\n');
  });
});

/** Splits a stuffed block into lines and un-stuffs until the terminator. */
function unstuffBlock(block: Buffer): { lines: Buffer[]; terminated: boolean; trailing: number } {
  const lines: Buffer[] = [];
  let start = 0;
  while (start < block.length) {
    const crlf = block.indexOf('\r\n', start);
    if (crlf < 0) break;
    const line = unstuffLine(block.subarray(start, crlf));
    start = crlf + 2;
    if (line === null) return { lines, terminated: true, trailing: block.length - start };
    lines.push(line);
  }
  return { lines, terminated: false, trailing: block.length - start };
}

describe('fuzz', () => {
  it('parseCommand never throws and keeps its invariants on random bytes', () => {
    for (let i = 0; i < 5000; i++) {
      const bytes = randomBytes(Math.floor(Math.random() * 64));
      if (i % 3 === 0 && bytes.length > 4) bytes.write('USER', 0);
      const parsed = parseCommand(bytes);
      if (parsed.ok) {
        expect(parsed.name).toMatch(/^[A-Z][A-Z0-9-]*$/);
        expect(bytes.includes(0)).toBe(false);
        for (const arg of parsed.args) expect(arg).not.toContain(' ');
      }
    }
  });

  it('dot-stuffing round-trips random bodies and ends exactly at the terminator', () => {
    for (let i = 0; i < 2000; i++) {
      const alphabet = Buffer.from('.\r\nab\0');
      const body = Buffer.from(
        Array.from({ length: Math.floor(Math.random() * 40) }, () => alphabet[Math.floor(Math.random() * alphabet.length)] ?? 0),
      );
      const block = dotStuffBody(body);
      const { lines, terminated, trailing } = unstuffBlock(block);
      expect(terminated).toBe(true);
      expect(trailing).toBe(0);
      const expected = body.toString('latin1').replace(/\r?\n/g, '\r\n');
      const rebuilt = lines.map((l) => `${l.toString('latin1')}\r\n`).join('');
      expect(rebuilt).toBe(expected.length === 0 || expected.endsWith('\r\n') ? expected : `${expected}\r\n`);
    }
  });

  it('response builders never emit a line end inside the text', () => {
    for (let i = 0; i < 2000; i++) {
      const text = randomBytes(Math.floor(Math.random() * 32)).toString('latin1');
      const line = err(text, 'AUTH');
      expect(line.indexOf('\r\n')).toBe(line.length - 2);
      expect(line.slice(0, -2)).not.toMatch(/[\r\n]/);
      const block = multiLine('x', [text, text]);
      expect(unstuffBlock(Buffer.from(block, 'latin1')).trailing).toBe(0);
    }
  });
});
