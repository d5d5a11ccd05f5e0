/**
 * The http listener: the same accept path as @portcullis/listener's line protocols (trusted PROXY
 * source, PROXY v1/v2 header, Grant/Deny on the client address, implicit TLS, connection
 * accounting), built from that package's exported pieces, and then the socket goes to the http
 * server with `emit('connection')` instead of to a line-protocol handler.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type tls from 'node:tls';
import {
  createServerSecureContext,
  DEFAULT_CLOSE_GRACE_MS,
  DEFAULT_IDLE_PRE_LOGIN_S,
  DEFAULT_PROXY_TRUSTED,
  makeAddressFilter,
  normalizeAddress,
  parseCidrList,
  PROXY_HEADER_TIMEOUT_MS,
  ProxyHeaderError,
  readProxyHeader,
  recordClose,
  recordOpen,
  recordRefused,
  upgradeToTls,
  type ListenerOptions,
  type RefusalReason,
  type RunningListener,
  type TlsMaterial,
} from '@portcullis/listener';
import type { Logger } from 'pino';
import type { HttpApp } from './app.js';
import { rememberClient } from './client-info.js';

export interface HttpListenerDeps {
  app: HttpApp;
  logger: Logger;
  tls?: TlsMaterial;
}

export class HttpListenerError extends Error {}

const bootId = randomBytes(3).toString('hex');
let connectionSeq = 0;

export async function startHttpListener(options: ListenerOptions, deps: HttpListenerDeps): Promise<RunningListener> {
  const mode = options.tls ?? 'none';
  // HTTP has no STARTTLS (RFC 2817 upgrade is unused by clients)
  if (mode === 'starttls') throw new HttpListenerError(`listener ${options.service}:${options.port}: tls starttls does not exist for http; use none or implicit`);
  if (mode === 'implicit' && !deps.tls) throw new HttpListenerError(`listener ${options.service}:${options.port}: tls implicit needs a certificate`);
  const secureContext: tls.SecureContext | undefined = mode === 'implicit' && deps.tls ? createServerSecureContext(deps.tls) : undefined;
  const allowed = makeAddressFilter(options.grant, options.deny);
  const trusted = parseCidrList(options.proxyTrusted ?? DEFAULT_PROXY_TRUSTED);
  // silence before and between requests; keep-alive ends sooner (node's keepAliveTimeout, 5 s)
  const idleMs = Math.round((options.idleTimeoutPreLogin ?? DEFAULT_IDLE_PRE_LOGIN_S) * 1000);
  const host = options.address ?? '127.0.0.1';
  const log = deps.logger.child({ service: options.service });

  const sockets = new Map<net.Socket, Promise<void>>();
  let stopping = false;

  const refuse = (socket: net.Socket, remote: string, reason: RefusalReason, detail?: string): void => {
    log.info({ remote, reason, ...(detail ? { detail } : {}) }, 'connection refused');
    recordRefused(options.service, remote, reason);
    socket.destroy();
  };

  const accept = async (socket: net.Socket): Promise<void> => {
    sockets.set(socket, new Promise<void>((resolve) => socket.once('close', () => { sockets.delete(socket); resolve(); })));
    socket.on('error', (err) => log.debug({ err: err.message }, 'socket error'));
    if (stopping) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const peer = normalizeAddress(socket.remoteAddress ?? '');
    let remoteAddress = peer;
    let remotePort = socket.remotePort ?? 0;
    let localAddress = normalizeAddress(socket.localAddress ?? '');
    let localPort = socket.localPort ?? 0;
    if (options.proxyProtocol) {
      if (!trusted.contains(peer)) {
        refuse(socket, peer, 'untrusted-proxy');
        return;
      }
      try {
        const header = await readProxyHeader(socket, PROXY_HEADER_TIMEOUT_MS);
        if (header.command === 'proxy' && header.source && header.destination) {
          remoteAddress = normalizeAddress(header.source.address);
          remotePort = header.source.port;
          localAddress = normalizeAddress(header.destination.address);
          localPort = header.destination.port;
        }
      } catch (err) {
        const timedOut = err instanceof ProxyHeaderError && err.timedOut;
        refuse(socket, peer, timedOut ? 'proxy-timeout' : 'bad-proxy-header', (err as Error).message);
        return;
      }
    }
    if (!allowed(remoteAddress)) {
      refuse(socket, remoteAddress, 'deny');
      return;
    }
    let stream: net.Socket = socket;
    if (secureContext) {
      try {
        stream = await upgradeToTls(socket, secureContext, idleMs > 0 ? idleMs : 60_000);
      } catch (err) {
        log.info({ remote: remoteAddress, err: (err as Error).message }, 'TLS handshake failed');
        socket.destroy();
        return;
      }
    }
    if (stopping || socket.destroyed) {
      socket.destroy();
      return;
    }
    const id = `${bootId}-h${(++connectionSeq).toString(36)}`;
    const event = { id, service: options.service, remoteAddress };
    recordOpen(event);
    socket.once('close', () => recordClose(event));
    rememberClient(stream, {
      id,
      service: options.service,
      remoteAddress,
      remotePort,
      localAddress,
      localPort,
      secure: stream !== socket,
      listenerDomain: options.domain,
    });
    if (idleMs > 0) {
      // a client that sends nothing (or a header a byte a minute) does not hold a socket forever
      stream.setTimeout(idleMs, () => stream.destroy());
    }
    deps.app.handleConnection(stream);
    // PROXY reading left the socket paused; the http server reads from here on
    if (stream === socket) socket.resume();
  };

  const server = net.createServer({ pauseOnConnect: true }, (socket) => {
    accept(socket).catch((err: unknown) => {
      log.error({ err }, 'connection setup failed');
      socket.destroy();
    });
  });
  server.on('error', (err) => log.error({ err: err.message }, 'listener error'));
  await new Promise<void>((resolve, reject) => {
    const onListenError = (err: Error): void => reject(err);
    server.once('error', onListenError);
    server.listen({ port: options.port, host }, () => {
      server.removeListener('error', onListenError);
      resolve();
    });
  });
  const bound = server.address() as net.AddressInfo;
  log.info({ address: bound.address, port: bound.port, tls: mode }, 'listening');

  let closing: Promise<void> | undefined;
  return {
    port: bound.port,
    address: bound.address,
    options,
    connections: () => sockets.size,
    close(graceMs = DEFAULT_CLOSE_GRACE_MS): Promise<void> {
      closing ??= (async () => {
        stopping = true;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        // idle keep-alive sockets go now; a request in progress gets the grace period
        deps.app.server.closeIdleConnections();
        const deadline = setTimeout(() => {
          for (const socket of sockets.keys()) socket.destroy();
        }, graceMs);
        await stopped;
        await Promise.all(sockets.values());
        clearTimeout(deadline);
        log.info('listener closed');
      })();
      return closing;
    },
  };
}
