/**
 * A Map of expiring entries with a hard size cap. Expired entries are dropped when read and swept
 * in bulk from time to time; when the cap is reached anyway, the oldest insertions go first, so
 * a flood of keys costs bounded memory.
 */
export interface Expiring {
  expiresAt: number;
}

export class BoundedExpiringMap<V extends Expiring> {
  private readonly map = new Map<string, V>();
  private lastSweep: number;

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number,
    private readonly sweepIntervalMs = 60_000,
  ) {
    this.lastSweep = now();
  }

  get size(): number {
    return this.map.size;
  }

  /** The live entry for `key`, or undefined (an expired one is removed). */
  get(key: string): V | undefined {
    const entry = this.map.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.map.delete(key);
      return undefined;
    }
    return entry;
  }

  set(key: string, value: V): void {
    // re-insert so that Map order stays "oldest write first" for eviction
    this.map.delete(key);
    this.maybeSweep();
    while (this.map.size >= this.maxEntries) {
      const oldest = this.map.keys().next();
      if (oldest.done) break;
      this.map.delete(oldest.value);
    }
    this.map.set(key, value);
  }

  /** Every live entry (expired ones are skipped, not removed). */
  *entries(): IterableIterator<[string, V]> {
    const now = this.now();
    for (const [key, entry] of this.map) if (entry.expiresAt > now) yield [key, entry];
  }

  delete(key: string): boolean {
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }

  sweep(): void {
    const now = this.now();
    this.lastSweep = now;
    for (const [key, entry] of this.map) {
      if (entry.expiresAt <= now) this.map.delete(key);
    }
  }

  private maybeSweep(): void {
    if (this.map.size >= this.maxEntries || this.now() - this.lastSweep >= this.sweepIntervalMs) this.sweep();
  }
}
