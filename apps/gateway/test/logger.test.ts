import { describe, expect, it } from 'vitest';
import { TurnBatch } from '../src/serve/logger.js';

function recorder() {
  const writes: string[] = [];
  return { writes, destination: { write: (t: string) => writes.push(t), flushSync: () => undefined } };
}

describe('TurnBatch (log lines of one event-loop turn in one write)', () => {
  it('writes the lines of a turn together, at the end of that turn', async () => {
    const { writes, destination } = recorder();
    const batch = new TurnBatch(destination);
    batch.write('{"msg":"a"}\n');
    batch.write('{"msg":"b"}\n');
    expect(writes).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(writes).toEqual(['{"msg":"a"}\n{"msg":"b"}\n']);
    batch.write('{"msg":"c"}\n');
    await new Promise((r) => setImmediate(r));
    expect(writes).toEqual(['{"msg":"a"}\n{"msg":"b"}\n', '{"msg":"c"}\n']);
  });

  it('flush() writes what is pending at once, and nothing when empty', () => {
    const { writes, destination } = recorder();
    const batch = new TurnBatch(destination);
    batch.flush();
    expect(writes).toEqual([]);
    batch.write('x\n');
    batch.flush();
    expect(writes).toEqual(['x\n']);
  });

  it('does not hold more than a bounded batch', () => {
    const { writes, destination } = recorder();
    const batch = new TurnBatch(destination);
    const line = `${'y'.repeat(1023)}\n`;
    for (let i = 0; i < 64; i++) batch.write(line);
    expect(writes).toHaveLength(1);
    expect(writes[0]).toHaveLength(64 * 1024);
  });
});
