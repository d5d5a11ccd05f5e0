import { createHash } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { relaySession, type RelayPath } from '../src/relay-session.js';
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

/** `acceptedHalfOpen`: the accepted socket stays writable after the peer's FIN, as the listener's do */
async function pair(acceptedHalfOpen = false): Promise<[net.Socket, net.Socket]> {
  const server = net.createServer({ allowHalfOpen: acceptedHalfOpen });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const outer = net.connect({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port });
  await new Promise<void>((resolve) => outer.once('connect', resolve));
  const inner = await accepted;
  sockets.push(outer, inner);
  return [outer, inner];
}

async function rig(path: RelayPath, timeouts: RelayTimeouts, buffered = Buffer.alloc(0), leftover = Buffer.alloc(0)): Promise<Rig> {
  const [client, gatewayClient] = await pair(true);
  const [gatewayUpstream, peer] = await pair();
  // as Connection.takeOver hands them: paused
  gatewayClient.pause();
  gatewayUpstream.pause();
  const relay = relaySession(gatewayClient, buffered, { socket: gatewayUpstream, leftover, host: '127.0.0.1', port: 0 }, timeouts, { path });
  // every test's result is checked to come from the path under test
  if (path !== 'auto') void relay.then((result) => expect(result.path).toBe(path), () => undefined);
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

/**
 * write `total` bytes of a pattern derived from `seed` as fast as the socket takes them, then end
 * (once `endAfter` settled); resolves with their sha256
 */
function sendPattern(socket: net.Socket, total: number, seed: number, endAfter?: Promise<unknown>): Promise<string> {
  const hash = createHash('sha256');
  const block = Buffer.alloc(256 * 1024);
  for (let i = 0; i < block.length; i++) block[i] = (i * 31 + seed) & 0xff;
  return new Promise<string>((resolve) => {
    let sent = 0;
    const pump = (): void => {
      while (sent < total) {
        const chunk = block.subarray(0, Math.min(block.length, total - sent));
        // each chunk differs from the last: a lost or repeated chunk changes the digest
        chunk[0] = (sent / block.length) & 0xff;
        hash.update(chunk);
        sent += chunk.length;
        if (!socket.write(Buffer.from(chunk))) {
          socket.once('drain', pump);
          return;
        }
      }
      void (endAfter ?? Promise.resolve()).then(() => socket.end());
      resolve(hash.digest('hex'));
    };
    pump();
  });
}

/** everything the socket receives until its end: byte count and sha256 */
function receiveAll(socket: net.Socket): Promise<{ bytes: number; digest: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  return new Promise((resolve) => {
    socket.on('data', (c: Buffer) => {
      hash.update(c);
      bytes += c.length;
    });
    socket.once('end', () => resolve({ bytes, digest: hash.digest('hex') }));
  });
}

// the same behaviour from both ways of copying: stream pipes, and splice(2) in the native addon
describe.each<RelayPath>(['js', 'splice'])('relaySession (%s)', (path) => {
  it('delivers the bytes read past the login first, then copies both ways until the client closes', async () => {
    const r = await rig(path, NO_TIMEOUTS, Buffer.from('b SELECT INBOX\r\n'), Buffer.from('* upstream extra\r\n'));
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
    const r = await rig(path, NO_TIMEOUTS);
    const atClient = collect(r.client);
    const clientEnded = new Promise<void>((resolve) => r.client.once('end', resolve));
    r.peer.end('* BYE logging out\r\n');
    await clientEnded;
    expect(atClient.text()).toBe('* BYE logging out\r\n');
    r.client.end();
    expect((await r.relay).reason).toBe('upstream-closed');
  });

  it('ends both sides after the idle timeout, and activity postpones it', async () => {
    const r = await rig(path, { idleTimeoutMs: 300, totalTimeoutMs: 0 });
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
    const r = await rig(path, { idleTimeoutMs: 10_000, totalTimeoutMs: 400 });
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
    const r = await rig(path, NO_TIMEOUTS);
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
    const r = await rig(path, { idleTimeoutMs: 4000, totalTimeoutMs: 60_000 });
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
    // the pipes' own listeners only (a counter or a timer refresh per chunk would add one); none
    // with splice, where no byte reaches JavaScript
    expect(r.gatewayUpstream.listenerCount('data')).toBe(path === 'js' ? 1 : 0);
    expect(r.gatewayClient.listenerCount('data')).toBe(path === 'js' ? 1 : 0);
    expect(r.gatewayUpstream.timeout ?? 0).toBe(0);
    expect(r.gatewayClient.timeout ?? 0).toBe(0);
    r.peer.end();
    r.client.end();
    expect((await r.relay).bytesDown).toBe(total);
  }, 40_000);

  it('passes a half-close on: the client ends its side, the upstream still answers, then ends too', async () => {
    const r = await rig(path, NO_TIMEOUTS);
    // a server that answers after the client's FIN (instead of Node's default: FIN back at once)
    r.peer.allowHalfOpen = true;
    const atClient = collect(r.client);
    const atPeer = collect(r.peer);
    const clientEnded = new Promise<void>((resolve) => r.client.once('end', resolve));
    const peerEnded = new Promise<void>((resolve) => r.peer.once('end', resolve));
    r.client.end('a LOGOUT\r\n');
    await peerEnded;
    expect(atPeer.text()).toBe('a LOGOUT\r\n');
    // the client's FIN did not end the other direction
    r.peer.end('* BYE\r\na OK LOGOUT completed\r\n');
    await clientEnded;
    expect(atClient.text()).toBe('* BYE\r\na OK LOGOUT completed\r\n');
    const result = await r.relay;
    expect(result.reason).toBe('client-closed');
    expect(result.bytesUp).toBe(10);
    expect(result.bytesDown).toBe(30);
  });

  it('copies 64 MB each way at once, every byte in order, and counts them', async () => {
    const r = await rig(path, { idleTimeoutMs: 10_000, totalTimeoutMs: 60_000 });
    const total = 64 * 1024 * 1024;
    // both send at once; the peer keeps sending after the client's FIN, and ends only after it
    // (an upstream's FIN ends the session's upstream socket both ways in the pipe path)
    r.peer.allowHalfOpen = true;
    const atPeer = receiveAll(r.peer);
    const atClient = receiveAll(r.client);
    const [upDigest, downDigest] = await Promise.all([sendPattern(r.client, total, 1), sendPattern(r.peer, total, 2, atPeer)]);
    const [gotUp, gotDown] = await Promise.all([atPeer, atClient]);
    expect(gotUp).toEqual({ bytes: total, digest: upDigest });
    expect(gotDown).toEqual({ bytes: total, digest: downDigest });
    const result = await r.relay;
    expect(result.bytesUp).toBe(total);
    expect(result.bytesDown).toBe(total);
    expect(['client-closed', 'upstream-closed']).toContain(result.reason);
  }, 60_000);

  it('relays 20 sessions at once, each to its end with its own bytes', async () => {
    const rigs = await Promise.all(Array.from({ length: 20 }, () => rig(path, { idleTimeoutMs: 10_000, totalTimeoutMs: 60_000 })));
    const outcomes = await Promise.all(
      rigs.map(async (r, i) => {
        r.peer.allowHalfOpen = true;
        const atPeer = receiveAll(r.peer);
        const atClient = receiveAll(r.client);
        const [upDigest, downDigest] = await Promise.all([sendPattern(r.client, 100_000 + i, i), sendPattern(r.peer, 2_000_000 + i, 100 + i, atPeer)]);
        const [gotUp, gotDown] = await Promise.all([atPeer, atClient]);
        expect(gotUp).toEqual({ bytes: 100_000 + i, digest: upDigest });
        expect(gotDown).toEqual({ bytes: 2_000_000 + i, digest: downDigest });
        return r.relay;
      }),
    );
    outcomes.forEach((result, i) => {
      expect(result.bytesUp).toBe(100_000 + i);
      expect(result.bytesDown).toBe(2_000_000 + i);
    });
  }, 60_000);

  it('ends at once when the client resets the connection', async () => {
    const r = await rig(path, NO_TIMEOUTS);
    const peerClosed = new Promise<void>((resolve) => r.peer.once('close', resolve));
    r.peer.on('error', () => undefined);
    r.client.resetAndDestroy();
    const result = await r.relay;
    await peerClosed;
    expect(['client-closed', 'error']).toContain(result.reason);
  });
});

describe('relaySession path choice', () => {
  it('auto splices two plain TCP sockets, and PORTCULLIS_RELAY_PATH=js keeps the pipes', async () => {
    const auto = await rig('auto', NO_TIMEOUTS);
    auto.client.end();
    auto.peer.end();
    expect((await auto.relay).path).toBe('splice');
    const before = process.env.PORTCULLIS_RELAY_PATH;
    process.env.PORTCULLIS_RELAY_PATH = 'js';
    try {
      const [client, gatewayClient] = await pair(true);
      const [gatewayUpstream, peer] = await pair();
      const relay = relaySession(gatewayClient, Buffer.alloc(0), { socket: gatewayUpstream, leftover: Buffer.alloc(0), host: '127.0.0.1', port: 0 }, NO_TIMEOUTS);
      client.end();
      peer.end();
      expect((await relay).path).toBe('js');
    } finally {
      if (before === undefined) delete process.env.PORTCULLIS_RELAY_PATH;
      else process.env.PORTCULLIS_RELAY_PATH = before;
    }
  });

  it('refuses splice on a TLS hop (and auto falls back to the pipes, logging why once)', async () => {
    const [, gatewayClient] = await pair(true);
    const [gatewayUpstream] = await pair();
    const secure = new tls.TLSSocket(gatewayClient);
    const upstream = { socket: gatewayUpstream, leftover: Buffer.alloc(0), host: '127.0.0.1', port: 0 };
    await expect(relaySession(secure, Buffer.alloc(0), upstream, NO_TIMEOUTS, { path: 'splice' })).rejects.toThrow(/TLS/);
    const debug = vi.fn();
    const relay = relaySession(secure, Buffer.alloc(0), upstream, { idleTimeoutMs: 0, totalTimeoutMs: 200 }, { log: { debug } });
    const result = await relay;
    expect(result.path).toBe('js');
    expect(result.reason).toBe('total-timeout');
    expect(debug).toHaveBeenCalledWith({ why: 'TLS on a hop' }, expect.stringContaining('stream pipes'));
    secure.destroy();
  });

  it('splice: a socket destroyed from JS meanwhile (a gateway shutting down) ends the session', async () => {
    const r = await rig('splice', NO_TIMEOUTS);
    const atPeer = collect(r.peer);
    const peerClosed = new Promise<void>((resolve) => r.peer.once('close', resolve));
    r.client.write('x');
    await until(() => atPeer.bytes() === 1);
    r.gatewayClient.destroy();
    const result = await r.relay;
    await peerClosed;
    expect(result.reason).toBe('error');
    expect(result.bytesUp).toBe(1);
  });

  it('splice: the upstream resetting while bytes flow to it ends the session, the client is closed', async () => {
    const r = await rig('splice', NO_TIMEOUTS);
    r.client.on('error', () => undefined);
    const clientClosed = new Promise<void>((resolve) => r.client.once('close', resolve));
    const block = Buffer.alloc(1024 * 1024, 0x63);
    const ticker = setInterval(() => r.client.writable && r.client.write(block), 5);
    try {
      await until(() => r.peer.bytesRead > 0);
      r.peer.resetAndDestroy();
      const result = await r.relay;
      await clientClosed;
      expect(['upstream-closed', 'error']).toContain(result.reason);
    } finally {
      clearInterval(ticker);
    }
  });
});
