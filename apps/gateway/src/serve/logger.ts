import { pino, type Logger } from 'pino';

export interface GatewayLogger {
  logger: Logger;
  /** write out what is buffered (before exit) */
  flush(): void;
}

/**
 * JSON lines to stderr; stdout is kept for what the operator must read (the postmaster password,
 * the listener table, `portcullis ready`).
 */
export function createLogger(level: string): GatewayLogger {
  const destination = pino.destination({ fd: 2, sync: false });
  const logger = pino(
    {
      level,
      base: { pid: process.pid },
      // a last line of defence: no field of these names ever reaches the log
      redact: { paths: ['password', '*.password', 'pass', '*.pass', 'secret', '*.secret'], censor: '[hidden]' },
    },
    destination,
  );
  return {
    logger,
    flush() {
      try {
        destination.flushSync();
      } catch {
        /* not ready yet or already closed: nothing to flush */
      }
    },
  };
}
