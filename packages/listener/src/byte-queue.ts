/**
 * The connection's input: received chunks kept as a list, so a large literal is assembled once
 * instead of being re-concatenated on every packet.
 */
export class ByteQueue {
  private chunks: Buffer[] = [];
  private total = 0;

  get length(): number {
    return this.total;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.total += chunk.length;
  }

  /** index of the first `byte` at or after `from`, or -1 */
  indexOf(byte: number, from = 0): number {
    let base = 0;
    for (const chunk of this.chunks) {
      if (from < base + chunk.length) {
        const at = chunk.indexOf(byte, Math.max(0, from - base));
        if (at >= 0) return base + at;
      }
      base += chunk.length;
    }
    return -1;
  }

  /** the byte at index, or undefined */
  at(index: number): number | undefined {
    let base = 0;
    for (const chunk of this.chunks) {
      if (index < base + chunk.length) return chunk[index - base];
      base += chunk.length;
    }
    return undefined;
  }

  /** remove and return the first n bytes (n <= length) */
  take(n: number): Buffer {
    if (n > this.total) throw new RangeError('take beyond queue length');
    const first = this.chunks[0];
    if (first && first.length >= n) {
      // the common case: one packet holds the whole line
      const out = first.subarray(0, n);
      this.skip(n);
      return Buffer.from(out);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0] as Buffer;
      const part = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, part);
      filled += part;
      this.skip(part);
    }
    return out;
  }

  /** drop the first n bytes (or all when n >= length) */
  skip(n: number): void {
    let left = Math.min(n, this.total);
    this.total -= left;
    while (left > 0) {
      const chunk = this.chunks[0] as Buffer;
      if (chunk.length <= left) {
        this.chunks.shift();
        left -= chunk.length;
      } else {
        this.chunks[0] = chunk.subarray(left);
        left = 0;
      }
    }
  }

  clear(): void {
    this.chunks = [];
    this.total = 0;
  }

  /** everything, without removing it */
  peekAll(): Buffer {
    return Buffer.concat(this.chunks, this.total);
  }
}
