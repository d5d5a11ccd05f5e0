/**
 * Who may connect and log in: PROXY v1/v2 headers present other client addresses, listener
 * grant/deny lists close before any byte, and loginsFromNonClients=prohibit refuses non-clients.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway, type ListenerSpec } from './harness/gateway.js';
import { imapLogin, imapLoginWorks } from './harness/imap.js';
import { LineClient } from './harness/line-client.js';
import { popUserPass } from './harness/pop.js';
import { proxyV1, proxyV2 } from './harness/proxy-header.js';
import { ALICE, WRONG_PASSWORD, createAccount, stopCleanly } from './harness/fixtures.js';

const LISTENERS = {
  imap: { service: 'imap', tls: 'none' },
  pop: { service: 'pop', tls: 'none' },
  imapProxy: { service: 'imap', tls: 'none', proxyProtocol: true },
  popProxy: { service: 'pop', tls: 'none', proxyProtocol: true },
  imapsProxy: { service: 'imap', tls: 'implicit', proxyProtocol: true },
  imapDeny: { service: 'imap', tls: 'none', proxyProtocol: true, deny: ['192.0.2.0/24', '2001:db8::/32'] },
  imapGrant: { service: 'imap', tls: 'none', proxyProtocol: true, grant: ['198.51.100.0/24'] },
} satisfies Record<string, ListenerSpec>;

let gw: Gateway<keyof typeof LISTENERS>;

beforeAll(async () => {
  gw = await Gateway.start({ listeners: LISTENERS });
  await createAccount(gw, ALICE.address, ALICE.password);
});

afterAll(async () => {
  await stopCleanly(gw, [ALICE.password, WRONG_PASSWORD]);
});

async function viaProxy(port: number, header: Buffer, tls = false): Promise<LineClient> {
  return LineClient.connect(port, { preamble: header, tls });
}

/** The server closes without sending a single byte. */
async function expectSilentClose(c: LineClient): Promise<void> {
  try {
    expect(await c.waitClosed(10_000)).toBe(true);
    expect(c.received.toString('latin1')).toBe('');
  } finally {
    c.close();
  }
}

describe('PROXY protocol', () => {
  it.each([
    ['v1', proxyV1({ source: '198.51.100.20' })],
    ['v2', proxyV2({ source: '198.51.100.21' })],
    ['v2 IPv6', proxyV2({ source: '2001:db9::21' })],
  ])('%s header: greeting and login work behind it', async (_name, header) => {
    const c = await viaProxy(gw.ports.imapProxy, header);
    try {
      expect(await c.readLine()).toMatch(/^\* OK/);
      expect((await imapLogin(c, ALICE.address, ALICE.password)).ok).toBe(true);
    } finally {
      c.close();
    }
    const p = await viaProxy(gw.ports.popProxy, header);
    try {
      expect(await p.readLine()).toMatch(/^\+OK/);
      expect((await popUserPass(p, ALICE.address, ALICE.password)).pass).toMatch(/^\+OK/);
    } finally {
      p.close();
    }
  });

  it('comes before TLS on an implicit-TLS listener', async () => {
    const c = await viaProxy(gw.ports.imapsProxy, proxyV2({ source: '198.51.100.22' }), true);
    try {
      expect(await c.readLine()).toMatch(/^\* OK/);
      expect((await imapLogin(c, ALICE.address, ALICE.password)).ok).toBe(true);
    } finally {
      c.close();
    }
  });

  it.each([
    ['garbage instead of a header', Buffer.from('HELLO THERE\r\n')],
    ['a v1 header with a bad address', Buffer.from('PROXY TCP4 999.1.2.3 127.0.0.1 1 2\r\n')],
    ['a v1 header with an unknown family', Buffer.from('PROXY TCP9 1.2.3.4 127.0.0.1 1 2\r\n')],
    ['a v1 header without CRLF for 200 bytes', Buffer.from('PROXY TCP4 ' + '1'.repeat(200))],
    ['a v2 header of version 3', Buffer.concat([proxyV2({ source: '198.51.100.1' }).subarray(0, 12), Buffer.from([0x31, 0x11, 0, 12]), Buffer.alloc(12)])],
    ['a v2 header with a length past its end', Buffer.concat([proxyV2({ source: '198.51.100.1' }).subarray(0, 12), Buffer.from([0x21, 0x11, 0xff, 0xff]), Buffer.alloc(12)])],
  ])('%s: the connection is closed without a greeting', async (_name, header) => {
    const c = await viaProxy(gw.ports.imapProxy, header);
    try {
      // a v2 header announcing 65535 bytes may wait for them: end our side so the server sees EOF
      if (header.length > 16 && header[13] === 0xff) c.socket.end();
      expect(await c.waitClosed(15_000)).toBe(true);
      expect(c.received.toString('latin1')).not.toMatch(/\* OK/);
    } finally {
      c.close();
    }
    gw.assertAlive();
  });
});

describe('listener grant and deny lists', () => {
  it.each([
    ['v1', proxyV1({ source: '192.0.2.7' })],
    ['v2', proxyV2({ source: '192.0.2.8' })],
    ['v2 IPv6', proxyV2({ source: '2001:db8::8' })],
  ])('a %s source in the deny list is closed before the greeting', async (_n, header) => {
    await expectSilentClose(await viaProxy(gw.ports.imapDeny, header));
  });

  it('a source outside the deny list is served (so the address came from the header, not the socket)', async () => {
    const c = await viaProxy(gw.ports.imapDeny, proxyV2({ source: '198.51.100.9' }));
    try {
      expect(await c.readLine()).toMatch(/^\* OK/);
    } finally {
      c.close();
    }
  });

  it('a source outside the grant list is closed before the greeting; one inside is served', async () => {
    await expectSilentClose(await viaProxy(gw.ports.imapGrant, proxyV1({ source: '203.0.113.5' })));
    const c = await viaProxy(gw.ports.imapGrant, proxyV1({ source: '198.51.100.77' }));
    try {
      expect(await c.readLine()).toMatch(/^\* OK/);
    } finally {
      c.close();
    }
  });
});

describe('client addresses', () => {
  beforeAll(async () => {
    await gw.cliOk('server', 'set', 'loginsFromNonClients=prohibit', 'clientAddresses=10.0.0.0/8');
  });
  afterAll(async () => {
    await gw.cliOk('server', 'set', 'loginsFromNonClients=allow');
  });

  it('IMAP from a non-client address gets an error and is closed', async () => {
    const c = await viaProxy(gw.ports.imapProxy, proxyV1({ source: '192.0.2.7' }));
    try {
      const line = await c.readLine();
      expect(line).toMatch(/^\* (BYE|NO)\b/);
      expect(await c.waitClosed(5_000)).toBe(true);
    } finally {
      c.close();
    }
  });

  it('POP3 from a non-client address (PROXY v2) gets -ERR and is closed', async () => {
    const c = await viaProxy(gw.ports.popProxy, proxyV2({ source: '192.0.2.7' }));
    try {
      expect(await c.readLine()).toMatch(/^-ERR/);
      expect(await c.waitClosed(5_000)).toBe(true);
    } finally {
      c.close();
    }
  });

  it('a client address logs in through the proxy', async () => {
    const c = await viaProxy(gw.ports.imapProxy, proxyV1({ source: '10.1.2.3' }));
    try {
      expect(await c.readLine()).toMatch(/^\* OK/);
      expect((await imapLogin(c, ALICE.address, ALICE.password)).ok).toBe(true);
    } finally {
      c.close();
    }
    const p = await viaProxy(gw.ports.popProxy, proxyV2({ source: '10.200.0.1' }));
    try {
      expect(await p.readLine()).toMatch(/^\+OK/);
      expect((await popUserPass(p, ALICE.address, ALICE.password)).pass).toMatch(/^\+OK/);
    } finally {
      p.close();
    }
  });

  it('loopback (the server itself) always logs in', async () => {
    expect((await imapLoginWorks(gw.ports.imap, ALICE.address, ALICE.password)).ok).toBe(true);
  });

  it('allow lets the non-client address log in again, at its next connection', async () => {
    await gw.cliOk('server', 'set', 'loginsFromNonClients=allow');
    const c = await viaProxy(gw.ports.imapProxy, proxyV1({ source: '192.0.2.7' }));
    try {
      expect(await c.readLine()).toMatch(/^\* OK/);
      expect((await imapLogin(c, ALICE.address, ALICE.password)).ok).toBe(true);
    } finally {
      c.close();
    }
  });
});
