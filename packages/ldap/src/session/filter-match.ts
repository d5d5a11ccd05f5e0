/**
 * Filter evaluation with the three values of RFC 4511 4.5.1.7 (TRUE, FALSE, Undefined). Every
 * attribute here compares case-insensitively (caseIgnoreMatch / caseIgnoreIA5Match).
 */
import type { Filter } from '../codec/index.js';
import { KNOWN_ATTRIBUTES, baseAttributeName, findAttribute, type Entry } from './entries.js';

export type Tri = boolean | undefined;

function fold(value: Buffer | string): string {
  return (typeof value === 'string' ? value : value.toString('utf8')).trim().replace(/\s+/g, ' ').toLowerCase();
}

function valuesOf(entry: Entry, attribute: string): string[] | undefined {
  if (!KNOWN_ATTRIBUTES.has(baseAttributeName(attribute))) return undefined;
  return (findAttribute(entry, attribute)?.values ?? []).map(fold);
}

function substringMatch(value: string, f: Filter & { type: 'substrings' }): boolean {
  let pos = 0;
  let end = value.length;
  if (f.initial) {
    const initial = fold(f.initial);
    if (!value.startsWith(initial)) return false;
    pos = initial.length;
  }
  if (f.final) {
    const final = fold(f.final);
    if (!value.endsWith(final) || value.length - final.length < pos) return false;
    end = value.length - final.length;
  }
  for (const a of f.any) {
    const part = fold(a);
    const at = value.slice(0, end).indexOf(part, pos);
    if (at < 0) return false;
    pos = at + part.length;
  }
  return true;
}

export function matchFilter(f: Filter, entry: Entry): Tri {
  switch (f.type) {
    case 'and': {
      let result: Tri = true;
      for (const sub of f.filters) {
        const r = matchFilter(sub, entry);
        if (r === false) return false;
        if (r === undefined) result = undefined;
      }
      return result;
    }
    case 'or': {
      let result: Tri = false;
      for (const sub of f.filters) {
        const r = matchFilter(sub, entry);
        if (r === true) return true;
        if (r === undefined) result = undefined;
      }
      return result;
    }
    case 'not': {
      const r = matchFilter(f.filter, entry);
      return r === undefined ? undefined : !r;
    }
    case 'present':
      return findAttribute(entry, f.attribute) !== undefined;
    case 'equality':
    case 'approx': {
      const values = valuesOf(entry, f.attribute);
      if (!values) return undefined;
      const wanted = fold(f.value);
      return values.includes(wanted);
    }
    case 'greaterOrEqual':
    case 'lessOrEqual': {
      const values = valuesOf(entry, f.attribute);
      if (!values) return undefined;
      const wanted = fold(f.value);
      return values.some((v) => (f.type === 'greaterOrEqual' ? v >= wanted : v <= wanted));
    }
    case 'substrings': {
      const values = valuesOf(entry, f.attribute);
      if (!values) return undefined;
      return values.some((v) => substringMatch(v, f));
    }
    case 'extensible':
      // no matching rules are implemented: Undefined, which never selects an entry
      return undefined;
  }
}
