/**
 * Splits a helper's stdout into lines (LF or CRLF). A line longer than the protocol's limit is
 * dropped whole, up to its line end, so a runaway helper cannot make us buffer without bound.
 */
import { MAX_LINE_BYTES } from './vocabulary.js';

export class HelperLineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private discarding = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly onOverlong: () => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) {
        this.keep(chunk.subarray(start));
        return;
      }
      this.keep(chunk.subarray(start, nl));
      start = nl + 1;
      if (this.discarding) {
        this.discarding = false;
      } else {
        let line = Buffer.concat(this.parts).toString('utf8');
        if (line.endsWith('\r')) line = line.slice(0, -1);
        this.onLine(line);
      }
      this.parts = [];
      this.size = 0;
    }
  }

  private keep(part: Buffer): void {
    if (this.discarding || part.length === 0) return;
    // +1: a CR before the LF is not part of the line's length
    if (this.size + part.length > MAX_LINE_BYTES + 1) {
      this.discarding = true;
      this.parts = [];
      this.size = 0;
      this.onOverlong();
      return;
    }
    this.parts.push(part);
    this.size += part.length;
  }
}
