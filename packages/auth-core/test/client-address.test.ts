import { describe, expect, it } from 'vitest';
import { AddressList, clientAddressAllowed, isServerItself } from '../src/policy/index.js';
import type { ServerSettings } from '../src/settings.js';

const list = ['10.0.0.0/8', '192.0.2.7', '2001:db8::/32', 'fd00::1', 'not-an-address'];

describe('AddressList', () => {
  const al = new AddressList(list);
  it.each([
    ['10.1.2.3', true],
    ['11.0.0.1', false],
    ['192.0.2.7', true],
    ['192.0.2.8', false],
    ['::ffff:10.9.9.9', true],
    ['2001:db8:1::5', true],
    ['2001:db9::1', false],
    ['fd00::1', true],
    ['fd00::2', false],
    ['garbage', false],
  ])('%s -> %s', (addr, expected) => {
    expect(al.contains(addr)).toBe(expected);
  });

  it('reports entries it cannot parse', () => {
    expect(al.invalid).toEqual(['not-an-address']);
  });
});

describe('clientAddressAllowed', () => {
  const prohibit: ServerSettings = { clientAddresses: list, loginsFromNonClients: 'prohibit' };

  it('with prohibit, refuses addresses outside the list', () => {
    expect(clientAddressAllowed(prohibit, '203.0.113.5', '198.51.100.1')).toBe(false);
    expect(clientAddressAllowed(prohibit, '2001:db9::1', '2001:db8::100')).toBe(false);
    expect(clientAddressAllowed(prohibit, '10.200.0.1', '198.51.100.1')).toBe(true);
  });

  it('always lets the server itself in: loopback and its own address', () => {
    expect(clientAddressAllowed(prohibit, '127.0.0.1', '127.0.0.1')).toBe(true);
    expect(clientAddressAllowed(prohibit, '127.4.5.6', '198.51.100.1')).toBe(true);
    expect(clientAddressAllowed(prohibit, '::1', '::1')).toBe(true);
    expect(clientAddressAllowed(prohibit, '198.51.100.1', '198.51.100.1')).toBe(true);
    expect(clientAddressAllowed(prohibit, '2001:0db9:0::1', '2001:db9::1')).toBe(true);
    expect(isServerItself('203.0.113.5', '198.51.100.1')).toBe(false);
  });

  it('with allow (the default), lets everyone in', () => {
    expect(clientAddressAllowed({ clientAddresses: list }, '203.0.113.5', '198.51.100.1')).toBe(true);
    expect(clientAddressAllowed({ ...prohibit, loginsFromNonClients: 'allow' }, '203.0.113.5', '198.51.100.1')).toBe(true);
  });

  it('with prohibit and an empty list, only the server itself', () => {
    const none: ServerSettings = { loginsFromNonClients: 'prohibit' };
    expect(clientAddressAllowed(none, '10.0.0.1', '198.51.100.1')).toBe(false);
    expect(clientAddressAllowed(none, '127.0.0.1', '198.51.100.1')).toBe(true);
  });
});
