import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cleanText, err, ok, parseCommand } from '../src/codec/index.js';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('parseCommand', () => {
  it('upper-cases the keyword and keeps the rest of the line untouched', () => {
    expect(parseCommand(b('newpass  two  spaces '))).toEqual({ ok: true, name: 'NEWPASS', rest: ' two  spaces ', args: ['two', 'spaces'] });
    expect(parseCommand(b('QUIT'))).toEqual({ ok: true, name: 'QUIT', rest: undefined, args: [] });
    expect(parseCommand(b('pass p"a\'s s'))).toMatchObject({ name: 'PASS', rest: 'p"a\'s s' });
  });

  it('refuses empty lines, NUL, invalid UTF-8 and odd keywords', () => {
    expect(parseCommand(b(''))).toEqual({ ok: false, reason: 'empty' });
    expect(parseCommand(b('PASS a\0b'))).toEqual({ ok: false, reason: 'nul' });
    expect(parseCommand(Buffer.from([0x50, 0x41, 0x53, 0x53, 0x20, 0xc3, 0x28]))).toEqual({ ok: false, reason: 'encoding' });
    expect(parseCommand(b('1USER x'))).toEqual({ ok: false, reason: 'keyword' });
    expect(parseCommand(b(' USER x'))).toEqual({ ok: false, reason: 'keyword' });
  });

  it('never throws on random bytes and always answers ok or a known reason', () => {
    for (let i = 0; i < 5000; i++) {
      const r = parseCommand(randomBytes(Math.floor(Math.random() * 40)));
      if (r.ok) expect(r.name).toMatch(/^[A-Z][A-Z0-9-]*$/);
      else expect(['empty', 'nul', 'encoding', 'keyword']).toContain(r.reason);
    }
  });
});

describe('replies', () => {
  it('use the poppassd codes and cannot be split by control characters', () => {
    expect(ok('fine')).toBe('200 fine\r\n');
    expect(err('bad\r\n200 forged')).toBe('500 bad  200 forged\r\n');
    expect(cleanText('a\u0000b\u007f')).toBe('a b ');
  });
});
