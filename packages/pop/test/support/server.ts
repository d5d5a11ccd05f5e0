/** Starts the POP3 handler behind the real listener on a free port for one test. */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { generate } from 'selfsigned';
import { startListener, type ConnectionHandler, type TlsMaterial } from '@portcullis/listener';
import { createPopHandler, type PopOptions } from '../../src/index.js';

export interface SeenConnection {
  id: string;
  /** the session called setLoggedIn() */
  loggedIn: boolean;
}

export interface TestServer {
  port: number;
  /** every log line written, as JSON text */
  logs: string[];
  connections: SeenConnection[];
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
  const logger = pino({ level: 'debug' }, sink);
  const pop = createPopHandler(options);
  const connections: SeenConnection[] = [];
  const handler: ConnectionHandler = (conn) => {
    const seen: SeenConnection = { id: conn.id, loggedIn: false };
    connections.push(seen);
    const setLoggedIn = conn.setLoggedIn.bind(conn);
    conn.setLoggedIn = () => {
      seen.loggedIn = true;
      setLoggedIn();
    };
    return pop(conn);
  };
  const idle = extra.idleTimeoutMs === undefined ? {} : { idleTimeoutPreLogin: extra.idleTimeoutMs / 1000 };
  const listener = await startListener(
    { service: 'pop', port: 0, tls: extra.tls ? 'starttls' : 'none', ...idle },
    { handler, logger, ...(extra.tls ? { tls: extra.tls } : {}) },
  );
  return { port: listener.port, logs, connections, close: () => listener.close(200) };
}
