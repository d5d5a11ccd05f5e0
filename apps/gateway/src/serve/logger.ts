import { pino, type Logger } from 'pino';

export interface GatewayLogger {
  logger: Logger;
  /** write out what is buffered (before exit) */
  flush(): void;
}

/** a batch larger than this goes out at once rather than at the end of the turn */
const MAX_BATCH = 64 * 1024;

export interface SyncDestination {
  write(text: string): unknown;
  flushSync(): void;
}

/**
 * The lines logged during one turn of the event loop, written with one write(2) at its end
 * (setImmediate) instead of one per line. Under login load the write per line was the largest
 * part of logging (~5% of the gateway's CPU for its one info line per login); the lines still
 * leave within the turn that made them, and at exit (see `exitFlush`).
 */
export class TurnBatch {
  private pending = '';
  private scheduled = false;
  private readonly flushLater = (): void => {
    this.scheduled = false;
    this.flush();
  };

  constructor(private readonly destination: SyncDestination) {}

  write(line: string): void {
    this.pending += line;
    if (this.pending.length >= MAX_BATCH) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushLater).unref();
    }
  }

  flush(): void {
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    this.destination.write(text);
  }
}

/** every live batch, written out by one 'exit' hook (also on process.exit() and a second signal) */
const batches = new Set<TurnBatch>();
let exitHooked = false;
function exitFlush(): void {
  for (const batch of batches) {
    try {
      batch.flush();
    } catch {
      /* stderr gone: nothing more to do at exit */
    }
  }
}

/**
 * JSON lines to stderr; stdout is kept for what the operator must read (the postmaster password,
 * the listener table, `portcullis ready`).
 */
export function createLogger(level: string): GatewayLogger {
  // Synchronous writes underneath (sonic-boom sync: one write(2) per call, EAGAIN retried): the
  // asynchronous mode cost a thread-pool round trip per line, ~12% of the gateway's time under
  // login load. The TurnBatch above makes that one call per event-loop turn.
  const destination = pino.destination({ fd: 2, sync: true });
  const batch = new TurnBatch(destination);
  batches.add(batch);
  if (!exitHooked) {
    exitHooked = true;
    process.on('exit', exitFlush);
  }
  const logger = pino(
    {
      level,
      base: { pid: process.pid },
      // a last line of defence: no field of these names ever reaches the log
      redact: { paths: ['password', '*.password', 'pass', '*.pass', 'secret', '*.secret'], censor: '[hidden]' },
    },
    batch,
  );
  return {
    logger,
    flush() {
      try {
        batch.flush();
        destination.flushSync();
      } catch {
        /* not ready yet or already closed: nothing to flush */
      }
    },
  };
}
