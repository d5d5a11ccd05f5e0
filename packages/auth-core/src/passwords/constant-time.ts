import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Equality of two strings without an early exit. Both sides are hashed first so that inputs of
 * different lengths still take one fixed-size comparison and the length is not revealed.
 */
export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}
