import net from 'node:net';
import { pino } from 'pino';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AccessRule, RunningListener } from '../src/listener.js';
import { listenerEvents, openConnections, refusedConnections } from '../src/metrics.js';
import { buildProxyV1, buildProxyV2 } from '../src/proxy-header.js';
import { ensureTlsMaterial } from '../src/tls-material.js';
import type { TlsMaterial } from '../src/types.js';
import { LineClient, listen, sleep } from './helpers.js';

let running: RunningListener[] = [];
let dir: string;
let material: TlsMaterial;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'listener-'));
  material = await ensureTlsMaterial({ cert: 'auto' }, dir, 'localhost');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await Promise.all(running.map((l) => l.close(100)));
  running = [];
});

async function server(...args: Parameters<typeof listen>): Promise<RunningListener> {
  const l = await listen(...args);
  running.push(l);
  return l;
}

/** connect, send `first` at once, and report what came back before the server closed */
async function probe(port: number, first?: Buffer | string, host = '127.0.0.1'): Promise<{ client: LineClient }> {
  const client = await LineClient.connect(port, host);
  if (first) client.write(first);
  return { client };
}

async function info(client: LineClient): Promise<{ remote: string; port: number; local: string; localPort: number; secure: boolean }> {
  client.write('INFO\r\n');
  for (;;) {
    const line = await client.line();
    if (line.startsWith('INFO ')) return JSON.parse(line.slice(5));
  }
}

describe('Grant and Deny', () => {
  it('closes an address outside the grant list before writing anything', async () => {
    const l = await server({ grant: ['10.0.0.0/8'] });
    const { client } = await probe(l.port);
    await client.closed();
    expect(client.received).toBe(0);
  });

  it('accepts an address inside the grant list', async () => {
    const l = await server({ grant: ['10.0.0.0/8', '127.0.0.0/8'] });
    const { client } = await probe(l.port);
    expect(await client.line()).toBe('* READY plain');
  });

  it('deny wins over grant', async () => {
    const l = await server({ grant: ['127.0.0.0/8'], deny: ['127.0.0.1/32'] });
    const { client } = await probe(l.port);
    await client.closed();
    expect(client.received).toBe(0);
  });

  it('applies IPv6 ranges on an IPv6 listener', async () => {
    const denied = await server({ address: '::1', deny: ['::1/128'] });
    expect(denied.address).toBe('::1');
    const a = await LineClient.connect(denied.port, '::1');
    await a.closed();
    expect(a.received).toBe(0);

    const granted = await server({ address: '::1', grant: ['::1'], deny: ['127.0.0.0/8'] });
    const b = await LineClient.connect(granted.port, '::1');
    expect(await b.line()).toBe('* READY plain');
    expect((await info(b)).remote).toBe('::1');
  });

  it('sees an IPv4 client of a dual-stack listener as IPv4', async () => {
    const l = await server({ address: '::', grant: ['127.0.0.0/8'] });
    const c = await LineClient.connect(l.port, '127.0.0.1');
    expect(await c.line()).toBe('* READY plain');
    expect((await info(c)).remote).toBe('127.0.0.1');
  });

  it('refuses before TLS on an implicit listener', async () => {
    const l = await server({ tls: 'implicit', deny: ['127.0.0.1'] }, { tls: material });
    const { client } = await probe(l.port);
    await client.closed();
    expect(client.received).toBe(0);
  });

  it('counts refusals and reports them as events', async () => {
    const l = await server({ deny: ['0.0.0.0/0'] });
    const before = refusedConnections();
    const seen: string[] = [];
    const onRefused = (e: { reason: string }): void => {
      seen.push(e.reason);
    };
    listenerEvents.on('refused', onRefused);
    const { client } = await probe(l.port);
    await client.closed();
    listenerEvents.off('refused', onRefused);
    expect(refusedConnections()).toBe(before + 1);
    expect(seen).toEqual(['deny']);
  });

  it('refuses to start with a bad CIDR entry', async () => {
    await expect(listen({ grant: ['10.0.0.0/8', 'bogus'] })).rejects.toThrow(/bogus/);
  });
});

describe('PROXY protocol', () => {
  const src = { address: '198.51.100.7', port: 40001 };
  const dst = { address: '192.0.2.10', port: 143 };

  it('v1: the client address comes from the header', async () => {
    const l = await server({ proxyProtocol: true });
    const { client } = await probe(l.port, buildProxyV1(src, dst));
    expect(await client.line()).toBe('* READY plain');
    expect(await info(client)).toMatchObject({ remote: src.address, port: src.port, local: dst.address, localPort: dst.port });
  });

  it('v2 IPv6, with a command in the same packet as the header', async () => {
    const l = await server({ proxyProtocol: true });
    const header = buildProxyV2({ source: { address: '2001:db8::99', port: 5555 }, destination: { address: '2001:db8::1', port: 993 } });
    const { client } = await probe(l.port, Buffer.concat([header, Buffer.from('INFO\r\n')]));
    expect(await client.line()).toBe('* READY plain');
    const line = await client.line();
    expect(JSON.parse(line.slice(5))).toMatchObject({ remote: '2001:db8::99', port: 5555 });
  });

  it('v2 LOCAL keeps the socket address', async () => {
    const l = await server({ proxyProtocol: true });
    const { client } = await probe(l.port, buildProxyV2());
    expect(await client.line()).toBe('* READY plain');
    expect((await info(client)).remote).toBe('127.0.0.1');
  });

  it('Grant/Deny look at the address from the header', async () => {
    const l = await server({ proxyProtocol: true, deny: ['198.51.100.0/24'] });
    const { client } = await probe(l.port, buildProxyV1(src, dst));
    await client.closed();
    expect(client.received).toBe(0);
    const other = await probe(l.port, buildProxyV1({ address: '203.0.113.5', port: 1 }, dst));
    expect(await other.client.line()).toBe('* READY plain');
  });

  it('a header split across packets is still read', async () => {
    const l = await server({ proxyProtocol: true });
    const header = buildProxyV2({ source: src, destination: dst });
    const { client } = await probe(l.port, header.subarray(0, 7));
    await sleep(30);
    client.write(header.subarray(7));
    expect(await client.line()).toBe('* READY plain');
    expect((await info(client)).remote).toBe(src.address);
  });

  it('a bad header closes the connection without a byte', async () => {
    const l = await server({ proxyProtocol: true });
    for (const bad of ['HELO example.com\r\n', 'PROXY TCP4 1.2.3.4 5.6.7.8 1 99999\r\n', 'PROXY TCP4 nonsense\r\n']) {
      const { client } = await probe(l.port, bad);
      await client.closed();
      expect(client.received).toBe(0);
    }
  });

  it('a missing header closes the connection when the wait is over', async () => {
    const l = await server({ proxyProtocol: true });
    const { client } = await probe(l.port);
    await sleep(200);
    expect(client.ended).toBe(false);
    await client.closed(7000);
    expect(client.received).toBe(0);
  }, 10_000);

  it('a header from outside proxyTrusted is refused', async () => {
    const l = await server({ proxyProtocol: true, proxyTrusted: ['10.0.0.0/8'] });
    const { client } = await probe(l.port, buildProxyV1(src, dst));
    await client.closed();
    expect(client.received).toBe(0);
  });

  it('the header comes before TLS on an implicit listener', async () => {
    const l = await server({ proxyProtocol: true, tls: 'implicit' }, { tls: material });
    const raw = net.connect({ port: l.port, host: '127.0.0.1' });
    await new Promise((resolve) => raw.once('connect', resolve));
    raw.write(buildProxyV1(src, dst));
    const tlsMod = await import('node:tls');
    const secure = await new Promise<LineClient>((resolve, reject) => {
      const s = tlsMod.connect({ socket: raw, rejectUnauthorized: false }, () => resolve(new LineClient(s)));
      s.once('error', reject);
    });
    expect(await secure.line()).toBe('* READY tls');
    expect(await info(secure)).toMatchObject({ remote: src.address, secure: true });
  });
});

describe('accounting', () => {
  it('tracks open connections per service and emits open/close', async () => {
    const l = await server({ service: 'acct' });
    const events: string[] = [];
    const onOpen = (e: { service: string }): void => {
      if (e.service === 'acct') events.push('open');
    };
    const onClose = (e: { service: string }): void => {
      if (e.service === 'acct') events.push('close');
    };
    listenerEvents.on('open', onOpen);
    listenerEvents.on('close', onClose);
    const c = await LineClient.connect(l.port);
    await c.line();
    expect(openConnections().acct).toBe(1);
    expect(l.connections()).toBe(1);
    c.write('QUIT\r\n');
    await c.closed();
    await sleep(20);
    listenerEvents.off('open', onOpen);
    listenerEvents.off('close', onClose);
    expect(events).toEqual(['open', 'close']);
    expect(openConnections().acct).toBe(0);
    expect(l.connections()).toBe(0);
  });

  it('counts an implicit TLS session closed when it ends', async () => {
    const l = await server({ service: 'acct-tls', tls: 'implicit' }, { tls: material });
    const c = await LineClient.connectTls(l.port);
    await c.line();
    expect(openConnections()['acct-tls']).toBe(1);
    c.write('QUIT\r\n');
    expect(await c.line()).toBe('BYE');
    await c.closed();
    await sleep(20);
    expect(openConnections()['acct-tls']).toBe(0);
    expect(l.connections()).toBe(0);
  });

  it('a listener needs a certificate for TLS modes', async () => {
    await expect(listen({ tls: 'starttls' })).rejects.toThrow(/certificate/);
  });

  it('reports a port that is already taken', async () => {
    const l = await server();
    await expect(listen({ port: l.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});

describe('Grant and Deny changed at run time (the access provider)', () => {
  it('asks the provider per connection: a deny applies to the next connection, clearing it lets in again', async () => {
    let rule: AccessRule | undefined;
    let asked = 0;
    const l = await server({}, { access: () => (asked++, rule) });
    const first = (await probe(l.port)).client;
    expect(await first.line()).toBe('* READY plain');
    rule = { deny: ['127.0.0.1'] };
    const refused = (await probe(l.port)).client;
    await refused.closed();
    expect(refused.received).toBe(0);
    // the connection already open is not touched
    first.write('INFO\r\n');
    expect(await first.line()).toMatch(/^INFO /);
    rule = undefined;
    expect(await (await probe(l.port)).client.line()).toBe('* READY plain');
    expect(asked).toBe(3);
  });

  it('replaces only the lists it gives: a grant override keeps the configured deny', async () => {
    let rule: AccessRule | undefined = { grant: ['127.0.0.0/8'] };
    const l = await server({ grant: ['10.0.0.0/8'], deny: ['127.0.0.2'] }, { access: async () => rule });
    expect(await (await probe(l.port)).client.line()).toBe('* READY plain');
    rule = { grant: [] };
    expect(await (await probe(l.port)).client.line()).toBe('* READY plain');
    rule = { deny: [] };
    const refused = (await probe(l.port)).client;
    await refused.closed();
    expect(refused.received).toBe(0);
  });

  it('keeps the last lists when the provider fails or answers a bad range, without refusing everyone', async () => {
    let mode: 'deny' | 'throw' | 'bad' | 'open' = 'deny';
    const l = await server({}, {
      access: () => {
        if (mode === 'throw') throw new Error('directory down');
        if (mode === 'bad') return { deny: ['not-an-address'] };
        return mode === 'deny' ? { deny: ['127.0.0.1'] } : {};
      },
    });
    const closedWith = async (): Promise<number> => {
      const c = (await probe(l.port)).client;
      await c.closed();
      return c.received;
    };
    expect(await closedWith()).toBe(0);
    mode = 'throw';
    expect(await closedWith()).toBe(0);
    mode = 'bad';
    expect(await closedWith()).toBe(0);
    mode = 'open';
    expect(await (await probe(l.port)).client.line()).toBe('* READY plain');
    mode = 'throw';
    expect(await (await probe(l.port)).client.line()).toBe('* READY plain');
  });

  it('warns once per problem, not once per connection', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const l = await server({}, { logger, access: () => Promise.reject(new Error('directory down')) });
    for (let i = 0; i < 3; i++) expect(await (await probe(l.port)).client.line()).toBe('* READY plain');
    expect(lines.filter((line) => line.includes('override unavailable'))).toHaveLength(1);
  });
});
