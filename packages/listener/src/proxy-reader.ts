/**
 * Reads a PROXY header off a freshly accepted socket, within a time limit, leaving any bytes
 * after it (a TLS ClientHello, a pipelined command) in the socket for whoever reads next.
 */
import type net from 'node:net';
import { PROXY_V2_MAX_LENGTH, parseProxyHeader, type ProxyHeader } from './proxy-header.js';

export class ProxyHeaderError extends Error {
  constructor(
    message: string,
    readonly timedOut = false,
  ) {
    super(message);
  }
}

export const PROXY_HEADER_TIMEOUT_MS = 5000;

export function readProxyHeader(socket: net.Socket, timeoutMs = PROXY_HEADER_TIMEOUT_MS): Promise<ProxyHeader> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.removeListener('data', onData);
      socket.removeListener('end', onEnd);
      socket.removeListener('close', onEnd);
    };
    const fail = (err: ProxyHeaderError): void => {
      cleanup();
      reject(err);
    };
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      const result = parseProxyHeader(received);
      if (result.status === 'incomplete') {
        if (received.length > PROXY_V2_MAX_LENGTH) fail(new ProxyHeaderError('PROXY header too long'));
        return;
      }
      if (result.status === 'invalid') {
        fail(new ProxyHeaderError(result.reason));
        return;
      }
      // pause before the listener goes, or flowing mode would drop what follows the header
      socket.pause();
      cleanup();
      const rest = received.subarray(result.length);
      if (rest.length > 0) socket.unshift(rest);
      resolve(result.header);
    };
    const onEnd = (): void => fail(new ProxyHeaderError('closed before the PROXY header'));
    const timer = setTimeout(() => fail(new ProxyHeaderError('no PROXY header in time', true)), timeoutMs);
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
    socket.resume();
  });
}
