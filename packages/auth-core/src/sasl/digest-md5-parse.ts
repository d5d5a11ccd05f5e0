/**
 * The `name=value, name="quoted"` lists of RFC 2831 section 7.1 (HTTP-style #rule). Works on
 * latin1 strings so every byte survives unchanged: the charset of each value is the caller's call.
 */

export type DirectiveParse =
  | { ok: true; directives: Map<string, string> }
  | { ok: false; error: string };

/** RFC 2616 token characters: visible ASCII except separators. */
const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const MAX_DIRECTIVES = 32;

function isLws(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
}

/**
 * Parses a directive list. Names are lower-cased; a name given twice is an error (RFC 2831 lets
 * none of the response directives repeat); empty list elements are skipped as #rule allows.
 */
export function parseDirectives(text: string): DirectiveParse {
  const directives = new Map<string, string>();
  let i = 0;
  const n = text.length;
  const skipLws = (): void => {
    while (i < n && isLws(text[i])) i++;
  };
  for (;;) {
    skipLws();
    if (i >= n) break;
    if (text[i] === ',') {
      i++;
      continue;
    }
    const nameStart = i;
    while (i < n && TOKEN_CHAR.test(text[i] as string)) i++;
    if (i === nameStart) return { ok: false, error: `unexpected character at ${i}` };
    const name = text.slice(nameStart, i).toLowerCase();
    skipLws();
    if (text[i] !== '=') return { ok: false, error: `expected "=" after ${name}` };
    i++;
    skipLws();
    let value: string;
    if (text[i] === '"') {
      i++;
      let out = '';
      let closed = false;
      while (i < n) {
        const ch = text[i] as string;
        if (ch === '\\') {
          if (i + 1 >= n) break;
          out += text[i + 1];
          i += 2;
          continue;
        }
        if (ch === '"') {
          closed = true;
          i++;
          break;
        }
        out += ch;
        i++;
      }
      if (!closed) return { ok: false, error: `unterminated quoted value for ${name}` };
      value = out;
    } else {
      const valueStart = i;
      while (i < n && TOKEN_CHAR.test(text[i] as string)) i++;
      value = text.slice(valueStart, i);
      if (value === '') return { ok: false, error: `empty value for ${name}` };
    }
    if (directives.has(name)) return { ok: false, error: `duplicate directive ${name}` };
    if (directives.size >= MAX_DIRECTIVES) return { ok: false, error: 'too many directives' };
    directives.set(name, value);
    skipLws();
    if (i >= n) break;
    if (text[i] !== ',') return { ok: false, error: `expected "," after ${name}` };
    i++;
  }
  return { ok: true, directives };
}

/** A value as a quoted-string, escaping `"` and `\`. */
export function quoteDirective(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}
