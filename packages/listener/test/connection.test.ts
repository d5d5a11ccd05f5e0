import { afterEach, describe, expect, it } from 'vitest';
import type { RunningListener } from '../src/listener.js';
import { ConnectionClosedError, type Connection } from '../src/types.js';
import { hex, LineClient, listen, sleep } from './helpers.js';

let running: RunningListener[] = [];
afterEach(async () => {
  await Promise.all(running.map((l) => l.close(100)));
  running = [];
});

async function server(...args: Parameters<typeof listen>): Promise<RunningListener> {
  const l = await listen(...args);
  running.push(l);
  return l;
}

describe('line reading', () => {
  it('reports the real port when asked for port 0', async () => {
    const l = await server();
    expect(l.port).toBeGreaterThan(0);
    expect(l.address).toBe('127.0.0.1');
    const c = await LineClient.connect(l.port);
    expect(await c.line()).toBe('* READY plain');
  });

  it('answers pipelined lines in order, CRLF and bare LF alike', async () => {
    const l = await server();
    const c = await LineClient.connect(l.port);
    await c.line();
    c.write('one\r\ntwo\nthree\r\n');
    expect(await c.line()).toBe(`LINE ${hex('one')}`);
    expect(await c.line()).toBe(`LINE ${hex('two')}`);
    expect(await c.line()).toBe(`LINE ${hex('three')}`);
  });

  it('assembles a line split across packets, CR and LF in different packets', async () => {
    const l = await server();
    const c = await LineClient.connect(l.port);
    await c.line();
    for (const part of ['hel', 'lo wor', 'ld\r']) {
      c.write(part);
      await sleep(20);
    }
    c.write('\n');
    expect(await c.line()).toBe(`LINE ${hex('hello world')}`);
  });

  it('passes NUL and 8-bit bytes through untouched', async () => {
    const l = await server();
    const c = await LineClient.connect(l.port);
    await c.line();
    const raw = Buffer.from([0x61, 0x00, 0x62, 0xff, 0x0d, 0x63]);
    c.write(Buffer.concat([raw, Buffer.from('\r\n')]));
    expect(await c.line()).toBe(`LINE ${raw.toString('hex')}`);
  });

  it('rejects an over-long line, skips the rest of it, and reads the next good line', async () => {
    const l = await server();
    const c = await LineClient.connect(l.port);
    await c.line();
    // sent in pieces so that the limit is crossed before the line end arrives
    c.write('x'.repeat(5000));
    await sleep(20);
    c.write('y'.repeat(5000));
    await sleep(20);
    c.write('z'.repeat(5000) + '\r\nafter\r\n');
    expect(await c.line()).toBe('ERR too long 8192');
    expect(await c.line()).toBe(`LINE ${hex('after')}`);
  });

  it('rejects an over-long line that arrives whole, and accepts one of exactly the limit', async () => {
    const l = await server();
    const c = await LineClient.connect(l.port);
    await c.line();
    c.write('a'.repeat(8193) + '\r\n' + 'b'.repeat(8192) + '\r\n');
    expect(await c.line()).toBe('ERR too long 8192');
    const ok = await c.line();
    expect(ok.length).toBe(5 + 8192 * 2);
  });

  it('honours a larger per-call limit for one line', async () => {
    const l = await server();
    const c = await LineClient.connect(l.port);
    await c.line();
    c.write(`LONG 40000\r\n${'q'.repeat(30000)}\r\n`);
    expect(await c.line()).toBe('LONG 30000');
    c.write(`LONG 999999\r\n${'q'.repeat(70000)}\r\n`);
    expect(await c.line()).toBe('ERR too long 65536');
  });

  it('closes a connection whose single line never ends', async () => {
    const l = await server();
    const c = await LineClient.connect(l.port);
    await c.line();
    const chunk = 'n'.repeat(64 * 1024);
    for (let i = 0; i < 20 && !c.ended; i++) {
      c.write(chunk);
      await sleep(5);
    }
    await c.closed();
  });
});

describe('literals', () => {
  it('reads exactly n bytes, line ends and NULs included, then continues with lines', async () => {
    const l = await server();
    const c = await LineClient.connect(l.port);
    await c.line();
    const literal = Buffer.from('a\r\nb\x00c');
    c.write(Buffer.concat([Buffer.from(`LIT ${literal.length}\r\n`), literal, Buffer.from('next\r\n')]));
    expect(await c.line()).toBe(`LIT ${literal.toString('hex')}`);
    expect(await c.line()).toBe(`LINE ${hex('next')}`);
  });

  it('waits for a literal that arrives in pieces, larger than the line buffer', async () => {
    const l = await server();
    const c = await LineClient.connect(l.port);
    await c.line();
    const size = 200_000;
    c.write(`LIT ${size}\r\n`);
    for (let sent = 0; sent < size; sent += 50_000) {
      c.write(Buffer.alloc(50_000, 0x41));
      await sleep(10);
    }
    const reply = await c.line();
    expect(reply).toBe(`LIT ${'41'.repeat(size)}`);
  });

  it('discards a literal without keeping it', async () => {
    const l = await server();
    const c = await LineClient.connect(l.port);
    await c.line();
    c.write(`SKIP 100000\r\n`);
    c.write(Buffer.alloc(100_000, 0x42));
    c.write('after\r\n');
    expect(await c.line()).toBe('SKIPPED');
    expect(await c.line()).toBe(`LINE ${hex('after')}`);
  });

  it('readSome returns what is buffered, at most max bytes, and leaves the rest for the next read', async () => {
    const l = await server();
    const c = await LineClient.connect(l.port);
    await c.line();
    c.write('SOME 5\r\n');
    c.write('abcdefgh\r\n');
    expect(await c.line()).toBe(`SOME ${hex('abcde')}`);
    expect(await c.line()).toBe(`LINE ${hex('fgh')}`);
  });

  it('readSome waits for the first byte and returns a short chunk as is', async () => {
    const l = await server();
    const c = await LineClient.connect(l.port);
    await c.line();
    c.write('SOME 4096\r\n');
    await sleep(120);
    c.write('xy');
    expect(await c.line()).toBe(`SOME ${hex('xy')}`);
  });
});

describe('timeouts and closing', () => {
  it('rejects a pending read with IdleTimeoutError before login', async () => {
    const l = await server({ idleTimeoutPreLogin: 0.15 });
    const c = await LineClient.connect(l.port);
    await c.line();
    const started = Date.now();
    expect(await c.line()).toBe('BYE idle');
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    await c.closed();
  });

  it('uses the post-login timeout after setLoggedIn', async () => {
    const l = await server({ idleTimeoutPreLogin: 0.1, idleTimeoutPostLogin: 0.6 });
    const c = await LineClient.connect(l.port);
    await c.line();
    c.write('LOGIN\r\n');
    expect(await c.line()).toBe('OK logged in');
    await sleep(300);
    c.write('still here\r\n');
    expect(await c.line()).toBe(`LINE ${hex('still here')}`);
    expect(await c.line(2000)).toBe('BYE idle');
  });

  it('activity resets the idle timer', async () => {
    const l = await server({ idleTimeoutPreLogin: 0.3 });
    const c = await LineClient.connect(l.port);
    await c.line();
    for (let i = 0; i < 4; i++) {
      await sleep(150);
      c.write('ping\r\n');
      expect(await c.line()).toBe(`LINE ${hex('ping')}`);
    }
  });

  it('rejects a pending read with ConnectionClosedError when the client goes', async () => {
    let seen: unknown;
    const l = await server(
      {},
      {
        handler: async (conn: Connection) => {
          try {
            await conn.readLine();
          } catch (err) {
            seen = err;
          }
        },
      },
    );
    const c = await LineClient.connect(l.port);
    c.write('partial line without end');
    await sleep(20);
    c.end();
    await c.closed();
    await sleep(20);
    expect(seen).toBeInstanceOf(ConnectionClosedError);
  });

  it('still answers a client that half-closes after its last command', async () => {
    const l = await server();
    const c = await LineClient.connect(l.port);
    await c.line();
    c.write('last\r\n');
    c.end();
    expect(await c.line()).toBe(`LINE ${hex('last')}`);
    await c.closed();
  });

  it('close() flushes what was written, and later writes are ignored', async () => {
    const l = await server();
    const c = await LineClient.connect(l.port);
    await c.line();
    c.write('QUIT\r\n');
    expect(await c.line()).toBe('BYE');
    await c.closed();
    await expect(c.line()).rejects.toThrow('connection closed');
  });

  it('a throwing handler closes its connection and the server keeps serving', async () => {
    const l = await server();
    const c = await LineClient.connect(l.port);
    await c.line();
    c.write('THROW\r\n');
    await c.closed();
    const d = await LineClient.connect(l.port);
    expect(await d.line()).toBe('* READY plain');
    d.write('ok\r\n');
    expect(await d.line()).toBe(`LINE ${hex('ok')}`);
  });

  it('a handler that rejects right away and one that never reads are both cleaned up', async () => {
    const l = await server({}, { handler: () => Promise.reject(new Error('boom')) });
    const c = await LineClient.connect(l.port);
    await c.closed();
    await sleep(20);
    expect(l.connections()).toBe(0);
  });

  it('listener close() ends open sessions and counts down to zero', async () => {
    const l = await listen();
    const a = await LineClient.connect(l.port);
    const b = await LineClient.connect(l.port);
    await a.line();
    await b.line();
    expect(l.connections()).toBe(2);
    await l.close(500);
    await a.closed();
    await b.closed();
    expect(l.connections()).toBe(0);
  });
});
