/**
 * loginsFromNonClients=prohibit: only the Client IP Addresses and the server itself may log in.
 * Entries are single addresses or CIDRs, IPv4 or IPv6; ipaddr.js does the parsing and matching.
 */
import ipaddr from 'ipaddr.js';
import type { ServerSettings } from '../settings.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Range = [Address, number];

/** Parse an address, unwrapping IPv4-mapped IPv6 (`::ffff:10.0.0.1`); null when invalid. */
export function parseAddress(text: string): Address | null {
  try {
    return ipaddr.process(text.trim());
  } catch {
    return null;
  }
}

/** A CIDR or single address as a range; null when invalid. */
export function parseRange(entry: string): Range | null {
  const text = entry.trim();
  try {
    if (text.includes('/')) {
      const [addr, bits] = ipaddr.parseCIDR(text);
      // an IPv4-mapped IPv6 CIDR means the IPv4 range, as remote addresses are unwrapped too
      if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
        return [(addr as ipaddr.IPv6).toIPv4Address(), bits - 96];
      }
      return [addr, bits];
    }
    const addr = ipaddr.process(text);
    return [addr, addr.kind() === 'ipv4' ? 32 : 128];
  } catch {
    return null;
  }
}

export class AddressList {
  readonly ranges: readonly Range[];
  /** entries that are neither an address nor a CIDR (ignored; reported so they can be logged) */
  readonly invalid: readonly string[];

  constructor(entries: readonly string[]) {
    const ranges: Range[] = [];
    const invalid: string[] = [];
    for (const entry of entries) {
      const range = parseRange(entry);
      if (range) ranges.push(range);
      else invalid.push(entry);
    }
    this.ranges = ranges;
    this.invalid = invalid;
  }

  contains(address: string | Address): boolean {
    const addr = typeof address === 'string' ? parseAddress(address) : address;
    if (!addr) return false;
    return this.ranges.some(([net, bits]) => net.kind() === addr.kind() && addr.match(net, bits));
  }
}

// Settings are read on every login so that CLI changes apply at once; the parsed list is kept
// while the setting stays the same.
let cachedKey = '';
let cachedList = new AddressList([]);

export function clientAddressList(server: ServerSettings): AddressList {
  const entries = server.clientAddresses ?? [];
  const key = entries.join('\n');
  if (key !== cachedKey) {
    cachedList = new AddressList(entries);
    cachedKey = key;
  }
  return cachedList;
}

/** The server computer itself: loopback, or the address the client connected to. */
export function isServerItself(remote: string, local: string): boolean {
  const addr = parseAddress(remote);
  if (!addr) return false;
  if (addr.range() === 'loopback') return true;
  const own = parseAddress(local);
  return own !== null && own.kind() === addr.kind() && own.toNormalizedString() === addr.toNormalizedString();
}

/** May a client at `remote` log in under the server's Client Addresses settings? */
export function clientAddressAllowed(server: ServerSettings, remote: string, local: string): boolean {
  if ((server.loginsFromNonClients ?? 'allow') !== 'prohibit') return true;
  if (isServerItself(remote, local)) return true;
  return clientAddressList(server).contains(remote);
}
