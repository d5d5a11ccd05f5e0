/**
 * Reaching an upstream: each configured target in order, TCP or implicit TLS, an optional PROXY v2
 * header first, then the protocol's login dialog. The first target that logs in wins.
 */
import net from 'node:net';
import type tls from 'node:tls';
import { buildProxyV2 } from '@portcullis/listener';
import { ignoreError, upgradeClientTls } from './upstream-reader.js';
import {
  UpstreamError,
  type ConnectUpstreamOptions,
  type RelayClient,
  type UpstreamService,
  type UpstreamSession,
  type UpstreamTarget,
} from './types.js';

/** a TCP connection to the target, or an UpstreamError (unreachable / timeout) */
export function connectTcp(target: UpstreamTarget, timeoutMs: number): Promise<net.Socket> {
  return new Promise<net.Socket>((resolve, reject) => {
    const socket = net.connect({ host: target.host, port: target.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new UpstreamError(`connecting to ${target.host}:${target.port} timed out`, 'timeout'));
    }, timeoutMs);
    const onError = (err: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(new UpstreamError(`cannot connect to ${target.host}:${target.port}: ${err.message}`, 'unreachable'));
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeListener('error', onError);
      // the dialog and the relay watch the socket themselves; this one keeps a late error handled
      socket.on('error', ignoreError);
      socket.setNoDelay(true);
      resolve(socket);
    });
  });
}

/** the PROXY v2 header for a client; LOCAL when the addresses are of different families */
export function proxyHeaderFor(client: RelayClient): Buffer {
  const source = { address: client.clientAddress, port: client.clientPort };
  const destination = { address: client.localAddress, port: client.localPort };
  try {
    return buildProxyV2({ source, destination });
  } catch {
    // mixed IPv4/IPv6 cannot be expressed in one v2 header; both as IPv6 is the honest form
    const v6 = (address: string): string => (address.includes(':') ? address : `::ffff:${address}`);
    return buildProxyV2({
      source: { ...source, address: v6(source.address) },
      destination: { ...destination, address: v6(destination.address) },
    });
  }
}

async function tryTarget(
  service: UpstreamService,
  target: UpstreamTarget,
  client: RelayClient,
  options: ConnectUpstreamOptions,
): Promise<UpstreamSession> {
  const dialog = options.dialogs[service];
  if (!dialog) throw new UpstreamError(`no upstream dialog for ${service}`, 'protocol');
  if (target.login === 'xclient' && service !== 'smtp') {
    throw new UpstreamError(`login mode xclient is for SMTP only, not ${service}`, 'protocol');
  }
  if (target.login === 'passthrough' && client.password === undefined) {
    throw new UpstreamError('passthrough needs a cleartext login at the gateway', 'refused');
  }
  const tcp = await connectTcp(target, options.connectTimeoutMs);
  let socket: net.Socket | tls.TLSSocket = tcp;
  try {
    if (target.login === 'proxy') tcp.write(options.proxyHeader ?? proxyHeaderFor(client));
    if (target.tls === 'implicit') socket = await upgradeClientTls(tcp, target, options.connectTimeoutMs);
    return await dialog(socket, target, client, options.loginTimeoutMs);
  } catch (err) {
    socket.destroy();
    tcp.destroy();
    if (err instanceof UpstreamError) throw err;
    throw new UpstreamError(`upstream ${target.host}:${target.port}: ${(err as Error).message}`, 'protocol');
  }
}

/**
 * Log in to the first target that accepts; rejects with the last target's UpstreamError when
 * none does (or with kind 'unreachable' when the list is empty).
 */
export async function connectUpstream(
  service: UpstreamService,
  targets: readonly UpstreamTarget[],
  client: RelayClient,
  options: ConnectUpstreamOptions,
): Promise<UpstreamSession> {
  let last: UpstreamError = new UpstreamError(`no upstream configured for ${service}`, 'unreachable');
  for (const target of targets) {
    try {
      return await tryTarget(service, target, client, options);
    } catch (err) {
      last = err instanceof UpstreamError ? err : new UpstreamError((err as Error).message, 'protocol');
      options.onTargetFailed?.(target, last);
    }
  }
  throw last;
}
