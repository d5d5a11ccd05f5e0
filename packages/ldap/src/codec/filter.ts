/**
 * Search filters (RFC 4511 section 4.5.1.7): the BER form both ways, and the RFC 4515 string form
 * for logs and tests.
 */
import {
  BerError,
  TagClass,
  build,
  constructed,
  octets,
  primitive,
  sequence,
  string,
  utf8String,
  type Element,
} from './ber.js';

export type Filter =
  | { type: 'and'; filters: Filter[] }
  | { type: 'or'; filters: Filter[] }
  | { type: 'not'; filter: Filter }
  | { type: 'equality' | 'greaterOrEqual' | 'lessOrEqual' | 'approx'; attribute: string; value: Buffer }
  | { type: 'substrings'; attribute: string; initial?: Buffer; any: Buffer[]; final?: Buffer }
  | { type: 'present'; attribute: string }
  | { type: 'extensible'; matchingRule?: string; attribute?: string; value: Buffer; dnAttributes: boolean };

/** and/or/not nest; a filter deeper than this is refused rather than recursed into */
export const MAX_FILTER_DEPTH = 32;

const TAG = {
  and: 0,
  or: 1,
  not: 2,
  equality: 3,
  substrings: 4,
  greaterOrEqual: 5,
  lessOrEqual: 6,
  present: 7,
  approx: 8,
  extensible: 9,
} as const;

const AVA_TYPES = ['equality', 'greaterOrEqual', 'lessOrEqual', 'approx'] as const;

export function decodeFilter(el: Element | undefined, depth = 0): Filter {
  if (!el) throw new BerError('filter is missing');
  if (depth > MAX_FILTER_DEPTH) throw new BerError('filter nests too deeply');
  if (el.idBlock.tagClass !== TagClass.context) throw new BerError('filter: not a context-specific choice');
  const n = el.idBlock.tagNumber;
  switch (n) {
    case TAG.and:
    case TAG.or: {
      const type = n === TAG.and ? 'and' : 'or';
      const children = constructed(el, TagClass.context, n, `${type} filter`);
      return { type, filters: children.map((c) => decodeFilter(c, depth + 1)) };
    }
    case TAG.not: {
      const children = constructed(el, TagClass.context, n, 'not filter');
      if (children.length !== 1) throw new BerError('not filter must hold one filter');
      return { type: 'not', filter: decodeFilter(children[0], depth + 1) };
    }
    case TAG.equality:
    case TAG.greaterOrEqual:
    case TAG.lessOrEqual:
    case TAG.approx: {
      const type = AVA_TYPES.find((t) => TAG[t] === n)!;
      const parts = constructed(el, TagClass.context, n, `${type} filter`);
      if (parts.length !== 2) throw new BerError(`${type} filter must hold a type and a value`);
      return { type, attribute: string(parts[0], 'attribute description'), value: octets(parts[1], 'assertion value') };
    }
    case TAG.substrings:
      return decodeSubstrings(constructed(el, TagClass.context, n, 'substrings filter'));
    case TAG.present:
      return { type: 'present', attribute: utf8String(primitive(el, TagClass.context, n, 'present filter'), 'attribute') };
    case TAG.extensible:
      return decodeExtensible(constructed(el, TagClass.context, n, 'extensible filter'));
    default:
      throw new BerError(`unknown filter choice ${n}`);
  }
}

function decodeSubstrings(parts: Element[]): Filter {
  if (parts.length !== 2) throw new BerError('substrings filter must hold a type and substrings');
  const attribute = string(parts[0], 'attribute description');
  const items = sequence(parts[1], 'substrings');
  if (items.length === 0) throw new BerError('substrings filter needs at least one substring');
  const f: Filter & { type: 'substrings' } = { type: 'substrings', attribute, any: [] };
  items.forEach((item, i) => {
    const k = item.idBlock.tagNumber;
    const value = primitive(item, TagClass.context, k, 'substring');
    if (k === 0 && i === 0) f.initial = value;
    else if (k === 1) f.any.push(value);
    else if (k === 2 && i === items.length - 1) f.final = value;
    else throw new BerError('substrings out of order');
  });
  return f;
}

function decodeExtensible(parts: Element[]): Filter {
  const f: Filter & { type: 'extensible' } = { type: 'extensible', value: Buffer.alloc(0), dnAttributes: false };
  let sawValue = false;
  for (const p of parts) {
    if (p.idBlock.tagClass !== TagClass.context) throw new BerError('extensible filter: bad element');
    const k = p.idBlock.tagNumber;
    if (k === 1) f.matchingRule = utf8String(primitive(p, TagClass.context, 1, 'matchingRule'), 'matchingRule');
    else if (k === 2) f.attribute = utf8String(primitive(p, TagClass.context, 2, 'type'), 'type');
    else if (k === 3) {
      f.value = primitive(p, TagClass.context, 3, 'matchValue');
      sawValue = true;
    } else if (k === 4) {
      const b = primitive(p, TagClass.context, 4, 'dnAttributes');
      if (b.length !== 1) throw new BerError('dnAttributes: bad BOOLEAN');
      f.dnAttributes = b[0] !== 0;
    } else throw new BerError('extensible filter: unknown element');
  }
  if (!sawValue) throw new BerError('extensible filter needs a matchValue');
  return f;
}

export function encodeFilter(f: Filter): Element {
  const ctx = TagClass.context;
  switch (f.type) {
    case 'and':
    case 'or':
      return build.constructed(ctx, TAG[f.type], f.filters.map(encodeFilter));
    case 'not':
      return build.constructed(ctx, TAG.not, [encodeFilter(f.filter)]);
    case 'equality':
    case 'greaterOrEqual':
    case 'lessOrEqual':
    case 'approx':
      return build.constructed(ctx, TAG[f.type], [build.octets(f.attribute), build.octets(f.value)]);
    case 'substrings': {
      const items: Element[] = [];
      if (f.initial) items.push(build.primitive(ctx, 0, f.initial));
      for (const a of f.any) items.push(build.primitive(ctx, 1, a));
      if (f.final) items.push(build.primitive(ctx, 2, f.final));
      return build.constructed(ctx, TAG.substrings, [build.octets(f.attribute), build.sequence(items)]);
    }
    case 'present':
      return build.primitive(ctx, TAG.present, f.attribute);
    case 'extensible': {
      const parts: Element[] = [];
      if (f.matchingRule) parts.push(build.primitive(ctx, 1, f.matchingRule));
      if (f.attribute) parts.push(build.primitive(ctx, 2, f.attribute));
      parts.push(build.primitive(ctx, 3, f.value));
      if (f.dnAttributes) parts.push(build.primitive(ctx, 4, Buffer.from([0xff])));
      return build.constructed(ctx, TAG.extensible, parts);
    }
  }
}

// --- RFC 4515 string form ------------------------------------------------------------------------

function escapeValue(v: Buffer): string {
  let out = '';
  for (const byte of v) {
    // the specials of RFC 4515 and anything not printable ASCII
    if (byte === 0x2a || byte === 0x28 || byte === 0x29 || byte === 0x5c || byte < 0x20 || byte > 0x7e) {
      out += '\\' + byte.toString(16).padStart(2, '0');
    } else out += String.fromCharCode(byte);
  }
  return out;
}

export function filterToString(f: Filter): string {
  switch (f.type) {
    case 'and':
      return `(&${f.filters.map(filterToString).join('')})`;
    case 'or':
      return `(|${f.filters.map(filterToString).join('')})`;
    case 'not':
      return `(!${filterToString(f.filter)})`;
    case 'equality':
      return `(${f.attribute}=${escapeValue(f.value)})`;
    case 'greaterOrEqual':
      return `(${f.attribute}>=${escapeValue(f.value)})`;
    case 'lessOrEqual':
      return `(${f.attribute}<=${escapeValue(f.value)})`;
    case 'approx':
      return `(${f.attribute}~=${escapeValue(f.value)})`;
    case 'present':
      return `(${f.attribute}=*)`;
    case 'substrings':
      return `(${f.attribute}=${f.initial ? escapeValue(f.initial) : ''}*${f.any.map((a) => escapeValue(a) + '*').join('')}${f.final ? escapeValue(f.final) : ''})`;
    case 'extensible':
      return `(${f.attribute ?? ''}${f.dnAttributes ? ':dn' : ''}${f.matchingRule ? ':' + f.matchingRule : ''}:=${escapeValue(f.value)})`;
  }
}
