/**
 * What the WebUser routes and `resolveCaller` need, and the ConnectionInfo auth-core sees for an
 * HTTP request (the client as the listener saw it, so PROXY, Grant/Deny and client addresses
 * apply to web logins as they do to every protocol).
 */
import type { Authenticator, ConnectionInfo, DirectoryStore, SessionCache } from '@portcullis/auth-core';
import { clientInfo, type FastifyRequest } from '@portcullis/http';

export interface WebAuthDeps {
  authenticator: Authenticator;
  directory: Pick<DirectoryStore, 'getServerSettings'>;
  cache: SessionCache;
  /** the host name the server presents (Basic realm, DIGEST realm) */
  serverName: string;
  /** ms epoch (tests) */
  now?: () => number;
}

/** The SASL mechanism HTTP Negotiate runs through (registered by packages/kerberos, never advertised). */
export const NEGOTIATE_MECHANISM = 'GSS-SPNEGO';

export function connectionFor(request: FastifyRequest, serverName: string): ConnectionInfo {
  const info = clientInfo(request);
  if (info) {
    return {
      service: 'http',
      id: info.id,
      remoteAddress: info.remoteAddress,
      remotePort: info.remotePort,
      localAddress: info.localAddress,
      localPort: info.localPort,
      secure: info.secure,
      ...(info.listenerDomain ? { listenerDomain: info.listenerDomain } : {}),
      serverName,
    };
  }
  // fastify.inject (unit tests): no listener socket, so the loopback facts fastify reports
  const socket = request.raw.socket;
  return {
    service: 'http',
    id: `inject-${request.id}`,
    remoteAddress: socket.remoteAddress ?? '127.0.0.1',
    remotePort: socket.remotePort ?? 0,
    localAddress: socket.localAddress ?? '127.0.0.1',
    localPort: socket.localPort ?? 0,
    secure: false,
    serverName,
  };
}
