/**
 * IMAP command-line tokenizer (RFC 3501 / RFC 9051 section 9, RFC 7888 literals). Pure: it never
 * touches a socket. A command arrives as one or more lines with literals between them; the parser
 * is fed line by line and says when it needs a literal, so the caller decides (size limits, the
 * `+` continuation for a synchronising literal) before any literal byte is read.
 */

export type ImapValue =
  | { type: 'atom'; value: string }
  /** quoted string or literal; bytes as sent (IMAP4rev2 allows UTF-8) */
  | { type: 'string'; value: Buffer; literal: boolean }
  | { type: 'nil' }
  | { type: 'list'; items: ImapValue[] };

export interface ImapCommand {
  tag: string;
  /** command name, upper case */
  name: string;
  args: ImapValue[];
}

export interface LiteralRequest {
  /** octets the client will send */
  size: number;
  /** `{n}`: the client waits for `+`; `{n+}` (LITERAL+/LITERAL-) does not */
  synchronising: boolean;
}

export type ParseProgress =
  | { kind: 'complete'; command: ImapCommand }
  | ({ kind: 'literal'; tag: string; name: string } & LiteralRequest);

/** Bad syntax. `tag` is set when the tag was read, so the reply can be tagged. */
export class ImapParseError extends Error {
  constructor(
    message: string,
    readonly tag?: string,
  ) {
    super(message);
    this.name = 'ImapParseError';
  }
}

/** RFC 3501 "number" is 32-bit; anything longer cannot be a valid literal size. */
const MAX_LITERAL_DIGITS = 10;
const MAX_NUMBER = 0xffffffff;
/** Nesting guard: a line of `((((((...` must not recurse or grow without bound. */
const MAX_DEPTH = 16;

const SP = 0x20;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;
const LPAREN = 0x28;
const RPAREN = 0x29;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const PLUS = 0x2b;

function isCtl(b: number): boolean {
  return b < 0x20 || b === 0x7f;
}

/** Bytes that end an atom (atom-specials minus the list wildcards and `]`, which we allow). */
function endsAtom(b: number): boolean {
  return b === SP || b === LPAREN || b === RPAREN || b === LBRACE || b === DQUOTE || isCtl(b) || b >= 0x80;
}

/** tag = 1*<any ASTRING-CHAR except "+"> */
function isTagChar(b: number): boolean {
  return !endsAtom(b) && b !== PLUS && b !== 0x25 /* % */ && b !== 0x2a /* * */ && b !== BACKSLASH;
}

/** `{n}` or `{n+}` starting at `open` and ending exactly at the end of `line`, else null. */
function literalSpecAt(line: Buffer, open: number): LiteralRequest | null {
  if (line[open] !== LBRACE || line[line.length - 1] !== RBRACE) return null;
  let end = line.length - 1;
  const synchronising = line[end - 1] !== PLUS;
  if (!synchronising) end -= 1;
  const digitsStart = open + 1;
  if (end <= digitsStart || end - digitsStart > MAX_LITERAL_DIGITS) return null;
  for (let i = digitsStart; i < end; i++) {
    const d = line[i]!;
    if (d < 0x30 || d > 0x39) return null;
  }
  const size = Number(line.subarray(digitsStart, end).toString('latin1'));
  return size > MAX_NUMBER ? null : { size, synchronising };
}

/**
 * If `line` ends with a literal announcement `{n}` / `{n+}`, its size and kind. Used for recovery:
 * after an error the caller must still swallow a non-synchronising literal the client is sending.
 */
export function trailingLiteral(line: Buffer): LiteralRequest | null {
  const open = line.lastIndexOf(LBRACE);
  return open < 0 ? null : literalSpecAt(line, open);
}

interface Frame {
  items: ImapValue[];
}

/**
 * Incremental parser for one command. Feed the first line, then for every `literal` answer feed
 * exactly `size` bytes with feedLiteral() and then the next line, until `complete`.
 */
export class CommandParser {
  private tagValue: string | undefined;
  private nameValue: string | undefined;
  /** stack[0] holds the command's arguments; deeper frames are open parenthesised lists */
  private readonly stack: Frame[] = [{ items: [] }];
  private awaitingLiteral: LiteralRequest | null = null;
  /** right after a literal, the next token may follow without a space only if it is `)` or EOL */
  private afterLiteral = false;
  private lines = 0;

  get tag(): string | undefined {
    return this.tagValue;
  }

  get name(): string | undefined {
    return this.nameValue;
  }

  feedLine(line: Buffer): ParseProgress {
    if (this.awaitingLiteral) throw new Error('CommandParser: literal bytes expected, not a line');
    let pos = 0;
    if (this.lines++ === 0) pos = this.readTagAndName(line);
    return this.readArguments(line, pos);
  }

  feedLiteral(data: Buffer): void {
    const want = this.awaitingLiteral;
    if (!want) throw new Error('CommandParser: no literal was announced');
    if (data.length !== want.size) throw new Error('CommandParser: literal size mismatch');
    this.awaitingLiteral = null;
    this.top().items.push({ type: 'string', value: data, literal: true });
    this.afterLiteral = true;
  }

  private fail(message: string): never {
    throw new ImapParseError(message, this.tagValue);
  }

  private top(): Frame {
    return this.stack[this.stack.length - 1]!;
  }

  private readTagAndName(line: Buffer): number {
    if (line.length === 0) this.fail('empty command line');
    let pos = 0;
    while (pos < line.length && isTagChar(line[pos]!)) pos++;
    if (pos === 0) this.fail('missing command tag');
    if (pos < line.length && line[pos] !== SP) this.fail('invalid character in tag');
    this.tagValue = line.subarray(0, pos).toString('latin1');
    if (pos >= line.length) this.fail('missing command name');
    pos++; // SP
    const start = pos;
    while (pos < line.length) {
      const b = line[pos]!;
      // command names are plain letters (and digits for e.g. IMAP4 extensions); stop at SP
      if (b === SP) break;
      if (!((b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x2d)) {
        this.fail('invalid command name');
      }
      pos++;
    }
    if (pos === start) this.fail('missing command name');
    this.nameValue = line.subarray(start, pos).toString('latin1').toUpperCase();
    return pos;
  }

  private readArguments(line: Buffer, startPos: number): ParseProgress {
    let pos = startPos;
    let needSpace = this.lines === 1 ? true : this.afterLiteral;
    this.afterLiteral = false;
    while (pos < line.length) {
      const b = line[pos]!;
      if (b === 0) this.fail('NUL byte in command');
      if (b === RPAREN) {
        if (this.stack.length === 1) this.fail('unexpected ")"');
        const frame = this.stack.pop()!;
        this.top().items.push({ type: 'list', items: frame.items });
        pos++;
        needSpace = true;
        continue;
      }
      if (needSpace) {
        if (b !== SP) this.fail('expected a space between arguments');
        pos++;
        needSpace = false;
        continue;
      }
      if (b === SP) this.fail('unexpected extra space');
      if (b === LPAREN) {
        if (this.stack.length > MAX_DEPTH) this.fail('lists nested too deeply');
        this.stack.push({ items: [] });
        pos++;
        continue;
      }
      if (b === DQUOTE) {
        pos = this.readQuoted(line, pos);
        needSpace = true;
        continue;
      }
      if (b === LBRACE) {
        const request = this.readLiteralSpec(line, pos);
        this.awaitingLiteral = request;
        return { kind: 'literal', tag: this.tagValue!, name: this.nameValue!, ...request };
      }
      pos = this.readAtom(line, pos);
      needSpace = true;
    }
    if (this.stack.length > 1) this.fail('unterminated list');
    return {
      kind: 'complete',
      command: { tag: this.tagValue!, name: this.nameValue!, args: this.stack[0]!.items },
    };
  }

  private readQuoted(line: Buffer, open: number): number {
    const out: number[] = [];
    let pos = open + 1;
    while (pos < line.length) {
      const b = line[pos]!;
      if (b === DQUOTE) {
        this.top().items.push({ type: 'string', value: Buffer.from(out), literal: false });
        return pos + 1;
      }
      if (b === BACKSLASH) {
        const next = line[pos + 1];
        if (next !== DQUOTE && next !== BACKSLASH) this.fail('invalid escape in quoted string');
        out.push(next);
        pos += 2;
        continue;
      }
      if (b === 0 || b === 0x0d || b === 0x0a) this.fail('invalid character in quoted string');
      out.push(b);
      pos++;
    }
    this.fail('unterminated quoted string');
  }

  private readLiteralSpec(line: Buffer, open: number): LiteralRequest {
    const request = literalSpecAt(line, open);
    if (!request) this.fail('invalid literal: it must be {n} or {n+} at the end of the line');
    return request;
  }

  private readAtom(line: Buffer, start: number): number {
    let pos = start;
    let bracket = false;
    while (pos < line.length) {
      const b = line[pos]!;
      if (b === 0) this.fail('NUL byte in command');
      if (bracket) {
        // BODY[HEADER.FIELDS (A B)]: inside brackets spaces and parentheses belong to the atom
        if (b === RBRACKET) bracket = false;
        else if (isCtl(b) || b >= 0x80 || b === DQUOTE || b === LBRACE) this.fail('invalid character in atom');
        pos++;
        continue;
      }
      if (endsAtom(b)) break;
      if (b === LBRACKET) bracket = true;
      pos++;
    }
    if (bracket) this.fail('unterminated "[" in atom');
    if (pos === start) this.fail('invalid character in command');
    const text = line.subarray(start, pos).toString('latin1');
    this.top().items.push(text.toUpperCase() === 'NIL' ? { type: 'nil' } : { type: 'atom', value: text });
    return pos;
  }
}
