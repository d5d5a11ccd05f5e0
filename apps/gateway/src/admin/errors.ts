/** Admin API failures with their HTTP status; the routes answer `{ error }` with it. */
import { DirectoryError } from '@portcullis/directory';
import { CommandError, UsageError } from '../errors.js';
import { ConflictError, NotFoundError } from '../commands/context.js';

export class AdminError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 415 | 501 | 503,
    message: string,
  ) {
    super(message);
    this.name = 'AdminError';
  }
}

export const forbidden = (what: string): AdminError => new AdminError(403, `access right missing: ${what}`);
export const notFound = (what: string): AdminError => new AdminError(404, what);
export const badRequest = (what: string): AdminError => new AdminError(400, what);

/**
 * The CLI's errors as HTTP errors: usage problems are 400, missing objects 404, store conflicts
 * 409, an unreachable store 503. Anything else is not ours to explain and stays a 500.
 */
export function asAdminError(err: unknown): unknown {
  if (err instanceof AdminError) return err;
  if (err instanceof UsageError) return new AdminError(400, err.message);
  if (err instanceof NotFoundError) return new AdminError(404, err.message);
  if (err instanceof ConflictError) return new AdminError(409, err.message);
  if (err instanceof DirectoryError) {
    switch (err.code) {
      case 'exists':
      case 'conflict':
        return new AdminError(409, err.message);
      case 'not-found':
        return new AdminError(404, err.message);
      case 'invalid-name':
        return new AdminError(400, err.message);
      case 'unavailable':
        return new AdminError(503, err.message);
      default:
        return err;
    }
  }
  if (err instanceof CommandError) return new AdminError(400, err.message);
  return err;
}

/** Runs a route's work with the CLI's errors turned into AdminErrors (asAdminError). */
export async function guarded<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    throw asAdminError(err);
  }
}
