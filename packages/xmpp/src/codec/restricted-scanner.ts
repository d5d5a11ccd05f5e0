/**
 * A gatekeeper in front of @xmpp/xml's parser. That parser (ltx's SAX loop) skips what it does not
 * understand: a DOCTYPE sends it into a comment state that never ends, an unknown entity makes it
 * throw, an unquoted attribute is silently dropped, and text it has not finished with is kept
 * without bound. So every decoded chunk goes through this scanner first. It enforces the XML
 * subset of RFC 6120 section 11.1 (no DTD, no comments, no processing instructions but the XML
 * declaration, no entity references but the five predefined ones and character references), the
 * basic well-formedness the parser does not check (name syntax, quoted attributes, unique
 * attribute names, matching end tags, legal characters) and the size limits (per stanza, nesting
 * depth, attributes per element). Only input it has accepted reaches the parser.
 */

export type ScanCondition = 'restricted-xml' | 'not-well-formed' | 'policy-violation';

export interface ScanError {
  condition: ScanCondition;
  /** for the stream error's <text>; never contains client data */
  text: string;
}

export interface ScanResult {
  /**
   * What the parser may see of the chunk: the accepted part, without the XML declaration (ltx
   * cannot find the end of a declaration split across chunks) and with a final '<' held back until
   * the next chunk shows what it starts.
   */
  forward: string;
  error?: ScanError;
  /** the stream's root element was closed within the accepted part */
  closed: boolean;
}

export interface ScanLimits {
  /** UTF-16 units from the start of one stanza to its end (whitespace before it counts too) */
  maxStanzaChars: number;
  /** element nesting, the stream element included */
  maxDepth: number;
  maxAttributes: number;
  /** element and attribute names */
  maxNameLength: number;
}

export const DEFAULT_SCAN_LIMITS: ScanLimits = {
  maxStanzaChars: 65536,
  maxDepth: 32,
  maxAttributes: 64,
  maxNameLength: 256,
};

const enum S {
  Text,
  Lt,
  Bang,
  Cdata,
  Decl,
  StartName,
  InTag,
  AttrName,
  AttrEq,
  AttrQuote,
  AttrValue,
  AfterAttr,
  SelfClose,
  EndName,
  EndSpace,
  Ref,
}

const PREDEFINED_ENTITIES = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);
const MAX_REF = 12;
const MAX_DECL = 256;
const CDATA_OPEN = '[CDATA[';

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a || c >= 0xc0;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0xb7;
}

/** XML 1.0 Char, per UTF-16 unit (surrogates come in valid pairs from the strict UTF-8 decoder) */
function isXmlChar(c: number): boolean {
  if (c >= 0x20) return c !== 0xfffe && c !== 0xffff;
  return c === 0x09 || c === 0x0a || c === 0x0d;
}

function isXmlCodePoint(n: number): boolean {
  return (
    n === 0x9 || n === 0xa || n === 0xd || (n >= 0x20 && n <= 0xd7ff) || (n >= 0xe000 && n <= 0xfffd) || (n >= 0x10000 && n <= 0x10ffff)
  );
}

class ScanFailure extends Error {
  constructor(readonly scan: ScanError) {
    super(scan.text);
  }
}

const fail = (condition: ScanCondition, text: string): never => {
  throw new ScanFailure({ condition, text });
};

export class RestrictedXmlScanner {
  private state = S.Text;
  private depth = 0;
  private readonly stack: string[] = [];
  private name = '';
  private attrName = '';
  private readonly attrNames = new Set<string>();
  private quote = 0;
  private ref = '';
  private refReturn = S.Text;
  private bang = '';
  private brackets = 0;
  private decl = '';
  private seenRoot = false;
  private rootClosed = false;
  private failed: ScanError | undefined;
  /** units since the current stanza (or, before the root, the stream header) began */
  private stanzaChars = 0;
  private readonly limits: ScanLimits;
  /** a '<' not yet forwarded: it may begin the XML declaration */
  private heldLt = false;
  private out: string[] = [];
  private runStart = 0;

  constructor(limits: Partial<ScanLimits> = {}) {
    this.limits = { ...DEFAULT_SCAN_LIMITS, ...limits };
  }

  /** raise or lower the stanza limit (after authentication) */
  set maxStanzaChars(n: number) {
    this.limits.maxStanzaChars = n;
  }

  get closed(): boolean {
    return this.rootClosed;
  }

  scan(chunk: string): ScanResult {
    if (this.failed) return { forward: '', error: this.failed, closed: false };
    if (this.rootClosed) return { forward: '', closed: true };
    this.out = [];
    this.runStart = 0;
    let i = 0;
    try {
      for (; i < chunk.length; i++) {
        this.step(chunk, i);
        if (this.rootClosed) return { forward: this.flush(chunk, i + 1), closed: true };
      }
      return { forward: this.flush(chunk, chunk.length), closed: false };
    } catch (err) {
      if (!(err instanceof ScanFailure)) throw err;
      this.failed = err.scan;
      return { forward: this.flush(chunk, i), error: err.scan, closed: false };
    }
  }

  private flush(chunk: string, end: number): string {
    if (this.state !== S.Decl && this.runStart < end) this.out.push(chunk.slice(this.runStart, end));
    return this.out.join('');
  }

  private step(chunk: string, i: number): void {
    const c = chunk.charCodeAt(i);
    if (c === 0x3c && this.state === S.Text) {
      // hold the '<' back until its next character is known
      if (this.runStart < i) this.out.push(chunk.slice(this.runStart, i));
      this.runStart = i + 1;
      this.heldLt = true;
    } else if (this.state === S.Lt && this.heldLt) {
      this.heldLt = false;
      if (c !== 0x3f) this.out.push('<');
    }
    if (this.state === S.Decl || (this.state === S.Lt && c === 0x3f)) this.runStart = i + 1;
    this.check(c);
  }

  private check(c: number): void {
    if (!isXmlChar(c)) fail('not-well-formed', 'character not allowed in XML');
    if (++this.stanzaChars > this.limits.maxStanzaChars) fail('policy-violation', 'stanza too large');
    switch (this.state) {
      case S.Text:
        return this.text(c);
      case S.Lt:
        return this.lt(c);
      case S.Bang:
        return this.bangChar(c);
      case S.Cdata:
        if (c === 0x5d) this.brackets++;
        else if (c === 0x3e && this.brackets >= 2) this.state = S.Text;
        else this.brackets = 0;
        return;
      case S.Decl:
        return this.declChar(c);
      case S.StartName:
        if (isNameChar(c)) return this.addName(c);
        if (isSpace(c)) this.state = S.InTag;
        else if (c === 0x2f) this.state = S.SelfClose;
        else if (c === 0x3e) this.openTag(false);
        else fail('not-well-formed', 'bad element name');
        return;
      case S.InTag:
        if (isSpace(c)) return;
        if (c === 0x2f) this.state = S.SelfClose;
        else if (c === 0x3e) this.openTag(false);
        else if (isNameStart(c)) {
          this.attrName = String.fromCharCode(c);
          this.state = S.AttrName;
        } else fail('not-well-formed', 'bad attribute');
        return;
      case S.AttrName:
        if (isNameChar(c)) {
          if (this.attrName.length >= this.limits.maxNameLength) fail('policy-violation', 'name too long');
          this.attrName += String.fromCharCode(c);
          return;
        }
        this.endAttrName();
        if (isSpace(c)) this.state = S.AttrEq;
        else if (c === 0x3d) this.state = S.AttrQuote;
        else fail('not-well-formed', 'attribute without a value');
        return;
      case S.AttrEq:
        if (isSpace(c)) return;
        if (c === 0x3d) this.state = S.AttrQuote;
        else fail('not-well-formed', 'attribute without a value');
        return;
      case S.AttrQuote:
        if (isSpace(c)) return;
        if (c === 0x22 || c === 0x27) {
          this.quote = c;
          this.state = S.AttrValue;
        } else fail('not-well-formed', 'attribute value not quoted');
        return;
      case S.AttrValue:
        if (c === this.quote) this.state = S.AfterAttr;
        else if (c === 0x3c) fail('not-well-formed', "'<' in an attribute value");
        else if (c === 0x26) this.beginRef(S.AttrValue);
        return;
      case S.AfterAttr:
        if (isSpace(c)) this.state = S.InTag;
        else if (c === 0x2f) this.state = S.SelfClose;
        else if (c === 0x3e) this.openTag(false);
        else fail('not-well-formed', 'attributes must be separated by white space');
        return;
      case S.SelfClose:
        if (c === 0x3e) this.openTag(true);
        else fail('not-well-formed', "expected '>' after '/'");
        return;
      case S.EndName:
        if (isNameChar(c)) return this.addName(c);
        if (isSpace(c)) this.state = S.EndSpace;
        else if (c === 0x3e) this.closeTag();
        else fail('not-well-formed', 'bad end tag');
        return;
      case S.EndSpace:
        if (isSpace(c)) return;
        if (c === 0x3e) this.closeTag();
        else fail('not-well-formed', 'bad end tag');
        return;
      case S.Ref:
        return this.refChar(c);
    }
  }

  private text(c: number): void {
    if (c === 0x3c) {
      this.state = S.Lt;
      return;
    }
    // character data belongs inside a stanza: before the stream, or between stanzas, only white space
    if (this.depth < 2 && !isSpace(c)) fail('not-well-formed', 'text outside a stanza');
    if (c === 0x26) this.beginRef(S.Text);
  }

  private lt(c: number): void {
    if (c === 0x21) {
      this.bang = '';
      this.state = S.Bang;
    } else if (c === 0x3f) {
      if (this.seenRoot) fail('restricted-xml', 'processing instructions are not allowed');
      this.decl = '';
      this.state = S.Decl;
    } else if (c === 0x2f) {
      this.name = '';
      this.state = S.EndName;
    } else if (isNameStart(c)) {
      this.name = String.fromCharCode(c);
      this.state = S.StartName;
    } else {
      fail('not-well-formed', "bad character after '<'");
    }
  }

  private bangChar(c: number): void {
    this.bang += String.fromCharCode(c);
    if (!CDATA_OPEN.startsWith(this.bang)) {
      fail('restricted-xml', this.bang.startsWith('-') ? 'comments are not allowed' : 'DTDs and declarations are not allowed');
    }
    if (this.bang === CDATA_OPEN) {
      if (this.depth < 2) fail('not-well-formed', 'CDATA outside a stanza');
      this.brackets = 0;
      this.state = S.Cdata;
    }
  }

  /** only `<?xml ...?>`, once, before the stream element */
  private declChar(c: number): void {
    this.decl += String.fromCharCode(c);
    if (this.decl.length > MAX_DECL) fail('not-well-formed', 'XML declaration too long');
    if (this.decl.length <= 4) {
      const target = 'xml ';
      const want = target.charCodeAt(this.decl.length - 1);
      const ok = this.decl.length === 4 ? isSpace(c) : c === want;
      if (!ok) fail('restricted-xml', 'processing instructions are not allowed');
      return;
    }
    if (c === 0x3e && this.decl.endsWith('?>')) this.state = S.Text;
  }

  private addName(c: number): void {
    if (this.name.length >= this.limits.maxNameLength) fail('policy-violation', 'name too long');
    this.name += String.fromCharCode(c);
  }

  private endAttrName(): void {
    // ltx stores attributes on a plain object
    if (this.attrName === '__proto__') fail('not-well-formed', 'bad attribute name');
    if (this.attrNames.has(this.attrName)) fail('not-well-formed', 'duplicate attribute');
    if (this.attrNames.size >= this.limits.maxAttributes) fail('policy-violation', 'too many attributes');
    this.attrNames.add(this.attrName);
  }

  private beginRef(returnTo: S): void {
    this.ref = '';
    this.refReturn = returnTo;
    this.state = S.Ref;
  }

  private refChar(c: number): void {
    if (c !== 0x3b) {
      this.ref += String.fromCharCode(c);
      if (this.ref.length > MAX_REF) this.badRef();
      return;
    }
    const ref = this.ref;
    if (ref.startsWith('#')) {
      const hex = /^#x([0-9a-fA-F]{1,6})$/.exec(ref);
      const dec = /^#([0-9]{1,7})$/.exec(ref);
      const n = hex ? parseInt(hex[1]!, 16) : dec ? parseInt(dec[1]!, 10) : NaN;
      if (!isXmlCodePoint(n)) fail('not-well-formed', 'bad character reference');
    } else if (!PREDEFINED_ENTITIES.has(ref)) {
      this.badRef();
    }
    this.state = this.refReturn;
  }

  private badRef(): never {
    return /^[A-Za-z_:][A-Za-z0-9_:.-]*$/.test(this.ref)
      ? fail('restricted-xml', 'entity references are not allowed')
      : fail('not-well-formed', "bare '&'");
  }

  private openTag(selfClosing: boolean): void {
    this.attrNames.clear();
    if (this.depth === 0) {
      if (this.seenRoot) fail('not-well-formed', 'a second root element');
      this.seenRoot = true;
    }
    if (selfClosing) {
      if (this.depth === 0) this.rootClosed = true;
      else if (this.depth === 1) this.stanzaChars = 0;
      this.state = S.Text;
      return;
    }
    if (this.depth >= this.limits.maxDepth) fail('policy-violation', 'elements nested too deeply');
    this.stack.push(this.name);
    this.depth++;
    if (this.depth === 1) this.stanzaChars = 0;
    this.state = S.Text;
  }

  private closeTag(): void {
    const open = this.stack.pop();
    if (open === undefined || open !== this.name) fail('not-well-formed', 'end tag does not match');
    this.depth--;
    if (this.depth <= 1) this.stanzaChars = 0;
    if (this.depth === 0) this.rootClosed = true;
    this.state = S.Text;
  }
}
