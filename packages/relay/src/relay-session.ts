/**
 * The relayed session: bytes copied both ways without parsing, with backpressure (pipe pauses the
 * faster side while the other's write buffer is full), until either side closes. Idle and total
 * timeouts end both sides.
 */
import type net from 'node:net';
import type tls from 'node:tls';
import type { RelayEndReason, RelayResult, RelayTimeouts, UpstreamSession } from './types.js';

/** after one side has ended, how long the other may take to flush and close before it is cut */
export const RELAY_LINGER_MS = 5000;

type Duplex = net.Socket | tls.TLSSocket;

export function relaySession(
  client: Duplex,
  clientBuffered: Buffer,
  upstream: UpstreamSession,
  timeouts: RelayTimeouts,
): Promise<RelayResult> {
  const server = upstream.socket;
  return new Promise<RelayResult>((resolve) => {
    let reason: RelayEndReason | undefined;
    // counted from the sockets' own totals: a 'data' listener per chunk would cost throughput
    const clientStart = client.bytesRead;
    const serverStart = server.bytesRead;
    const counts = (): { bytesUp: number; bytesDown: number } => ({
      bytesUp: clientBuffered.length + client.bytesRead - clientStart,
      bytesDown: upstream.leftover.length + server.bytesRead - serverStart,
    });
    let idleTimer: NodeJS.Timeout | undefined;
    let totalTimer: NodeJS.Timeout | undefined;
    let lingerTimer: NodeJS.Timeout | undefined;
    let open = 2;

    const clearTimers = (): void => {
      clearTimeout(idleTimer);
      clearTimeout(totalTimer);
      clearTimeout(lingerTimer);
    };
    const destroyBoth = (): void => {
      client.destroy();
      server.destroy();
    };
    /** the first end decides the reason; the other side is ended gracefully and cut after a while */
    const ending = (why: RelayEndReason, hard: boolean): void => {
      reason ??= why;
      if (hard) {
        destroyBoth();
        return;
      }
      if (!lingerTimer) {
        lingerTimer = setTimeout(destroyBoth, RELAY_LINGER_MS);
        lingerTimer.unref();
      }
    };
    const onClosed = (why: RelayEndReason, other: Duplex): void => {
      reason ??= why;
      open -= 1;
      if (open > 0) {
        // one socket is gone: the other gets its FIN after what is queued, and a deadline
        other.end();
        ending(why, false);
        return;
      }
      clearTimers();
      resolve({ reason, ...counts() });
    };

    client.once('end', () => ending('client-closed', false));
    server.once('end', () => ending('upstream-closed', false));
    client.on('error', () => ending('error', true));
    server.on('error', () => ending('error', true));
    const watchClose = (sock: Duplex, why: RelayEndReason, other: Duplex): void => {
      // a socket already gone emits no more 'close'
      if (sock.closed) queueMicrotask(() => onClosed(why, other));
      else sock.once('close', () => onClosed(why, other));
    };
    watchClose(client, 'client-closed', server);
    watchClose(server, 'upstream-closed', client);

    if (timeouts.idleTimeoutMs > 0) {
      // a look at the byte totals every quarter of the idle time, instead of work on every chunk:
      // the session ends between 1 and 1.25 idle times after its last byte
      const step = Math.max(10, Math.floor(timeouts.idleTimeoutMs / 4));
      let seen = client.bytesRead + server.bytesRead;
      let lastActive = Date.now();
      const check = (): void => {
        const now = Date.now();
        const total = client.bytesRead + server.bytesRead;
        if (total !== seen) {
          seen = total;
          lastActive = now;
        }
        if (now - lastActive >= timeouts.idleTimeoutMs) ending('idle-timeout', true);
        else idleTimer = setTimeout(check, step);
      };
      idleTimer = setTimeout(check, step);
    }
    if (timeouts.totalTimeoutMs > 0) totalTimer = setTimeout(() => ending('total-timeout', true), timeouts.totalTimeoutMs);

    if (upstream.leftover.length > 0) client.write(upstream.leftover);
    if (clientBuffered.length > 0) server.write(clientBuffered);
    client.pipe(server);
    server.pipe(client);
  });
}
