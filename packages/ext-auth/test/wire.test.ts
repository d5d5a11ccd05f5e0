import { describe, expect, it } from 'vitest';
import { decodeArgs, encodeArg, formatRequest, HELPER_COMMANDS, MAX_LINE_BYTES, parseHelperLine, SASL_METHODS, UnsendableError } from '../src/index.js';
import { HelperLineSplitter } from '../src/line-splitter.js';

describe('argument encoding', () => {
  it('sends plain words as they are and quotes the rest', () => {
    expect(encodeArg('joe@example.test')).toBe('joe@example.test');
    expect(encodeArg('two words')).toBe('"two words"');
    expect(encodeArg('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(encodeArg('')).toBe('""');
    expect(encodeArg('"x')).toBe('"\\"x"');
    expect(encodeArg('pässwörd')).toBe('"pässwörd"');
  });

  it('round-trips through decodeArgs', () => {
    const values = ['joe@example.test', 'two words', 'a"b\\c', '', 'pässwörd', '\\', '"'];
    expect(decodeArgs(values.map(encodeArg).join(' '))).toEqual(values);
    expect(decodeArgs('"unterminated')).toBeNull();
  });

  it('refuses line ends, NUL and over-long lines', () => {
    expect(() => encodeArg('a\nb')).toThrow(UnsendableError);
    expect(() => encodeArg('a\rb')).toThrow(UnsendableError);
    expect(() => encodeArg('a\0b')).toThrow(UnsendableError);
    expect(() => formatRequest(1, 'VRFY', ['u@d', 'x'.repeat(MAX_LINE_BYTES)])).toThrow(UnsendableError);
    expect(formatRequest(12, 'VRFY', ['u@d', 'p w'])).toBe('12 VRFY u@d "p w"');
  });
});

describe('SASL(<method>) requests', () => {
  it('put the method into the command word, then account, challenge and response', () => {
    expect(formatRequest(3, 'SASL', ['CRAM-MD5', 'joe@x.test', '<1.2@x.test>', 'b913a602c7eda7a495b4e6e7334d3890'])).toBe(
      '3 SASL(CRAM-MD5) joe@x.test <1.2@x.test> b913a602c7eda7a495b4e6e7334d3890',
    );
    expect(formatRequest(4, 'SASL', ['APOP', 'joe@x.test', '<a b>', 'ff'])).toBe('4 SASL(APOP) joe@x.test "<a b>" ff');
  });

  it('are refused for methods the helper is not asked about', () => {
    expect(SASL_METHODS).toEqual(['CRAM-MD5', 'APOP']);
    expect(() => formatRequest(5, 'SASL', ['DIGEST-MD5', 'joe@x.test', 'c', 'r'])).toThrow(UnsendableError);
    expect(() => formatRequest(5, 'SASL', ['CRAM-MD5) VRFY', 'joe@x.test', 'c', 'r'])).toThrow(UnsendableError);
    expect(() => formatRequest(5, 'SASL', [])).toThrow(UnsendableError);
  });
});

describe('reply lines', () => {
  it('parses replies, info lines and junk', () => {
    expect(parseHelperLine('5 OK')).toEqual({ kind: 'reply', seq: 5, word: 'OK', text: '' });
    expect(parseHelperLine('6 ERROR no such user')).toEqual({ kind: 'reply', seq: 6, word: 'ERROR', text: 'no such user' });
    expect(parseHelperLine('1 intf 3')).toEqual({ kind: 'reply', seq: 1, word: 'INTF', text: '3' });
    expect(parseHelperLine('* hello')).toEqual({ kind: 'info', text: 'hello' });
    expect(parseHelperLine('OK')).toEqual({ kind: 'bad' });
    expect(parseHelperLine('7 MAYBE')).toEqual({ kind: 'bad' });
    expect(parseHelperLine('x OK')).toEqual({ kind: 'bad' });
  });

  it('documents every command in the table', () => {
    expect(Object.keys(HELPER_COMMANDS).sort()).toEqual(['INTF', 'NEW', 'SASL', 'VRFY']);
  });
});

describe('line splitter', () => {
  it('splits LF and CRLF lines across chunks and drops over-long lines whole', () => {
    const lines: string[] = [];
    let overlong = 0;
    const s = new HelperLineSplitter((l) => lines.push(l), () => overlong++);
    s.push(Buffer.from('1 O'));
    s.push(Buffer.from('K\r\n2 ERR'));
    s.push(Buffer.from('OR x\n'));
    s.push(Buffer.from('3 OK ' + 'y'.repeat(MAX_LINE_BYTES)));
    s.push(Buffer.from('more\n4 OK\n'));
    expect(lines).toEqual(['1 OK', '2 ERROR x', '4 OK']);
    expect(overlong).toBe(1);
  });
});
