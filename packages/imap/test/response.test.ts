import { describe, expect, it } from 'vitest';
import {
  astring,
  continuation,
  imapString,
  nstring,
  safeText,
  tagged,
  untagged,
  untaggedStatus,
} from '../src/codec/index.js';

describe('response builders', () => {
  it('builds tagged replies with and without codes', () => {
    expect(tagged('a1', 'OK', 'done')).toBe('a1 OK done\r\n');
    expect(tagged('a1', 'NO', 'nope', 'AUTHENTICATIONFAILED')).toBe('a1 NO [AUTHENTICATIONFAILED] nope\r\n');
  });

  it('never lets text inject a line or a response code', () => {
    expect(tagged('a', 'NO', 'bad\r\na2 OK forged')).toBe('a NO bad a2 OK forged\r\n');
    expect(untaggedStatus('BYE', '[ALERT] x')).toBe('* BYE ALERT] x\r\n');
    expect(safeText('\r\n')).toBe('completed');
    expect(tagged('a', 'NO', 'x', 'CODE]\r\n')).toBe('a NO [CODE] x\r\n');
  });

  it('builds untagged and continuation lines', () => {
    expect(untagged('0 EXISTS')).toBe('* 0 EXISTS\r\n');
    expect(continuation()).toBe('+ \r\n');
    expect(continuation('AAA=')).toBe('+ AAA=\r\n');
  });

  it('quotes strings and falls back to literals', () => {
    expect(imapString('plain')).toBe('"plain"');
    expect(imapString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(imapString('line\r\nbreak')).toBe('{11}\r\nline\r\nbreak');
    expect(imapString('ü')).toBe('{2}\r\nü');
    expect(nstring(null)).toBe('NIL');
  });

  it('uses a bare atom only where it cannot be misread', () => {
    expect(astring('INBOX')).toBe('INBOX');
    expect(astring('NIL')).toBe('"NIL"');
    expect(astring('with space')).toBe('"with space"');
    expect(astring('')).toBe('""');
    expect(astring('a*')).toBe('"a*"');
  });
});
