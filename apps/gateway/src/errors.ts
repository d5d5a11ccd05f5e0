/** Bad command line, config, key or value: exit code 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The command was understood but could not be done (exists, not found): exit code 1. */
export class CommandError extends Error {
  readonly exitCode = 1;
  constructor(message: string) {
    super(message);
    this.name = 'CommandError';
  }
}
