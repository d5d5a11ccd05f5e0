import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { relaySession } from '../src/relay-session.js';
import type { RelayResult, RelayTimeouts } from '../src/types.js';

/**
 * Four real sockets: the test's client ↔ (gatewayClient | relay | gatewayUpstream) ↔ the test's
 * upstream peer. The relay runs between the two gateway-side sockets.
 */
interface Rig {
  client: net.Socket;
  peer: net.Socket;
  gatewayClient: net.Socket;
  gatewayUpstream: net.Socket;
  relay: Promise<RelayResult>;
}

const servers: net.Server[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

async function pair(): Promise<[net.Socket, net.Socket]> {
  const server = net.createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const outer = net.connect({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port });
  await new Promise<void>((resolve) => outer.once('connect', resolve));
  const inner = await accepted;
  sockets.push(outer, inner);
  return [outer, inner];
}

async function rig(timeouts: RelayTimeouts, buffered = Buffer.alloc(0), leftover = Buffer.alloc(0)): Promise<Rig> {
  const [client, gatewayClient] = await pair();
  const [gatewayUpstream, peer] = await pair();
  // as Connection.takeOver hands them: paused
  gatewayClient.pause();
  gatewayUpstream.pause();
  const relay = relaySession(gatewayClient, buffered, { socket: gatewayUpstream, leftover, host: '127.0.0.1', port: 0 }, timeouts);
  return { client, peer, gatewayClient, gatewayUpstream, relay };
}

function collect(socket: net.Socket): { text: () => string; bytes: () => number } {
  const chunks: Buffer[] = [];
  let bytes = 0;
  socket.on('data', (c: Buffer) => {
    chunks.push(c);
    bytes += c.length;
  });
  return { text: () => Buffer.concat(chunks).toString('latin1'), bytes: () => bytes };
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const NO_TIMEOUTS: RelayTimeouts = { idleTimeoutMs: 0, totalTimeoutMs: 0 };

describe('relaySession', () => {
  it('delivers the bytes read past the login first, then copies both ways until the client closes', async () => {
    const r = await rig(NO_TIMEOUTS, Buffer.from('b SELECT INBOX\r\n'), Buffer.from('* upstream extra\r\n'));
    const atClient = collect(r.client);
    const atPeer = collect(r.peer);
    await until(() => atClient.text() === '* upstream extra\r\n' && atPeer.text() === 'b SELECT INBOX\r\n');
    r.client.write('c NOOP\r\n');
    r.peer.write('c OK done\r\n');
    await until(() => atClient.text().endsWith('c OK done\r\n') && atPeer.text().endsWith('c NOOP\r\n'));
    const peerEnded = new Promise<void>((resolve) => r.peer.once('end', resolve));
    r.client.end();
    await peerEnded;
    r.peer.end();
    const result = await r.relay;
    expect(result.reason).toBe('client-closed');
    expect(result.bytesUp).toBe('b SELECT INBOX\r\nc NOOP\r\n'.length);
    expect(result.bytesDown).toBe('* upstream extra\r\nc OK done\r\n'.length);
  });

  it('ends the client side when the upstream closes, after what it sent has arrived', async () => {
    const r = await rig(NO_TIMEOUTS);
    const atClient = collect(r.client);
    const clientEnded = new Promise<void>((resolve) => r.client.once('end', resolve));
    r.peer.end('* BYE logging out\r\n');
    await clientEnded;
    expect(atClient.text()).toBe('* BYE logging out\r\n');
    r.client.end();
    expect((await r.relay).reason).toBe('upstream-closed');
  });

  it('ends both sides after the idle timeout, and activity postpones it', async () => {
    const r = await rig({ idleTimeoutMs: 300, totalTimeoutMs: 0 });
    collect(r.client);
    collect(r.peer);
    const started = Date.now();
    // traffic every 100 ms for 600 ms keeps the session alive past the idle time
    for (let i = 0; i < 6; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      r.client.write('x');
    }
    const clientClosed = new Promise<void>((resolve) => r.client.once('close', resolve));
    const peerClosed = new Promise<void>((resolve) => r.peer.once('close', resolve));
    const result = await r.relay;
    await Promise.all([clientClosed, peerClosed]);
    expect(result.reason).toBe('idle-timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(850);
  });

  it('ends both sides after the total timeout even while bytes flow', async () => {
    const r = await rig({ idleTimeoutMs: 10_000, totalTimeoutMs: 400 });
    collect(r.client);
    collect(r.peer);
    const started = Date.now();
    const ticker = setInterval(() => r.peer.writable && r.peer.write('tick\r\n'), 50);
    try {
      const result = await r.relay;
      expect(result.reason).toBe('total-timeout');
      expect(Date.now() - started).toBeGreaterThanOrEqual(380);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(result.bytesDown).toBeGreaterThan(0);
    } finally {
      clearInterval(ticker);
    }
  });

  it('applies backpressure: a client that does not read stops the upstream reads; all bytes arrive later', async () => {
    const r = await rig(NO_TIMEOUTS);
    const total = 64 * 1024 * 1024;
    const chunk = Buffer.alloc(256 * 1024, 0x61);
    let sent = 0;
    let peerDone = false;
    // the peer writes as fast as its socket takes it
    const pump = (): void => {
      while (sent < total) {
        sent += chunk.length;
        if (!r.peer.write(chunk)) {
          r.peer.once('drain', pump);
          return;
        }
      }
      peerDone = true;
    };
    r.client.pause();
    pump();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // the relay paused its upstream reads instead of buffering everything in memory
    expect(r.gatewayUpstream.isPaused()).toBe(true);
    expect(r.gatewayClient.writableLength).toBeLessThan(4 * 1024 * 1024);
    expect(peerDone).toBe(false);
    let received = 0;
    r.client.on('data', (c: Buffer) => (received += c.length));
    r.client.resume();
    await until(() => received === total, 30_000);
    expect(peerDone).toBe(true);
    r.peer.end();
    r.client.end();
    const result = await r.relay;
    expect(result.bytesDown).toBe(total);
  }, 40_000);

  it('does no per-chunk work of its own: one data listener per side, no socket timeout, no timer per chunk', async () => {
    const r = await rig({ idleTimeoutMs: 4000, totalTimeoutMs: 60_000 });
    const total = 32 * 1024 * 1024;
    let chunks = 0;
    let received = 0;
    r.client.on('data', (c: Buffer) => {
      chunks += 1;
      received += c.length;
    });
    const timers = vi.spyOn(globalThis, 'setTimeout');
    try {
      const block = Buffer.alloc(1024 * 1024, 0x62);
      for (let sent = 0; sent < total; sent += block.length) {
        if (!r.peer.write(block)) await new Promise((resolve) => r.peer.once('drain', resolve));
      }
      await until(() => received === total, 30_000);
      // the idle check runs every quarter idle time (1 s): a handful of calls at most, whatever the chunk count
      const relayTimers = timers.mock.calls.filter(([, ms]) => ms === 1000).length;
      expect(chunks).toBeGreaterThan(100);
      expect(relayTimers).toBeLessThan(chunks / 20);
    } finally {
      timers.mockRestore();
    }
    // the pipes' own listeners only (a counter or a timer refresh per chunk would add one)
    expect(r.gatewayUpstream.listenerCount('data')).toBe(1);
    expect(r.gatewayClient.listenerCount('data')).toBe(1);
    expect(r.gatewayUpstream.timeout ?? 0).toBe(0);
    expect(r.gatewayClient.timeout ?? 0).toBe(0);
    r.peer.end();
    r.client.end();
    expect((await r.relay).bytesDown).toBe(total);
  }, 40_000);

  it('ends at once when the client resets the connection', async () => {
    const r = await rig(NO_TIMEOUTS);
    const peerClosed = new Promise<void>((resolve) => r.peer.once('close', resolve));
    r.peer.on('error', () => undefined);
    r.client.resetAndDestroy();
    const result = await r.relay;
    await peerClosed;
    expect(['client-closed', 'error']).toContain(result.reason);
  });
});
