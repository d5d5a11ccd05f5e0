import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseCommandLine, splitWords } from '../src/command-line.js';

const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('parseCommandLine', () => {
  it('upper-cases the keyword and keeps the rest untouched', () => {
    expect(parseCommandLine(bytes('pass  my secret '))).toEqual({ ok: true, keyword: 'PASS', rest: ' my secret ' });
    expect(parseCommandLine(bytes('QUIT'))).toEqual({ ok: true, keyword: 'QUIT', rest: undefined });
    expect(parseCommandLine(bytes('NOOP '))).toEqual({ ok: true, keyword: 'NOOP', rest: '' });
  });

  it('refuses empty lines, NUL bytes, bad UTF-8 and odd keywords', () => {
    expect(parseCommandLine(bytes(''))).toEqual({ ok: false, reason: 'empty' });
    expect(parseCommandLine(bytes('PASS a\0b'))).toEqual({ ok: false, reason: 'nul' });
    expect(parseCommandLine(Buffer.from([0x50, 0x41, 0x53, 0x53, 0x20, 0xff]))).toEqual({ ok: false, reason: 'encoding' });
    expect(parseCommandLine(bytes('<html>'))).toEqual({ ok: false, reason: 'keyword' });
    expect(parseCommandLine(bytes(' USER x'))).toEqual({ ok: false, reason: 'keyword' });
  });

  it('takes a protocol keyword pattern', () => {
    expect(parseCommandLine(bytes('AB x'), /^[A-Z]{3,4}$/)).toEqual({ ok: false, reason: 'keyword' });
    expect(parseCommandLine(bytes('ABC x'), /^[A-Z]{3,4}$/).ok).toBe(true);
  });

  it('never throws on random bytes', () => {
    for (let i = 0; i < 5000; i++) {
      const r = parseCommandLine(randomBytes(i % 64));
      expect(typeof r.ok).toBe('boolean');
    }
  });
});

describe('splitWords', () => {
  it('splits on spaces without empty words', () => {
    expect(splitWords(' a  b ')).toEqual(['a', 'b']);
    expect(splitWords(undefined)).toEqual([]);
  });
});
