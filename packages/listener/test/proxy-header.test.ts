import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildProxyV1, buildProxyV2, parseProxyHeader, PROXY_V2_SIGNATURE } from '../src/proxy-header.js';

const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('PROXY v1', () => {
  it('parses the specification TCP4 example', () => {
    const r = parseProxyHeader(ascii('PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\nGET / HTTP/1.1\r\n'));
    expect(r).toEqual({
      status: 'ok',
      length: 47,
      header: {
        version: 1,
        command: 'proxy',
        source: { address: '192.168.0.1', port: 56324 },
        destination: { address: '192.168.0.11', port: 443 },
      },
    });
  });

  it('parses the worst-case TCP6 header (107 bytes)', () => {
    const text = 'PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n';
    expect(text.length).toBe(104);
    const r = parseProxyHeader(ascii(text));
    expect(r.status).toBe('ok');
    if (r.status !== 'ok') return;
    expect(r.header.source).toEqual({ address: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', port: 65535 });
  });

  it('unwraps an IPv4-mapped TCP6 source', () => {
    const r = parseProxyHeader(ascii('PROXY TCP6 ::ffff:10.1.2.3 2001:db8::1 1000 143\r\n'));
    expect(r.status === 'ok' && r.header.source?.address).toBe('10.1.2.3');
  });

  it('treats UNKNOWN as a local connection, with or without addresses', () => {
    for (const text of ['PROXY UNKNOWN\r\n', 'PROXY UNKNOWN ffff::1 ffff::2 65535 65535\r\n']) {
      const r = parseProxyHeader(ascii(text));
      expect(r).toEqual({ status: 'ok', length: text.length, header: { version: 1, command: 'local' } });
    }
  });

  it('waits for more bytes on a partial header', () => {
    for (const text of ['P', 'PROXY', 'PROXY TCP4 1.2.3.4', 'PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r']) {
      expect(parseProxyHeader(ascii(text))).toEqual({ status: 'incomplete' });
    }
  });

  it.each([
    ['GET / HTTP/1.0\r\n'],
    ['proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n'],
    ['PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n'],
    ['PROXY TCP4 1.2.3.4 5.6.7.8 1 65536\r\n'],
    ['PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n'],
    ['PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n'],
    ['PROXY TCP4 256.2.3.4 5.6.7.8 1 2\r\n'],
    ['PROXY TCP4 127.1 5.6.7.8 1 2\r\n'],
    ['PROXY TCP4 ::1 5.6.7.8 1 2\r\n'],
    ['PROXY TCP6 1.2.3.4 ::1 1 2\r\n'],
    ['PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n'],
    ['PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n'],
    ['PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n'],
    ['PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n'],
    ['PROXY TCP4 1.2.3.4 5.6.7.8 1 2\x00\r\n'],
    [`PROXY TCP4 ${'1'.repeat(120)}`],
  ])('refuses %j', (text) => {
    expect(parseProxyHeader(ascii(text)).status).toBe('invalid');
  });

  it('round-trips the builder', () => {
    const header = buildProxyV1({ address: '2001:db8::7', port: 4000 }, { address: '2001:db8::1', port: 993 });
    const r = parseProxyHeader(header);
    expect(r.status === 'ok' && r.header.source).toEqual({ address: '2001:db8::7', port: 4000 });
  });
});

describe('PROXY v2', () => {
  it('parses TCP over IPv4 and reports the header length', () => {
    const header = buildProxyV2({ source: { address: '203.0.113.9', port: 50000 }, destination: { address: '192.0.2.1', port: 993 } });
    const r = parseProxyHeader(Buffer.concat([header, ascii('\x16\x03\x01rest')]));
    expect(r).toEqual({
      status: 'ok',
      length: 28,
      header: {
        version: 2,
        command: 'proxy',
        source: { address: '203.0.113.9', port: 50000 },
        destination: { address: '192.0.2.1', port: 993 },
      },
    });
  });

  it('parses TCP over IPv6 and skips TLVs', () => {
    // PP2_TYPE_AUTHORITY "mail.example" then PP2_TYPE_NOOP
    const tlvs = Buffer.concat([Buffer.from([0x02, 0x00, 0x0c]), ascii('mail.example'), Buffer.from([0x04, 0x00, 0x00])]);
    const header = buildProxyV2(
      { source: { address: '2001:db8::42', port: 1234 }, destination: { address: '2001:db8::1', port: 143 } },
      tlvs,
    );
    const r = parseProxyHeader(header);
    expect(r.status).toBe('ok');
    if (r.status !== 'ok') return;
    expect(r.length).toBe(16 + 36 + tlvs.length);
    expect(r.header.source).toEqual({ address: '2001:db8::42', port: 1234 });
    expect(r.header.destination).toEqual({ address: '2001:db8::1', port: 143 });
  });

  it('matches a hand-written header byte for byte', () => {
    const bytes = Buffer.concat([
      PROXY_V2_SIGNATURE,
      Buffer.from([0x21, 0x11, 0x00, 0x0c, 10, 0, 0, 1, 10, 0, 0, 2, 0x1f, 0x90, 0x00, 0x8f]),
    ]);
    const r = parseProxyHeader(bytes);
    expect(r.status === 'ok' && r.header.source).toEqual({ address: '10.0.0.1', port: 8080 });
    expect(r.status === 'ok' && r.header.destination).toEqual({ address: '10.0.0.2', port: 143 });
  });

  it('treats LOCAL and UNSPEC as the proxy itself', () => {
    expect(parseProxyHeader(buildProxyV2())).toEqual({ status: 'ok', length: 16, header: { version: 2, command: 'local' } });
    const unspec = Buffer.concat([PROXY_V2_SIGNATURE, Buffer.from([0x21, 0x00, 0x00, 0x00])]);
    expect(parseProxyHeader(unspec)).toEqual({ status: 'ok', length: 16, header: { version: 2, command: 'local' } });
  });

  it('is incomplete until the announced length has arrived', () => {
    const header = buildProxyV2({ source: { address: '1.2.3.4', port: 1 }, destination: { address: '5.6.7.8', port: 2 } });
    for (let n = 1; n < header.length; n++) {
      expect(parseProxyHeader(header.subarray(0, n))).toEqual({ status: 'incomplete' });
    }
  });

  it.each([
    ['version 1 nibble', [0x11, 0x11, 0x00, 0x0c]],
    ['command 2', [0x22, 0x11, 0x00, 0x0c]],
    ['family 4', [0x21, 0x41, 0x00, 0x0c]],
    ['UDP', [0x21, 0x12, 0x00, 0x0c]],
    ['UNIX', [0x21, 0x31, 0x00, 0xd8]],
    ['short IPv4 block', [0x21, 0x11, 0x00, 0x04]],
    ['short IPv6 block', [0x21, 0x21, 0x00, 0x0c]],
    ['huge length', [0x21, 0x11, 0xff, 0xff]],
  ])('refuses %s', (_name, head) => {
    const bytes = Buffer.concat([PROXY_V2_SIGNATURE, Buffer.from(head), Buffer.alloc(216)]);
    expect(parseProxyHeader(bytes).status).toBe('invalid');
  });

  it('refuses a broken signature', () => {
    const bytes = Buffer.from(PROXY_V2_SIGNATURE);
    bytes[7] = 0x52;
    expect(parseProxyHeader(bytes).status).toBe('invalid');
  });
});

describe('garbage', () => {
  it('never throws and always answers one of the three statuses', () => {
    const prefixes = [Buffer.alloc(0), ascii('PROXY '), PROXY_V2_SIGNATURE];
    for (let i = 0; i < 3000; i++) {
      const prefix = prefixes[i % prefixes.length] as Buffer;
      const input = Buffer.concat([prefix, randomBytes(i % 300)]);
      const r = parseProxyHeader(input);
      expect(['ok', 'invalid', 'incomplete']).toContain(r.status);
      if (r.status === 'ok') expect(r.length).toBeLessThanOrEqual(input.length);
      if (r.status === 'incomplete') expect(input.length).toBeLessThan(16 + 2048);
    }
  });
});
