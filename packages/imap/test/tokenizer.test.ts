import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import {
  CommandParser,
  ImapParseError,
  trailingLiteral,
  type ImapCommand,
  type ImapValue,
  type ParseProgress,
} from '../src/codec/index.js';

function parse(line: string): ImapCommand {
  const p = new CommandParser().feedLine(Buffer.from(line, 'latin1'));
  if (p.kind !== 'complete') throw new Error('expected a complete command');
  return p.command;
}

function plain(v: ImapValue): unknown {
  switch (v.type) {
    case 'atom':
      return v.value;
    case 'string':
      return { s: v.value.toString('utf8'), literal: v.literal };
    case 'nil':
      return null;
    case 'list':
      return v.items.map(plain);
  }
}

function parseError(line: string | Buffer): ImapParseError {
  try {
    new CommandParser().feedLine(typeof line === 'string' ? Buffer.from(line, 'latin1') : line);
  } catch (err) {
    if (err instanceof ImapParseError) return err;
    throw err;
  }
  throw new Error(`no error for ${String(line)}`);
}

describe('tokenizer: tag, command, atoms', () => {
  it('reads tag, upper-cased command and no arguments', () => {
    expect(parse('a1 capability')).toEqual({ tag: 'a1', name: 'CAPABILITY', args: [] });
  });

  it('reads atoms, quoted strings, NIL and nested lists', () => {
    const cmd = parse('x ID ("name" "Thunder \\"bird\\"" "os" NIL) (a (b c) ())');
    expect(cmd.args.map(plain)).toEqual([
      [{ s: 'name', literal: false }, { s: 'Thunder "bird"', literal: false }, { s: 'os', literal: false }, null],
      ['a', ['b', 'c'], []],
    ]);
  });

  it('handles backslash escapes and empty quoted strings', () => {
    const cmd = parse('t LOGIN "a\\\\b" ""');
    expect(cmd.args.map(plain)).toEqual([
      { s: 'a\\b', literal: false },
      { s: '', literal: false },
    ]);
  });

  it('keeps list wildcards and flags inside atoms', () => {
    expect(parse('t LIST "" INBOX/*%').args.map(plain)).toEqual([{ s: '', literal: false }, 'INBOX/*%']);
    expect(parse('t STORE 1:* +FLAGS (\\Seen)').args.map(plain)).toEqual(['1:*', '+FLAGS', ['\\Seen']]);
  });

  it('keeps a bracketed section with spaces inside one atom', () => {
    expect(parse('t FETCH 1 (BODY[HEADER.FIELDS (From To)])').args.map(plain)).toEqual([
      '1',
      ['BODY[HEADER.FIELDS (From To)]'],
    ]);
  });

  it('reads UTF-8 inside quoted strings', () => {
    const cmd = new CommandParser().feedLine(Buffer.from('t LOGIN "jürgen" "pässword"', 'utf8'));
    expect(cmd.kind === 'complete' && cmd.command.args.map(plain)).toEqual([
      { s: 'jürgen', literal: false },
      { s: 'pässword', literal: false },
    ]);
  });

  it.each([
    ['', 'empty command line'],
    ['tag', 'missing command name'],
    ['+tag NOOP', 'missing command tag'],
    ['t NO@OP', 'invalid command name'],
    ['t LOGIN "unterminated', 'unterminated quoted string'],
    ['t LOGIN "bad \\escape"', 'invalid escape in quoted string'],
    ['t LIST (a b', 'unterminated list'],
    ['t LIST a)', 'unexpected ")"'],
    ['t LOGIN  a b', 'unexpected extra space'],
    ['t LOGIN "a""b"', 'expected a space between arguments'],
    ['t FETCH BODY[HEADER', 'unterminated "[" in atom'],
    ['t LOGIN {3}x', 'invalid literal'],
    ['t LOGIN {abc}', 'invalid literal'],
    ['t LOGIN {99999999999}', 'invalid literal'],
  ])('rejects %j', (line, message) => {
    const err = parseError(line);
    expect(err.message).toContain(message);
  });

  it('reports the tag with an error once it was read', () => {
    expect(parseError('abc LOGIN "x').tag).toBe('abc');
    expect(parseError('(bad').tag).toBeUndefined();
  });

  it('rejects NUL bytes anywhere', () => {
    expect(parseError(Buffer.from('t LOGIN a\0b c')).message).toContain('NUL');
    expect(parseError(Buffer.from('t NOOP \0')).message).toContain('NUL');
    expect(() => parse('t LOGIN "a\0b" c')).toThrow(ImapParseError);
  });

  it('refuses absurd nesting', () => {
    expect(parseError(`t X ${'('.repeat(100)}`).message).toContain('nested too deeply');
  });
});

describe('tokenizer: literals (RFC 3501, RFC 7888)', () => {
  it('asks for a synchronising literal and resumes after it', () => {
    const p = new CommandParser();
    const first = p.feedLine(Buffer.from('a LOGIN {5}'));
    expect(first).toEqual({ kind: 'literal', tag: 'a', name: 'LOGIN', size: 5, synchronising: true });
    p.feedLiteral(Buffer.from('alice'));
    const second = p.feedLine(Buffer.from(' {6+}'));
    expect(second).toMatchObject({ kind: 'literal', size: 6, synchronising: false });
    p.feedLiteral(Buffer.from('se"c\r\n'));
    const done = p.feedLine(Buffer.alloc(0));
    expect(done.kind).toBe('complete');
    const cmd = (done as Extract<ParseProgress, { kind: 'complete' }>).command;
    expect(cmd.args.map(plain)).toEqual([
      { s: 'alice', literal: true },
      { s: 'se"c\r\n', literal: true },
    ]);
  });

  it('accepts a literal inside a list and a zero-length literal', () => {
    const p = new CommandParser();
    expect(p.feedLine(Buffer.from('a ID ("x" {0}'))).toMatchObject({ kind: 'literal', size: 0 });
    p.feedLiteral(Buffer.alloc(0));
    const done = p.feedLine(Buffer.from(')'));
    expect(done.kind === 'complete' && done.command.args.map(plain)).toEqual([
      [{ s: 'x', literal: false }, { s: '', literal: true }],
    ]);
  });

  it('needs a space after a literal before the next argument', () => {
    const p = new CommandParser();
    p.feedLine(Buffer.from('a LOGIN {1}'));
    p.feedLiteral(Buffer.from('x'));
    expect(() => p.feedLine(Buffer.from('y'))).toThrow(/space/);
  });

  it('refuses a literal of the wrong size and misuse of the API', () => {
    const p = new CommandParser();
    p.feedLine(Buffer.from('a LOGIN {2}'));
    expect(() => p.feedLiteral(Buffer.from('x'))).toThrow(/size/);
    expect(() => p.feedLine(Buffer.from('x'))).toThrow(/literal bytes expected/);
    expect(() => new CommandParser().feedLiteral(Buffer.from('x'))).toThrow(/no literal/);
  });

  it('trailingLiteral finds the announcement at the end of a line only', () => {
    expect(trailingLiteral(Buffer.from('a LOGIN {12}'))).toEqual({ size: 12, synchronising: true });
    expect(trailingLiteral(Buffer.from('a LOGIN x {4096+}'))).toEqual({ size: 4096, synchronising: false });
    expect(trailingLiteral(Buffer.from('a LOGIN {12} x'))).toBeNull();
    expect(trailingLiteral(Buffer.from('a LOGIN {}'))).toBeNull();
    expect(trailingLiteral(Buffer.from('a LOGIN {1a}'))).toBeNull();
    expect(trailingLiteral(Buffer.from('{'))).toBeNull();
  });
});

describe('tokenizer: fuzz', () => {
  const alphabet = Buffer.from('aZ09 (){}"\\+*%[]\0\r\n\x7f\xff{1}{0+}NIL');

  function randomLine(): Buffer {
    const len = Math.floor(Math.random() * 60);
    const raw = randomBytes(len);
    // half the time draw from IMAP's special characters to reach deeper paths
    if (Math.random() < 0.5) for (let i = 0; i < len; i++) raw[i] = alphabet[raw[i]! % alphabet.length]!;
    return raw;
  }

  it('never throws anything but ImapParseError on random input', () => {
    for (let round = 0; round < 5000; round++) {
      const p = new CommandParser();
      try {
        let progress = p.feedLine(Buffer.concat([Buffer.from('t X '), randomLine()]));
        let guard = 0;
        while (progress.kind === 'literal' && progress.size <= 1000 && guard++ < 5) {
          p.feedLiteral(randomBytes(progress.size));
          progress = p.feedLine(randomLine());
        }
      } catch (err) {
        if (!(err instanceof ImapParseError)) throw err;
      }
      try {
        new CommandParser().feedLine(randomLine());
      } catch (err) {
        if (!(err instanceof ImapParseError)) throw err;
      }
    }
  });
});
