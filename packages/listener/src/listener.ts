/**
 * One listening socket per configured listener: Grant/Deny and PROXY handling on the raw TCP
 * connection, TLS (implicit or later by STARTTLS), then one protocol handler call per connection.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type tls from 'node:tls';
import type { Logger } from 'pino';
import { DEFAULT_PROXY_TRUSTED, normalizeAddress, parseCidrList, type CidrList } from './cidr.js';
import { SocketConnection } from './connection.js';
import { recordClose, recordOpen, recordRefused, type RefusalReason } from './metrics.js';
import { PROXY_HEADER_TIMEOUT_MS, ProxyHeaderError, readProxyHeader } from './proxy-reader.js';
import { createServerSecureContext } from './tls-material.js';
import { upgradeToTls } from './tls-upgrade.js';
import type { ConnectionHandler, ListenerOptions, TlsMaterial } from './types.js';

/**
 * Grant/Deny lists set while the listener runs. Each list given replaces the options' one; a list
 * left out keeps the options' one.
 */
export interface AccessRule {
  grant?: string[];
  deny?: string[];
}

export interface ListenerDeps {
  handler: ConnectionHandler;
  logger: Logger;
  tls?: TlsMaterial;
  /**
   * Asked once per accepted connection, before its Grant/Deny check: the lists in force now
   * (undefined: the options' own). It should answer from memory or a cheap cache; when it
   * throws, or names a bad address range, the lists it answered last stay in force.
   */
  access?: () => AccessRule | undefined | Promise<AccessRule | undefined>;
}

export interface RunningListener {
  readonly port: number;
  readonly address: string;
  readonly options: ListenerOptions;
  /** accepted sockets not yet closed, including ones still in PROXY or TLS setup */
  connections(): number;
  /** stop accepting, end open sessions, and destroy what is left after graceMs (default 2000) */
  close(graceMs?: number): Promise<void>;
}

export const DEFAULT_IDLE_PRE_LOGIN_S = 60;
export const DEFAULT_IDLE_POST_LOGIN_S = 1800;
export const DEFAULT_CLOSE_GRACE_MS = 2000;
/** the TLS handshake's limit when the pre-login idle timeout is disabled (0) */
const FALLBACK_HANDSHAKE_MS = 60_000;
/** TCP keepalive probes notice a vanished client of a long post-login session */
const KEEPALIVE_MS = 60_000;

const bootId = randomBytes(3).toString('hex');
let connectionSeq = 0;

/**
 * The filter for what `access` answers, rebuilt only when the answer changes (connections are
 * many, changes to the lists rare).
 */
function accessFilter(options: ListenerOptions, access: NonNullable<ListenerDeps['access']>, log: Logger): () => Promise<(addr: string) => boolean> {
  const own = makeAddressFilter(options.grant, options.deny);
  let lastKey = '';
  let last = own;
  // one warning per problem, not one per connection while it lasts
  let warned = '';
  const warn = (what: string, err: unknown): void => {
    const message = (err as Error).message;
    if (warned === message) return;
    warned = message;
    log.warn({ err: message }, `listener Grant/Deny override ${what}; the last lists stay in force`);
  };
  return async () => {
    let rule: AccessRule | undefined;
    try {
      rule = await access();
    } catch (err) {
      warn('unavailable', err);
      return last;
    }
    const key = rule === undefined ? '' : JSON.stringify([rule.grant ?? null, rule.deny ?? null]);
    if (key === lastKey) {
      warned = '';
      return last;
    }
    try {
      last = rule === undefined ? own : makeAddressFilter(rule.grant ?? options.grant, rule.deny ?? options.deny);
      lastKey = key;
      warned = '';
      log.info({ grant: rule?.grant ?? options.grant ?? [], deny: rule?.deny ?? options.deny ?? [] }, 'listener Grant/Deny changed');
    } catch (err) {
      warn('refused', err);
    }
    return last;
  };
}

/** Grant/Deny: outside a non-empty grant list, or inside the deny list, is refused. */
export function makeAddressFilter(grant: readonly string[] | undefined, deny: readonly string[] | undefined): (addr: string) => boolean {
  const granted: CidrList = parseCidrList(grant);
  const denied: CidrList = parseCidrList(deny);
  return (addr) => (granted.size === 0 || granted.contains(addr)) && !denied.contains(addr);
}

function seconds(value: number | undefined, fallback: number): number {
  return Math.round((value ?? fallback) * 1000);
}

export async function startListener(options: ListenerOptions, deps: ListenerDeps): Promise<RunningListener> {
  const mode = options.tls ?? 'none';
  if (mode !== 'none' && !deps.tls) throw new Error(`listener ${options.service}:${options.port}: tls ${mode} needs a certificate`);
  const secureContext: tls.SecureContext | undefined = mode !== 'none' && deps.tls ? createServerSecureContext(deps.tls) : undefined;
  const allowed = makeAddressFilter(options.grant, options.deny);
  const trusted = parseCidrList(options.proxyTrusted ?? DEFAULT_PROXY_TRUSTED);
  const idlePreLoginMs = seconds(options.idleTimeoutPreLogin, DEFAULT_IDLE_PRE_LOGIN_S);
  const idlePostLoginMs = seconds(options.idleTimeoutPostLogin, DEFAULT_IDLE_POST_LOGIN_S);
  const handshakeMs = idlePreLoginMs > 0 ? idlePreLoginMs : FALLBACK_HANDSHAKE_MS;
  const host = options.address ?? '127.0.0.1';
  const log = deps.logger.child({ service: options.service });
  const currentFilter = deps.access ? accessFilter(options, deps.access, log) : undefined;

  /** every accepted socket until its 'close' (close() waits for those still here) */
  const sockets = new Set<net.Socket>();
  /** live sessions and their raw sockets */
  const sessions = new Map<SocketConnection, net.Socket>();
  let stopping = false;

  const refuse = (socket: net.Socket, remote: string, reason: RefusalReason, detail?: string): void => {
    log.info({ remote, reason, ...(detail ? { detail } : {}) }, 'connection refused');
    recordRefused(options.service, remote, reason);
    socket.destroy();
  };

  // one function per listener rather than closures per socket: idle connections are many
  function forgetSocket(this: net.Socket): void {
    sockets.delete(this);
  }
  function socketErrorBeforeSession(err: Error): void {
    log.debug({ err: err.message }, 'socket error before session');
  }

  const accept = async (socket: net.Socket): Promise<void> => {
    sockets.add(socket);
    socket.on('close', forgetSocket);
    socket.on('error', socketErrorBeforeSession);
    if (stopping) {
      socket.destroy();
      return;
    }
    // line protocols answer in small writes; Nagle would only add latency
    socket.setNoDelay(true);
    socket.setKeepAlive(true, KEEPALIVE_MS);
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
    if (!(currentFilter ? await currentFilter() : allowed)(remoteAddress)) {
      refuse(socket, remoteAddress, 'deny');
      return;
    }

    const id = `${bootId}-${(++connectionSeq).toString(36)}`;
    // made on first use: at logLevel info most connections never log anything of their own
    let connLogger: Logger | undefined;
    const connLog = (): Logger => (connLogger ??= deps.logger.child({ conn: id, service: options.service, remote: remoteAddress }));
    let stream: net.Socket = socket;
    if (mode === 'implicit' && secureContext) {
      try {
        stream = await upgradeToTls(socket, secureContext, handshakeMs);
      } catch (err) {
        connLog().info({ err: (err as Error).message }, 'TLS handshake failed');
        socket.destroy();
        return;
      }
    }
    if (stopping || socket.destroyed) {
      socket.destroy();
      return;
    }

    const conn = new SocketConnection({
      id,
      service: options.service,
      raw: socket,
      socket: stream,
      secure: mode === 'implicit',
      tlsMode: mode,
      secureContext,
      remoteAddress,
      remotePort,
      localAddress,
      localPort,
      listenerDomain: options.domain,
      log: connLog,
      idlePreLoginMs,
      idlePostLoginMs,
      handshakeMs,
    });
    const event = { id, service: options.service, remoteAddress };
    sessions.set(conn, socket);
    recordOpen(event);
    if (deps.logger.isLevelEnabled('debug')) connLog().debug({ port: remotePort, secure: conn.secure }, 'connected');
    void conn.finished.then(() => {
      sessions.delete(conn);
      recordClose(event);
      if (deps.logger.isLevelEnabled('debug')) connLog().debug('closed');
    });
    // chained rather than awaited, so that accept's own frame does not stay suspended for the
    // whole session (part of the memory an idle connection costs)
    let session: Promise<void>;
    try {
      session = Promise.resolve(deps.handler(conn));
    } catch (err) {
      session = Promise.reject(err);
    }
    return session.then(
      () => conn.close(),
      (err: unknown) => {
        connLog().warn({ err }, 'session ended with an error');
        return conn.close();
      },
    );
  };

  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => {
    accept(socket).catch((err: unknown) => {
      // accept handles its own failures; this is the last line that keeps the process alive
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
        for (const conn of sessions.keys()) void conn.close();
        for (const socket of sockets.keys()) {
          // sockets still in PROXY or TLS setup have no session to wind down
          if (![...sessions.values()].includes(socket)) socket.destroy();
        }
        const deadline = setTimeout(() => {
          for (const socket of sockets.keys()) socket.destroy();
        }, graceMs);
        await stopped;
        // the server reports drained a tick before the sockets' own 'close' events; a socket
        // still in the set has not had its 'close' yet
        await Promise.all([...sockets].map((socket) => new Promise((resolve) => socket.once('close', resolve))));
        clearTimeout(deadline);
        log.info('listener closed');
      })();
      return closing;
    },
  };
}
