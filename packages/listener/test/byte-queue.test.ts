import { describe, expect, it } from 'vitest';
import { ByteQueue } from '../src/byte-queue.js';

describe('ByteQueue', () => {
  it('finds, takes and skips across chunk borders', () => {
    const q = new ByteQueue();
    q.push(Buffer.from('ab'));
    q.push(Buffer.from('c\nde'));
    q.push(Buffer.from('f\n'));
    expect(q.length).toBe(8);
    expect(q.indexOf(0x0a)).toBe(3);
    expect(q.indexOf(0x0a, 4)).toBe(7);
    expect(q.at(4)).toBe(0x64);
    expect(q.take(4).toString()).toBe('abc\n');
    q.skip(1);
    expect(q.take(3).toString()).toBe('ef\n');
    expect(q.length).toBe(0);
    expect(q.indexOf(0x0a)).toBe(-1);
  });

  it('refuses to take more than it holds', () => {
    const q = new ByteQueue();
    q.push(Buffer.from('xy'));
    expect(() => q.take(3)).toThrow(RangeError);
  });
});
