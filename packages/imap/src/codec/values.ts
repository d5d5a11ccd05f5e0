/** Reading typed arguments out of tokenizer values. */
import type { ImapValue } from './tokenizer.js';

/** astring: atom or string (an unquoted NIL is the string "NIL" here). */
export function asAString(v: ImapValue | undefined): string | null {
  if (!v) return null;
  switch (v.type) {
    case 'atom':
      return v.value;
    case 'string':
      return v.value.toString('utf8');
    case 'nil':
      return 'NIL';
    default:
      return null;
  }
}

/** astring as raw bytes (passwords: keep what the client sent). */
export function asAStringBytes(v: ImapValue | undefined): Buffer | null {
  if (!v) return null;
  if (v.type === 'string') return v.value;
  if (v.type === 'atom') return Buffer.from(v.value, 'latin1');
  if (v.type === 'nil') return Buffer.from('NIL');
  return null;
}

export function asAtom(v: ImapValue | undefined): string | null {
  return v?.type === 'atom' ? v.value : null;
}

export function asList(v: ImapValue | undefined): ImapValue[] | null {
  return v?.type === 'list' ? v.items : null;
}

/** nstring: null for NIL, the text otherwise; undefined when the value is neither. */
export function asNString(v: ImapValue | undefined): string | null | undefined {
  if (v?.type === 'nil') return null;
  if (v?.type === 'string') return v.value.toString('utf8');
  return undefined;
}
