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
  // Synchronous writes, pino's own default and what Node does for stderr on a Linux pipe: one
  // write(2) per line. The asynchronous mode cost a thread-pool round trip per line, and a CPU
  // profile under login load showed it (with its string copy) as ~12% of the gateway's time.
  const destination = pino.destination({ fd: 2, sync: true });
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
