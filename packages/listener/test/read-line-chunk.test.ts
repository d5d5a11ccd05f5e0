/** readLineChunk: raw bytes up to the next LF, line endings as sent, never past the line. */
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningListener } from '../src/listener.js';
import type { Connection } from '../src/types.js';
import { LineClient, listen, sleep } from './helpers.js';

let running: RunningListener | undefined;
afterEach(async () => {
  await running?.close(100);
  running = undefined;
});

/** echoes each chunk as hex until a chunk is exactly "END\r\n", then one readLine to show nothing was over-read */
async function chunkEcho(conn: Connection): Promise<void> {
  conn.write('READY\r\n');
  for (;;) {
    const chunk = await conn.readLineChunk!(8);
    conn.write(`CHUNK ${chunk.toString('hex')}\r\n`);
    if (chunk.toString('latin1') === 'END\r\n') break;
  }
  const line = await conn.readLine();
  conn.write(`LINE ${line.toString('latin1')}\r\n`);
}

describe('readLineChunk', () => {
  it('stops at each LF, keeps CR and bare LF as sent, splits at maxBytes, and leaves the rest for readLine', async () => {
    running = await listen({}, { handler: chunkEcho });
    const c = await LineClient.connect(running.port);
    expect(await c.line()).toBe('READY');
    c.write('a\r\nb\nc\rd0123456789\r\nEND\r\nnext line\r\n');
    const hex = (s: string) => Buffer.from(s, 'latin1').toString('hex');
    for (const want of ['a\r\n', 'b\n', 'c\rd01234', '56789\r\n', 'END\r\n']) expect(await c.line()).toBe(`CHUNK ${hex(want)}`);
    expect(await c.line()).toBe('LINE next line');
  });

  it('answers with what is there before a line is complete', async () => {
    running = await listen({}, { handler: chunkEcho });
    const c = await LineClient.connect(running.port);
    await c.line();
    c.write('ab');
    expect(await c.line()).toBe(`CHUNK ${Buffer.from('ab').toString('hex')}`);
    await sleep(10);
    c.write('END\r\n\r\n');
    expect(await c.line()).toBe(`CHUNK ${Buffer.from('END\r\n').toString('hex')}`);
    expect(await c.line()).toBe('LINE ');
  });
});
