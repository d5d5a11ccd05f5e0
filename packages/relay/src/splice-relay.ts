/**
 * The splice(2) path of relaySession: hand two plain TCP sockets to the native relay thread and
 * wait for it. Node keeps the sockets (and their fds) and destroys them when the relay is over.
 */
import type net from 'node:net';
import type { SpliceBinding } from './splice-binding.js';
import type { RelayEndReason, RelayResult, RelayTimeouts, UpstreamSession } from './types.js';

/** after one side has ended, how long the other may take to flush and close before it is cut */
export const RELAY_LINGER_MS = 5000;

/**
 * The libuv stream handle under a net.Socket. Node has no public API for a socket's file
 * descriptor or for stopping libuv's reads (pause() only stops 'data' events: libuv keeps reading
 * into the stream's buffer up to its high-water mark), so the relay reaches for the handle.
 */
interface StreamHandle {
  fd?: number;
  reading?: boolean;
  readStop?: () => number;
  writeQueueSize?: number;
}

function handleOf(socket: net.Socket): StreamHandle | undefined {
  return (socket as unknown as { _handle?: StreamHandle | null })._handle ?? undefined;
}

/** whether the stream has seen the peer's FIN (Node's internal state: no public getter before 'end') */
function readEnded(socket: net.Socket): boolean {
  return (socket as unknown as { _readableState?: { ended?: boolean } })._readableState?.ended === true;
}

/** why these two sockets cannot be spliced (TLS is ruled out by the caller), or undefined */
export function spliceRefusal(client: net.Socket, server: net.Socket): string | undefined {
  for (const socket of [client, server]) {
    const handle = handleOf(socket);
    if (!handle || typeof handle.fd !== 'number' || handle.fd < 0 || typeof handle.readStop !== 'function') {
      return 'a socket without a file descriptor';
    }
    // one that is already ending or ended is left to the pipes, which handle every state
    if (socket.destroyed || socket.connecting || !socket.writable || readEnded(socket)) return 'a socket already ending';
  }
  return undefined;
}

/** what is already in the stream's buffer, without waiting for more */
function drain(socket: net.Socket): Buffer[] {
  const chunks: Buffer[] = [];
  for (let chunk = socket.read() as Buffer | null; chunk !== null; chunk = socket.read() as Buffer | null) chunks.push(chunk);
  return chunks;
}

/**
 * Stop libuv reading for good. read() above may have restarted it (a stream below its high-water
 * mark asks for more), so this comes after drain(), in the same tick: libuv reads only in its
 * poll phase, so no byte can land in the stream in between. `reading = false` keeps Node's own
 * bookkeeping true (it would not call readStart again otherwise).
 */
function stopReading(socket: net.Socket): void {
  const handle = handleOf(socket);
  if (handle?.readStop) handle.readStop();
  if (handle) handle.reading = false;
}

/** write `chunks` and resolve once everything queued on the socket before them is in the kernel */
function flush(socket: net.Socket, chunks: Buffer[]): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    for (const chunk of chunks) if (chunk.length > 0) socket.write(chunk);
    // a write's callback runs after every earlier write completed: an empty one marks the end
    socket.write(Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
  });
}

export async function spliceSession(
  binding: SpliceBinding,
  client: net.Socket,
  clientBuffered: Buffer,
  upstream: UpstreamSession,
  timeouts: RelayTimeouts,
): Promise<RelayResult> {
  const server = upstream.socket;
  // the sockets do no I/O of their own from here on; a listener keeps a late error from crashing
  const ignore = (): void => undefined;
  client.on('error', ignore);
  server.on('error', ignore);
  const destroyBoth = (): void => {
    client.destroy();
    server.destroy();
  };

  client.pause();
  server.pause();
  const up = [clientBuffered, ...drain(client)];
  const down = [upstream.leftover, ...drain(server)];
  stopReading(client);
  stopReading(server);
  let bytesUp = up.reduce((n, b) => n + b.length, 0);
  let bytesDown = down.reduce((n, b) => n + b.length, 0);
  const result = (reason: RelayEndReason): RelayResult => ({ reason, bytesUp, bytesDown, path: 'splice' });

  // the leftovers go out with JS first; the relay thread may only write after them
  let flushTimer: NodeJS.Timeout | undefined;
  try {
    const flushed = Promise.all([flush(server, up), flush(client, down)]);
    const limitMs = [timeouts.idleTimeoutMs, timeouts.totalTimeoutMs].filter((ms) => ms > 0);
    const outcome = await (limitMs.length === 0
      ? flushed.then(() => 'flushed' as const)
      : Promise.race([
          flushed.then(() => 'flushed' as const),
          new Promise<'timeout'>((resolve) => (flushTimer = setTimeout(() => resolve('timeout'), Math.min(...limitMs)))),
        ]));
    if (outcome === 'timeout') {
      destroyBoth();
      const idleFirst = timeouts.idleTimeoutMs > 0 && (timeouts.totalTimeoutMs <= 0 || timeouts.idleTimeoutMs <= timeouts.totalTimeoutMs);
      return result(idleFirst ? 'idle-timeout' : 'total-timeout');
    }
  } catch {
    destroyBoth();
    return result('error');
  } finally {
    clearTimeout(flushTimer);
  }
  const clientFd = handleOf(client)?.fd;
  const serverFd = handleOf(server)?.fd;
  if (client.destroyed || server.destroyed || typeof clientFd !== 'number' || typeof serverFd !== 'number') {
    destroyBoth();
    return result('error');
  }

  let session: ReturnType<SpliceBinding['spliceRelay']>;
  try {
    session = binding.spliceRelay(clientFd, serverFd, timeouts.idleTimeoutMs, timeouts.totalTimeoutMs, RELAY_LINGER_MS);
  } catch {
    destroyBoth();
    return result('error');
  }
  // a socket destroyed from JS meanwhile (a gateway shutting down) ends the session too
  const cancel = (): void => binding.spliceCancel(session.id);
  client.once('close', cancel);
  server.once('close', cancel);
  const outcome = await session.done;
  client.off('close', cancel);
  server.off('close', cancel);
  bytesUp += outcome.bytesUp;
  bytesDown += outcome.bytesDown;
  destroyBoth();
  return result(outcome.reason);
}
