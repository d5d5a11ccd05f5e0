/**
 * The client behind an HTTP request as the listener saw it: with PROXY protocol the socket's own
 * peer is the balancer, so routes must ask here, never `request.socket.remoteAddress`.
 */
import type { Socket } from 'node:net';
import type { FastifyRequest } from 'fastify';

export interface HttpClientInfo {
  /** the listener's connection id (also in its log lines) */
  id: string;
  service: string;
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
  secure: boolean;
  listenerDomain: string | undefined;
}

const clients = new WeakMap<Socket, HttpClientInfo>();

export function rememberClient(socket: Socket, info: HttpClientInfo): void {
  clients.set(socket, info);
}

/** undefined only for requests that did not come through an http listener (fastify.inject) */
export function clientInfo(request: FastifyRequest): HttpClientInfo | undefined {
  return clients.get(request.raw.socket);
}
