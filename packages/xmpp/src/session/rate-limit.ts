/**
 * A token bucket for stanzas. A client over its rate is not cut off: the session stops reading
 * until tokens are back, so the socket's flow control slows the client down.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** take one token; the milliseconds to wait before the next read when none was left */
  take(): number {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.ratePerSec);
    this.last = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    this.tokens -= 1;
    return Math.ceil(((0 - this.tokens) / this.ratePerSec) * 1000);
  }
}
