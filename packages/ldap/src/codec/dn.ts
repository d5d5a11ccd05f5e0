/**
 * Distinguished names in their string form (RFC 4514): parsed to compare them and to find the
 * account a bind DN names, built with escaping for the entries we send.
 */

export interface Ava {
  /** attribute type, lower-case */
  type: string;
  value: string;
}

/** one RDN: usually one AVA, several when joined with '+' */
export type Rdn = Ava[];

const HEX2 = /^[0-9a-fA-F]{2}$/;

/** null when the string is not a DN */
export function parseDn(text: string): Rdn[] | null {
  const rdns: Rdn[] = [];
  if (text.trim() === '') return rdns;
  let i = 0;
  let rdn: Rdn = [];
  while (i <= text.length) {
    const eq = text.indexOf('=', i);
    if (eq < 0) return null;
    const type = text.slice(i, eq).trim().toLowerCase();
    if (!/^([a-z][a-z0-9-]*|[0-9]+(\.[0-9]+)*)$/.test(type)) return null;
    i = eq + 1;
    const bytes: number[] = [];
    let end: string | undefined;
    while (i < text.length) {
      const ch = text[i]!;
      if (ch === ',' || ch === '+' || ch === ';') {
        end = ch;
        i++;
        break;
      }
      if (ch === '\\') {
        const pair = text.slice(i + 1, i + 3);
        if (HEX2.test(pair)) {
          bytes.push(parseInt(pair, 16));
          i += 3;
        } else if (i + 1 < text.length) {
          bytes.push(...Buffer.from(text[i + 1]!, 'utf8'));
          i += 2;
        } else return null;
        continue;
      }
      bytes.push(...Buffer.from(ch, 'utf8'));
      i++;
    }
    let value: string;
    try {
      value = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes)).trim();
    } catch {
      return null;
    }
    rdn.push({ type, value });
    if (end !== '+') {
      rdns.push(rdn);
      rdn = [];
    }
    if (end === undefined) break;
  }
  return rdns;
}

/** A comparable form: everything here is matched case-insensitively (uid, mail, cn, dc). */
export function normalizeDn(rdns: Rdn[]): string {
  return rdns
    .map((rdn) =>
      rdn
        .map((a) => `${a.type}=${a.value.toLowerCase()}`)
        .sort()
        .join('+'),
    )
    .join(',');
}

/** RFC 4514 2.4 escaping of an attribute value */
export function escapeDnValue(value: string): string {
  let out = value.replace(/[\\,+"<>;=]/g, (c) => '\\' + c);
  if (out.startsWith(' ') || out.startsWith('#')) out = '\\' + out;
  if (out.endsWith(' ') && out.length > 1) out = out.slice(0, -1) + '\\ ';
  return out.replace(/\0/g, '\\00');
}

/** dc=example,dc=test for example.test */
export function domainDn(domain: string): string {
  return domain
    .split('.')
    .map((part) => `dc=${escapeDnValue(part)}`)
    .join(',');
}

/** the domain named by a DN's dc components, in order (example.test), or undefined */
export function domainOfDn(rdns: Rdn[]): string | undefined {
  const parts = rdns.filter((r) => r.length === 1 && r[0]!.type === 'dc').map((r) => r[0]!.value);
  return parts.length > 0 ? parts.join('.').toLowerCase() : undefined;
}
