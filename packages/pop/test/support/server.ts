/** Starts the POP3 handler on a free port for one test. */
import net from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { generate } from 'selfsigned';
import type { TlsMaterial } from '@portcullis/listener';
import { createPopHandler, type PopOptions } from '../../src/index.js';
import { SocketConnection } from './socket-connection.js';

export interface TestServer {
  port: number;
  /** every log line written, as JSON text */
  logs: string[];
  connections: SocketConnection[];
  close(): Promise<void>;
}

let material: Promise<TlsMaterial> | undefined;

export function testTlsMaterial(): Promise<TlsMaterial> {
  material ??= generate([{ name: 'commonName', value: 'pop.test' }], { keySize: 2048 }).then((p) => ({
    cert: p.cert,
    key: p.private,
  }));
  return material;
}

export async function startPopServer(
  options: PopOptions,
  extra: { tls?: TlsMaterial; idleTimeoutMs?: number } = {},
): Promise<TestServer> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const log = pino({ level: 'debug' }, sink);
  const handler = createPopHandler(options);
  const connections: SocketConnection[] = [];
  const server = net.createServer((socket) => {
    const conn = new SocketConnection(socket, { ...extra, log });
    connections.push(conn);
    void handler(conn)
      .catch(() => undefined)
      .finally(() => conn.close());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    logs,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of connections) void c.close();
        server.close(() => resolve());
      }),
  };
}
