import net from 'node:net';
import tls from 'node:tls';
import { pino } from 'pino';
import { startListener, type ListenerDeps, type RunningListener } from '../src/listener.js';
import {
  IdleTimeoutError,
  LineTooLongError,
  type Connection,
  type ConnectionHandler,
  type ListenerOptions,
} from '../src/types.js';

export const silent = pino({ level: 'silent' });

/**
 * A tiny line protocol for driving the Connection: every reply is one line, so the tests can
 * assert exactly what the session saw.
 */
export const testProtocol: ConnectionHandler = async (conn: Connection) => {
  conn.write(`* READY ${conn.secure ? 'tls' : 'plain'}${conn.canStartTls ? ' starttls' : ''}\r\n`);
  for (;;) {
    let line: Buffer;
    try {
      line = await conn.readLine();
    } catch (err) {
      if (err instanceof LineTooLongError) {
        conn.write(`ERR too long ${err.limit}\r\n`);
        continue;
      }
      if (err instanceof IdleTimeoutError) {
        conn.write('BYE idle\r\n');
        return;
      }
      return;
    }
    try {
      await command(conn, line);
    } catch (err) {
      if (!(err instanceof LineTooLongError)) throw err;
      conn.write(`ERR too long ${err.limit}\r\n`);
    }
    if (conn.closed) return;
  }
};

async function command(conn: Connection, line: Buffer): Promise<void> {
  const text = line.toString('latin1');
  const [cmd = '', arg = ''] = text.split(' ');
  switch (cmd) {
    case 'STARTTLS':
      conn.write('OK begin TLS\r\n');
      await conn.startTls();
      break;
    case 'LIT': {
      const data = await conn.readBytes(Number(arg));
      conn.write(`LIT ${data.toString('hex')}\r\n`);
      break;
    }
    case 'SOME': {
      // SOME n: after the line, a short pause so the client's next writes pile up, then one readSome
      await new Promise((r) => setTimeout(r, 50));
      const data = await conn.readSome!(Number(arg));
      conn.write(`SOME ${data.toString('hex')}\r\n`);
      break;
    }
    case 'SKIP':
      await conn.discardBytes(Number(arg));
      conn.write('SKIPPED\r\n');
      break;
    case 'LONG': {
      const big = await conn.readLine({ maxLength: Number(arg) });
      conn.write(`LONG ${big.length}\r\n`);
      break;
    }
    case 'INFO':
      conn.write(
        `INFO ${JSON.stringify({
          remote: conn.remoteAddress,
          port: conn.remotePort,
          local: conn.localAddress,
          localPort: conn.localPort,
          secure: conn.secure,
          protocol: conn.tlsChannel()?.protocol ?? null,
        })}\r\n`,
      );
      break;
    case 'LOGIN':
      conn.setLoggedIn();
      conn.write('OK logged in\r\n');
      break;
    case 'THROW':
      throw new Error('handler failure');
    case 'QUIT':
      conn.write('BYE\r\n');
      await conn.close();
      conn.write('ignored after close\r\n');
      return;
    default:
      conn.write(`LINE ${line.toString('hex')}\r\n`);
  }
}

export async function listen(options: Partial<ListenerOptions> = {}, deps: Partial<ListenerDeps> = {}): Promise<RunningListener> {
  return startListener(
    { service: 'test', port: 0, address: '127.0.0.1', ...options },
    { handler: testProtocol, logger: silent, ...deps },
  );
}

/** a client that collects what the server sends and hands it out line by line */
export class LineClient {
  private buf = Buffer.alloc(0);
  private wake: (() => void) | undefined;
  ended = false;
  received = 0;

  constructor(readonly socket: net.Socket) {
    socket.on('data', this.onData);
    socket.on('close', () => {
      this.ended = true;
      this.wake?.();
    });
    socket.on('error', () => {});
  }

  private readonly onData = (chunk: Buffer): void => {
    this.received += chunk.length;
    this.buf = Buffer.concat([this.buf, chunk]);
    this.wake?.();
  };

  static connect(port: number, host = '127.0.0.1'): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host }, () => resolve(new LineClient(socket)));
      socket.once('error', reject);
    });
  }

  static connectTls(port: number, options: tls.ConnectionOptions = {}): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, ...options }, () =>
        resolve(new LineClient(socket)),
      );
      socket.once('error', reject);
    });
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  async line(timeoutMs = 3000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lf = this.buf.indexOf(0x0a);
      if (lf >= 0) {
        const text = this.buf.subarray(0, lf).toString('latin1').replace(/\r$/, '');
        this.buf = this.buf.subarray(lf + 1);
        return text;
      }
      if (this.ended) throw new Error('connection closed');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no line in time');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** resolves when the server has closed the connection; rejects after timeoutMs */
  async closed(timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error('still open');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** STARTTLS from the client side: the same TCP connection, TLS from here on */
  startTls(options: tls.ConnectionOptions = {}): Promise<LineClient> {
    this.socket.removeListener('data', this.onData);
    return new Promise((resolve, reject) => {
      const secure = tls.connect({ socket: this.socket, rejectUnauthorized: false, ...options }, () =>
        resolve(new LineClient(secure)),
      );
      secure.once('error', reject);
    });
  }

  end(): void {
    this.socket.end();
  }
}

export function hex(text: string | Buffer): string {
  return Buffer.from(text).toString('hex');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
