/**
 * The BER layer: asn1js parses and serializes the TLVs; these helpers read the parsed tree with
 * LDAP's restrictions (RFC 4511 section 5.1: definite lengths, primitive strings) and build the
 * elements the encoder needs. Everything wrong in the input becomes a BerError, never anything else.
 */
import * as asn1js from 'asn1js';

export class BerError extends Error {}

/** asn1js tag classes */
export const TagClass = { universal: 1, application: 2, context: 3, private: 4 } as const;

const UNIVERSAL = { boolean: 1, integer: 2, octetString: 4, null: 5, enumerated: 10, sequence: 16, set: 17 } as const;

/** Limits for untrusted input: LDAP messages nest a handful of levels except filters. */
const PARSE_LIMITS = { maxDepth: 64, maxNodes: 20_000 } as const;

export type Element = asn1js.AsnType;

/** Exactly one element filling all of `bytes`. */
export function parseElement(bytes: Uint8Array): Element {
  let parsed: ReturnType<typeof asn1js.fromBER>;
  try {
    parsed = asn1js.fromBER(bytes, PARSE_LIMITS);
  } catch (e) {
    // asn1js throws on some limits; a deep recursion surfaces as RangeError
    throw new BerError(`BER parse failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (parsed.offset === -1 || parsed.result.error) {
    throw new BerError(`BER parse failed: ${parsed.result.error || 'malformed'}`);
  }
  if (parsed.offset !== bytes.length) throw new BerError('trailing bytes after the message');
  return parsed.result;
}

function describe(el: Element): string {
  return `[class ${el.idBlock.tagClass} tag ${el.idBlock.tagNumber}${el.idBlock.isConstructed ? ' constructed' : ''}]`;
}

export function hasTag(el: Element, tagClass: number, tagNumber: number): boolean {
  return el.idBlock.tagClass === tagClass && el.idBlock.tagNumber === tagNumber;
}

function expectTag(el: Element | undefined, tagClass: number, tagNumber: number, what: string): Element {
  if (!el) throw new BerError(`${what} is missing`);
  if (!hasTag(el, tagClass, tagNumber)) throw new BerError(`${what}: unexpected element ${describe(el)}`);
  if (el.lenBlock.isIndefiniteForm) throw new BerError(`${what}: indefinite length is not allowed`);
  return el;
}

/** the children of a constructed element with this tag */
export function constructed(el: Element | undefined, tagClass: number, tagNumber: number, what: string): Element[] {
  const e = expectTag(el, tagClass, tagNumber, what);
  if (!e.idBlock.isConstructed) throw new BerError(`${what} must be constructed`);
  const value = (e.valueBlock as { value?: unknown }).value;
  if (!Array.isArray(value)) throw new BerError(`${what} has no contents`);
  return value as Element[];
}

/** the contents octets of a primitive element with this tag */
export function primitive(el: Element | undefined, tagClass: number, tagNumber: number, what: string): Buffer {
  const e = expectTag(el, tagClass, tagNumber, what);
  if (e.idBlock.isConstructed) throw new BerError(`${what} must be primitive`);
  const view = (e.valueBlock as { valueHexView?: Uint8Array }).valueHexView;
  if (!(view instanceof Uint8Array)) throw new BerError(`${what} has no contents`);
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

export function sequence(el: Element | undefined, what: string): Element[] {
  return constructed(el, TagClass.universal, UNIVERSAL.sequence, what);
}

export function set(el: Element | undefined, what: string): Element[] {
  return constructed(el, TagClass.universal, UNIVERSAL.set, what);
}

export function octets(el: Element | undefined, what: string): Buffer {
  return primitive(el, TagClass.universal, UNIVERSAL.octetString, what);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** LDAPString: UTF-8, refused when invalid */
export function utf8String(bytes: Buffer, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new BerError(`${what} is not valid UTF-8`);
  }
}

export function string(el: Element | undefined, what: string): string {
  return utf8String(octets(el, what), what);
}

/** a two's complement INTEGER/ENUMERATED within [min, max] */
export function integerFrom(bytes: Buffer, min: number, max: number, what: string): number {
  if (bytes.length === 0) throw new BerError(`${what}: empty integer`);
  // more than 6 bytes cannot be a safe integer; every LDAP integer fits in 4
  if (bytes.length > 6) throw new BerError(`${what}: integer out of range`);
  const value = bytes.readIntBE(0, bytes.length);
  if (value < min || value > max) throw new BerError(`${what}: ${value} out of range`);
  return value;
}

export function integer(el: Element | undefined, min: number, max: number, what: string): number {
  return integerFrom(primitive(el, TagClass.universal, UNIVERSAL.integer, what), min, max, what);
}

export function enumerated(el: Element | undefined, min: number, max: number, what: string): number {
  return integerFrom(primitive(el, TagClass.universal, UNIVERSAL.enumerated, what), min, max, what);
}

export function boolean(el: Element | undefined, what: string): boolean {
  const bytes = primitive(el, TagClass.universal, UNIVERSAL.boolean, what);
  if (bytes.length !== 1) throw new BerError(`${what}: bad BOOLEAN`);
  return bytes[0] !== 0;
}

// --- building ------------------------------------------------------------------------------------

export function encodeElement(el: Element): Buffer {
  return Buffer.from(el.toBER(false));
}

export const build = {
  sequence: (value: Element[]): Element => new asn1js.Sequence({ value }),
  set: (value: Element[]): Element => new asn1js.Set({ value }),
  octets: (value: Buffer | string): Element =>
    new asn1js.OctetString({ valueHex: typeof value === 'string' ? Buffer.from(value, 'utf8') : value }),
  integer: (value: number): Element => new asn1js.Integer({ value }),
  enumerated: (value: number): Element => new asn1js.Enumerated({ value }),
  boolean: (value: boolean): Element => new asn1js.Boolean({ value }),
  null: (): Element => new asn1js.Null(),
  /** an IMPLICIT tagged constructed element */
  constructed: (tagClass: number, tagNumber: number, value: Element[]): Element =>
    new asn1js.Constructed({ idBlock: { tagClass, tagNumber }, value }),
  /** an IMPLICIT tagged primitive element */
  primitive: (tagClass: number, tagNumber: number, value: Buffer | string): Element =>
    new asn1js.Primitive({
      idBlock: { tagClass, tagNumber },
      valueHex: typeof value === 'string' ? Buffer.from(value, 'utf8') : value,
    }),
  /** INTEGER contents, minimal two's complement, for an IMPLICIT tagged integer */
  integerContents: (value: number): Buffer => Buffer.from(new asn1js.Integer({ value }).valueBlock.valueHexView),
};

export { UNIVERSAL };
