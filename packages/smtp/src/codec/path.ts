/**
 * MAIL FROM / RCPT TO arguments (RFC 5321 section 4.1.2, ESMTP parameters section 4.1.2,
 * SMTPUTF8 addresses RFC 6531). Pure.
 */

export interface ParsedPath {
  readonly ok: true;
  /** the mailbox without angle brackets; '' for the null path `<>` */
  readonly address: string;
  /** upper-cased keyword → value (undefined for a keyword without `=value`) */
  readonly params: ReadonlyMap<string, string | undefined>;
  /** the address holds non-ASCII characters (needs SMTPUTF8) */
  readonly utf8: boolean;
}

export type PathRejection = 'syntax' | 'address' | 'param' | 'too-long';

export interface PathParseError {
  readonly ok: false;
  readonly reason: PathRejection;
}

/** RFC 5321 4.5.3.1.3: a path is at most 256 octets */
export const MAX_PATH_LENGTH = 256;

// RFC 5321 4.1.2 Dot-string, with UTF-8 allowed by RFC 6531 (checked against SMTPUTF8 by the caller)
const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~\\-\\u0080-\\u{10FFFF}]+";
const DOT_STRING = `${ATOM}(?:\\.${ATOM})*`;
// quoted-string: printable ASCII except " and \, or a backslash pair
const QUOTED = '"(?:[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e\\u0080-\\u{10FFFF}]|\\\\[\\x20-\\x7e])*"';
const LABEL = '[A-Za-z0-9\\u0080-\\u{10FFFF}](?:[A-Za-z0-9\\-\\u0080-\\u{10FFFF}]*[A-Za-z0-9\\u0080-\\u{10FFFF}])?';
const DOMAIN = `${LABEL}(?:\\.${LABEL})*`;
const LITERAL = '\\[[\\x21-\\x5a\\x5e-\\x7e]+\\]';
const MAILBOX = new RegExp(`^(?:${DOT_STRING}|${QUOTED})@(?:${DOMAIN}|${LITERAL})$`, 'u');
/** RFC 5321 4.1.2 A-d-l: a source route, to be accepted and ignored (4.1.1.3) */
const SOURCE_ROUTE = new RegExp(`^@${DOMAIN}(?:,@${DOMAIN})*:`, 'u');
const PARAM_KEYWORD = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
/** esmtp-value: printable ASCII except `=` and space (RFC 5321), UTF-8 allowed by RFC 6531 */
const PARAM_VALUE = /^[\x21-\x3c\x3e-\x7e\u0080-\u{10FFFF}]+$/u;

export function isMailbox(address: string): boolean {
  return MAILBOX.test(address);
}

/**
 * `FROM:<path> params` or `TO:<path> params`; `prefix` is `FROM` or `TO`. A space after the colon
 * is tolerated (RFC 5321 forbids it but many clients send it).
 */
export function parsePathArgument(arg: string, prefix: 'FROM' | 'TO', allowNull: boolean): ParsedPath | PathParseError {
  const head = arg.slice(0, prefix.length + 1).toUpperCase();
  if (head !== `${prefix}:`) return { ok: false, reason: 'syntax' };
  const rest = arg.slice(prefix.length + 1).replace(/^ +/, '');
  if (!rest.startsWith('<')) return { ok: false, reason: 'syntax' };
  const close = closingBracket(rest);
  if (close < 0) return { ok: false, reason: 'syntax' };
  let address = rest.slice(1, close);
  if (address.length > MAX_PATH_LENGTH) return { ok: false, reason: 'too-long' };
  const after = rest.slice(close + 1);
  if (after !== '' && !after.startsWith(' ')) return { ok: false, reason: 'syntax' };
  address = address.replace(SOURCE_ROUTE, '');
  if (address === '') {
    if (!allowNull) return { ok: false, reason: 'address' };
  } else if (!isMailbox(address) && !(prefix === 'TO' && address.toLowerCase() === 'postmaster')) {
    return { ok: false, reason: 'address' };
  }
  const params = new Map<string, string | undefined>();
  for (const word of after.split(' ').filter((w) => w !== '')) {
    const eq = word.indexOf('=');
    const keyword = eq < 0 ? word : word.slice(0, eq);
    const value = eq < 0 ? undefined : word.slice(eq + 1);
    if (!PARAM_KEYWORD.test(keyword) || (value !== undefined && !PARAM_VALUE.test(value))) {
      return { ok: false, reason: 'param' };
    }
    const key = keyword.toUpperCase();
    if (params.has(key)) return { ok: false, reason: 'param' };
    params.set(key, value);
  }
  // eslint-disable-next-line no-control-regex -- the point is to find anything outside ASCII
  return { ok: true, address, params, utf8: /[^\x00-\x7f]/.test(address) };
}

/** the `>` that closes the path, skipping over quoted strings (a quoted local part may hold `>`) */
function closingBracket(text: string): number {
  let quoted = false;
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === '\\') i++;
    else if (c === '"') quoted = !quoted;
    else if (c === '>' && !quoted) return i;
  }
  return -1;
}

/** SIZE=n (RFC 1870): a decimal of at most 20 digits; undefined when it is not one */
export function parseSize(value: string | undefined): number | undefined {
  if (value === undefined || !/^[0-9]{1,20}$/.test(value)) return undefined;
  return Number(value);
}
