/**
 * A minimal Connection over a plain net.Socket, for driving the handler until (and besides) the
 * real listener. STARTTLS here only flips `secure` (no handshake): it checks the session's logic,
 * not TLS itself.
 */
import net from 'node:net';
import { pino, type Logger } from 'pino';
import {
  ConnectionClosedError,
  IdleTimeoutError,
  LineTooLongError,
  type Connection,
  type ConnectionHandler,
  type ReadLineOptions,
} from '@portcullis/listener';

export interface AdapterOptions {
  canStartTls?: boolean;
  idleMs?: number;
  logger?: Logger;
}

class SocketConnection implements Connection {
  readonly service = 'imap';
  readonly listenerDomain = undefined;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  secure = false;
  canStartTls: boolean;
  closed = false;
  loggedIn = false;
  startTlsCalls = 0;
  private buffer = Buffer.alloc(0);
  private discardingLine = false;
  private waiter: (() => void) | null = null;
  private ended = false;

  constructor(
    readonly id: string,
    private readonly socket: net.Socket,
    readonly log: Logger,
    private readonly idleMs: number,
    canStartTls: boolean,
  ) {
    this.canStartTls = canStartTls;
    this.remoteAddress = (socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
    this.remotePort = socket.remotePort ?? 0;
    this.localAddress = (socket.localAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
    this.localPort = socket.localPort ?? 0;
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake();
    });
    const end = (): void => {
      this.ended = true;
      this.closed = true;
      this.wake();
    };
    socket.on('end', end);
    socket.on('close', end);
    socket.on('error', end);
  }

  tlsChannel(): undefined {
    return undefined;
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  private async waitForData(): Promise<void> {
    if (this.ended) throw new ConnectionClosedError();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new IdleTimeoutError());
      }, this.idleMs);
      this.waiter = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  async readLine(options?: ReadLineOptions): Promise<Buffer> {
    const max = options?.maxLength ?? 8192;
    for (;;) {
      const lf = this.buffer.indexOf(0x0a);
      if (this.discardingLine) {
        if (lf >= 0) {
          this.buffer = this.buffer.subarray(lf + 1);
          this.discardingLine = false;
          continue;
        }
        this.buffer = Buffer.alloc(0);
      } else if (lf >= 0) {
        let line = this.buffer.subarray(0, lf);
        this.buffer = this.buffer.subarray(lf + 1);
        if (line[line.length - 1] === 0x0d) line = line.subarray(0, -1);
        if (line.length > max) throw new LineTooLongError(max);
        return Buffer.from(line);
      } else if (this.buffer.length > max + 1) {
        this.discardingLine = true;
        this.buffer = Buffer.alloc(0);
        throw new LineTooLongError(max);
      }
      await this.waitForData();
    }
  }

  async readBytes(n: number): Promise<Buffer> {
    while (this.buffer.length < n) await this.waitForData();
    const out = Buffer.from(this.buffer.subarray(0, n));
    this.buffer = this.buffer.subarray(n);
    return out;
  }

  async discardBytes(n: number): Promise<void> {
    let left = n;
    for (;;) {
      const take = Math.min(left, this.buffer.length);
      this.buffer = this.buffer.subarray(take);
      left -= take;
      if (left === 0) return;
      await this.waitForData();
    }
  }

  write(data: string | Buffer): void {
    if (!this.closed) this.socket.write(data);
  }

  async startTls(): Promise<void> {
    this.startTlsCalls += 1;
    this.buffer = Buffer.alloc(0);
    this.secure = true;
    this.canStartTls = false;
  }

  setLoggedIn(): void {
    this.loggedIn = true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => this.socket.end(resolve));
  }
}

export interface TestServer {
  port: number;
  connections: SocketConnection[];
  /** settles when every handler has returned */
  handlersDone(): Promise<void>;
  handlerErrors: unknown[];
  close(): Promise<void>;
}

export async function startTestServer(handler: ConnectionHandler, options: AdapterOptions = {}): Promise<TestServer> {
  const connections: SocketConnection[] = [];
  const running: Promise<void>[] = [];
  const handlerErrors: unknown[] = [];
  const logger = options.logger ?? pino({ level: 'silent' });
  let n = 0;
  const server = net.createServer((socket) => {
    const conn = new SocketConnection(
      `c${++n}`,
      socket,
      logger.child({ conn: `c${n}` }),
      options.idleMs ?? 5000,
      options.canStartTls ?? false,
    );
    connections.push(conn);
    running.push(
      handler(conn)
        .catch((err: unknown) => {
          handlerErrors.push(err);
        })
        .finally(() => {
          socket.destroy();
        }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    connections,
    handlerErrors,
    handlersDone: async () => {
      await Promise.all(running);
    },
    close: async () => {
      for (const c of connections) await c.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type { SocketConnection };
