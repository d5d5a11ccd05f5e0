/**
 * CIDR lists for Grant/Deny, PROXY trust and client-address checks. IPv4-mapped IPv6 addresses
 * (::ffff:a.b.c.d) are treated as the IPv4 address they carry, on both sides of the match, so a
 * dual-stack socket and an IPv4 rule agree.
 */
import ipaddr from 'ipaddr.js';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

export interface CidrList {
  /** the normalized entries, e.g. ['10.0.0.0/8', '2001:db8::/32'] */
  readonly entries: readonly string[];
  /** whether addr (any textual IPv4/IPv6 form) falls inside one entry; false for unparsable input */
  contains(addr: string): boolean;
  readonly size: number;
}

export class CidrParseError extends Error {
  constructor(readonly entry: string) {
    super(`not an IP address or CIDR range: ${JSON.stringify(entry)}`);
  }
}

/** Parse an address, unwrap IPv4-mapped IPv6, and drop a zone id; undefined when not an address. */
export function parseAddress(addr: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  const text = addr.trim().replace(/%.*$/, '');
  if (!ipaddr.isValid(text)) return undefined;
  try {
    return ipaddr.process(text);
  } catch {
    return undefined;
  }
}

/** The canonical text of an address ('::ffff:1.2.3.4' becomes '1.2.3.4'); the input when unparsable. */
export function normalizeAddress(addr: string): string {
  // what accepted IPv4 sockets report: already canonical, no need for a parse per connection
  if (CANONICAL_IPV4.test(addr)) return addr;
  return parseAddress(addr)?.toString() ?? addr;
}

/** dotted quad without leading zeros, each part 0-255 */
const CANONICAL_IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

function parseEntry(entry: string): Range {
  const text = entry.trim();
  if (text.includes('/')) {
    let range: Range;
    try {
      range = ipaddr.parseCIDR(text);
    } catch {
      throw new CidrParseError(entry);
    }
    const [base, bits] = range;
    // ::ffff:10.0.0.0/104 is the IPv4 range 10.0.0.0/8, which is how mapped clients are matched
    if (base.kind() === 'ipv6' && (base as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
      return [(base as ipaddr.IPv6).toIPv4Address(), bits - 96];
    }
    return range;
  }
  const addr = parseAddress(text);
  if (!addr) throw new CidrParseError(entry);
  return [addr, addr.kind() === 'ipv4' ? 32 : 128];
}

/** Parse a list of CIDR ranges or single addresses; throws CidrParseError naming a bad entry. */
export function parseCidrList(list: readonly string[] | undefined): CidrList {
  const ranges = (list ?? []).map(parseEntry);
  const entries = ranges.map(([base, bits]) => `${base.toString()}/${bits}`);
  return {
    entries,
    size: ranges.length,
    contains(addr: string): boolean {
      const ip = parseAddress(addr);
      if (!ip) return false;
      return ranges.some((range) => ip.kind() === range[0].kind() && ip.match(range));
    },
  };
}

/** Where a PROXY header is believed from when a listener names nothing: loopback only. */
export const DEFAULT_PROXY_TRUSTED: readonly string[] = ['127.0.0.0/8', '::1/128'];
