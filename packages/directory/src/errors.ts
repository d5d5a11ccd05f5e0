/** `unavailable`: the store's server (Redis) could not be reached in time */
export type DirectoryErrorCode = 'exists' | 'not-found' | 'invalid-name' | 'corrupt' | 'conflict' | 'unavailable';

/** A store error the CLI can show as it is: the message names the object and the problem. */
export class DirectoryError extends Error {
  constructor(
    readonly code: DirectoryErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DirectoryError';
  }
}
