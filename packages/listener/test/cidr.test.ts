import { describe, expect, it } from 'vitest';
import { CidrParseError, normalizeAddress, parseAddress, parseCidrList } from '../src/cidr.js';

describe('parseCidrList', () => {
  it('matches IPv4 ranges and single addresses', () => {
    const list = parseCidrList(['10.0.0.0/8', '192.168.1.7']);
    expect(list.contains('10.200.3.4')).toBe(true);
    expect(list.contains('192.168.1.7')).toBe(true);
    expect(list.contains('192.168.1.8')).toBe(false);
    expect(list.contains('11.0.0.1')).toBe(false);
    expect(list.entries).toEqual(['10.0.0.0/8', '192.168.1.7/32']);
  });

  it('matches IPv6 ranges and never crosses families', () => {
    const list = parseCidrList(['2001:db8::/32', '::1']);
    expect(list.contains('2001:db8:1::5')).toBe(true);
    expect(list.contains('::1')).toBe(true);
    expect(list.contains('2001:db9::1')).toBe(false);
    expect(list.contains('127.0.0.1')).toBe(false);
    expect(parseCidrList(['0.0.0.0/0']).contains('::1')).toBe(false);
  });

  it('treats IPv4-mapped IPv6 as IPv4, in addresses and in entries', () => {
    expect(parseCidrList(['127.0.0.0/8']).contains('::ffff:127.0.0.1')).toBe(true);
    expect(parseCidrList(['::ffff:10.0.0.0/104']).contains('10.9.9.9')).toBe(true);
    expect(parseCidrList(['::ffff:10.0.0.1']).contains('10.0.0.1')).toBe(true);
  });

  it('says no to things that are not addresses', () => {
    const list = parseCidrList(['0.0.0.0/0', '::/0']);
    expect(list.contains('')).toBe(false);
    expect(list.contains('localhost')).toBe(false);
    expect(list.contains('1.2.3.4.5')).toBe(false);
  });

  it('names the bad entry', () => {
    expect(() => parseCidrList(['10.0.0.0/8', 'ten.0.0.0/8'])).toThrow(CidrParseError);
    expect(() => parseCidrList(['10.0.0.0/33'])).toThrow(/10\.0\.0\.0\/33/);
  });

  it('an empty or missing list contains nothing', () => {
    expect(parseCidrList(undefined).contains('1.2.3.4')).toBe(false);
    expect(parseCidrList([]).size).toBe(0);
  });
});

describe('normalizeAddress', () => {
  it('unwraps mapped addresses and compresses IPv6', () => {
    expect(normalizeAddress('::ffff:192.0.2.5')).toBe('192.0.2.5');
    expect(normalizeAddress('2001:0db8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(normalizeAddress('not-an-ip')).toBe('not-an-ip');
  });

  it('answers plain dotted quads as the full parse does, and still parses the odd forms', () => {
    for (const a of ['127.0.0.1', '0.0.0.0', '255.255.255.255', '192.0.2.199', '10.20.30.4']) {
      expect(normalizeAddress(a)).toBe(a);
      expect(normalizeAddress(a)).toBe(parseAddress(a)!.toString());
    }
    // leading zeros, out-of-range parts and short forms are not the fast path's business
    for (const a of ['010.0.0.1', '1.2.3.256', '1.2.3', ' 1.2.3.4']) {
      expect(normalizeAddress(a)).toBe(parseAddress(a)?.toString() ?? a);
    }
  });
});
