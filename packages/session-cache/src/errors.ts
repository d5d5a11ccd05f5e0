/**
 * The shared cache cannot answer (Redis down, the primary process gone). Callers that cannot
 * fall back (session IDs) turn it into a 'temporary' failure; auth-core's login engine already
 * does so for any error a cache throws.
 */
export class CacheUnavailableError extends Error {
  readonly temporary = true;

  constructor(message = 'session cache temporarily unavailable') {
    super(message);
    this.name = 'CacheUnavailableError';
  }
}
