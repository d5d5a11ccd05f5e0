import { afterEach, describe, expect, it } from 'vitest';
import type { RunningListener } from '../src/listener.js';
import type { Connection } from '../src/types.js';
import { LineClient, listen } from './helpers.js';

let running: RunningListener[] = [];
afterEach(async () => {
  await Promise.all(running.map((l) => l.close(100)));
  running = [];
});

/** reads one line, takes the socket over and echoes in upper case what was buffered and what follows */
async function takeOverProtocol(conn: Connection): Promise<void> {
  conn.write('* READY\r\n');
  const first = await conn.readLine();
  conn.write(`GOT ${first.toString('latin1')}\r\n`);
  const taken = conn.takeOver?.();
  if (!taken) throw new Error('no takeOver');
  conn.write('never sent\r\n');
  const { socket, buffered } = taken;
  socket.write(`BUFFERED ${buffered.toString('latin1').replace(/\r\n/g, '|')}\r\n`);
  socket.on('data', (chunk: Buffer) => socket.write(chunk.toString('latin1').toUpperCase()));
  socket.on('end', () => socket.end());
  socket.resume();
  // close() must wait for the socket to be gone instead of cutting it
  await conn.close();
}

describe('takeOver', () => {
  it('hands on unread bytes and the live socket; write() after it does nothing; close() waits', async () => {
    const l = await listen({}, { handler: takeOverProtocol });
    running.push(l);
    const c = await LineClient.connect(l.port);
    expect(await c.line()).toBe('* READY');
    // two lines in one packet: the second one is read by the line reader but not consumed
    c.write('first\r\npipelined\r\n');
    expect(await c.line()).toBe('GOT first');
    expect(await c.line()).toBe('BUFFERED pipelined|');
    c.write('after take over\r\n');
    expect(await c.line()).toBe('AFTER TAKE OVER');
    await new Promise((resolve) => setTimeout(resolve, 100));
    c.write('still open\r\n');
    expect(await c.line()).toBe('STILL OPEN');
    c.end();
    await c.closed();
  });

  it('refuses while a read is pending', async () => {
    let error: unknown;
    const l = await listen(
      {},
      {
        handler: async (conn) => {
          const read = conn.readLine();
          try {
            conn.takeOver?.();
          } catch (err) {
            error = err;
          }
          conn.write('done\r\n');
          await read.catch(() => undefined);
          await conn.close();
        },
      },
    );
    running.push(l);
    const c = await LineClient.connect(l.port);
    expect(await c.line()).toBe('done');
    expect(String(error)).toMatch(/pending/);
    c.end();
  });
});
