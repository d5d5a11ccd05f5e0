/**
 * The relayed session: bytes copied both ways without parsing, with backpressure, until either
 * side closes; idle and total timeouts end both sides. Two ways to copy, the same semantics:
 * - splice: both hops plain TCP: the native addon moves the bytes socket -> pipe -> socket in the
 *   kernel on its relay thread (splice-relay.ts); no byte passes through JavaScript;
 * - js: stream pipes (pipe pauses the faster side while the other's write buffer is full), for
 *   TLS hops and wherever the addon is missing.
 */
import tls from 'node:tls';
import type net from 'node:net';
import { spliceBinding, spliceUnavailableReason } from './splice-binding.js';
import { RELAY_LINGER_MS, spliceSession, spliceRefusal } from './splice-relay.js';
import type { RelayEndReason, RelayResult, RelayTimeouts, UpstreamSession } from './types.js';

export { RELAY_LINGER_MS } from './splice-relay.js';

type Duplex = net.Socket | tls.TLSSocket;

/** `auto`: splice when it can, else js; `splice`: splice or reject (tests, the bench); `js`: always pipes */
export type RelayPath = 'auto' | 'js' | 'splice';

export interface RelaySessionOptions {
  /** default: the environment's PORTCULLIS_RELAY_PATH (`auto`, `js`, `splice`), else `auto` */
  path?: RelayPath;
  /** told at debug level, once per reason and process, why a session fell back to the pipes */
  log?: { debug(obj: object, msg: string): void };
}

function pathFromEnv(): RelayPath {
  const value = process.env.PORTCULLIS_RELAY_PATH;
  return value === 'js' || value === 'splice' ? value : 'auto';
}

const fallbacksLogged = new Set<string>();

export function relaySession(
  client: Duplex,
  clientBuffered: Buffer,
  upstream: UpstreamSession,
  timeouts: RelayTimeouts,
  options: RelaySessionOptions = {},
): Promise<RelayResult> {
  const path = options.path ?? pathFromEnv();
  if (path !== 'js') {
    const binding = spliceBinding();
    const refusal = binding
      ? client instanceof tls.TLSSocket || upstream.socket instanceof tls.TLSSocket
        ? 'TLS on a hop'
        : spliceRefusal(client, upstream.socket)
      : `no splice addon: ${spliceUnavailableReason() ?? 'not loaded'}`;
    if (binding && refusal === undefined) return spliceSession(binding, client, clientBuffered, upstream, timeouts);
    if (path === 'splice') return Promise.reject(new Error(`splice relay not possible: ${refusal}`));
    const why = refusal ?? 'unknown';
    if (options.log && !fallbacksLogged.has(why)) {
      fallbacksLogged.add(why);
      options.log.debug({ why }, 'relay copies with stream pipes instead of splice');
    }
  }
  return pipeSession(client, clientBuffered, upstream, timeouts);
}

function pipeSession(client: Duplex, clientBuffered: Buffer, upstream: UpstreamSession, timeouts: RelayTimeouts): Promise<RelayResult> {
  const server = upstream.socket;
  return new Promise<RelayResult>((resolve) => {
    let reason: RelayEndReason | undefined;
    // counted from the sockets' own totals: a 'data' listener per chunk would cost throughput
    const clientStart = client.bytesRead;
    const serverStart = server.bytesRead;
    const counts = (): { bytesUp: number; bytesDown: number; path: 'js' } => ({
      bytesUp: clientBuffered.length + client.bytesRead - clientStart,
      bytesDown: upstream.leftover.length + server.bytesRead - serverStart,
      path: 'js',
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
