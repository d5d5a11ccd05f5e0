/**
 * A minimal Connection over net.Socket for the session tests, standing in for the listener
 * package's implementation: line reading with a length limit, idle timeout, STARTTLS.
 */
import { randomUUID } from 'node:crypto';
import type net from 'node:net';
import tls from 'node:tls';
import { pino, type Logger } from 'pino';
import {
  ConnectionClosedError,
  IdleTimeoutError,
  LineTooLongError,
  type Connection,
  type ReadLineOptions,
  type TlsMaterial,
} from '@portcullis/listener';

export interface SocketConnectionOptions {
  tls?: TlsMaterial;
  idleTimeoutMs?: number;
  log?: Logger;
}

export class SocketConnection implements Connection {
  readonly id = randomUUID();
  readonly service = 'pop';
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  readonly listenerDomain = undefined;
  readonly log: Logger;
  secure = false;
  closed = false;
  loggedIn = false;

  private socket: net.Socket;
  private buffer = Buffer.alloc(0);
  private ended = false;
  private discarding = false;
  private wake: (() => void) | undefined;
  private readonly idleTimeoutMs: number;
  private readonly onData = (chunk: Buffer): void => {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    this.wake?.();
  };
  private readonly onEnd = (): void => {
    this.ended = true;
    this.wake?.();
  };

  constructor(
    socket: net.Socket,
    private readonly options: SocketConnectionOptions = {},
  ) {
    this.socket = socket;
    this.remoteAddress = (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    this.remotePort = socket.remotePort ?? 0;
    this.localAddress = (socket.localAddress ?? '').replace(/^::ffff:/, '');
    this.localPort = socket.localPort ?? 0;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 5000;
    this.log = options.log ?? pino({ level: 'silent' });
    this.attach(socket);
  }

  get canStartTls(): boolean {
    return this.options.tls !== undefined && !this.secure;
  }

  tlsChannel(): ReturnType<Connection['tlsChannel']> {
    if (!this.secure) return undefined;
    const s = this.socket as tls.TLSSocket;
    return {
      exportKeyingMaterial: (length, label, context) => s.exportKeyingMaterial(length, label, context ?? Buffer.alloc(0)),
      serverCertificateDer: () => null,
      protocol: s.getProtocol(),
    };
  }

  async readLine(options: ReadLineOptions = {}): Promise<Buffer> {
    const maxLength = options.maxLength ?? 8192;
    for (;;) {
      const lf = this.buffer.indexOf(0x0a);
      if (lf >= 0) {
        let line = this.buffer.subarray(0, lf);
        this.buffer = this.buffer.subarray(lf + 1);
        if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, -1);
        if (this.discarding || line.length > maxLength) {
          this.discarding = false;
          throw new LineTooLongError(maxLength);
        }
        return Buffer.from(line);
      }
      if (this.buffer.length > maxLength + 1) {
        this.discarding = true;
        this.buffer = Buffer.alloc(0);
      }
      if (this.ended || this.closed) throw new ConnectionClosedError();
      await this.waitForData();
    }
  }

  async readBytes(): Promise<Buffer> {
    throw new Error('not used by POP3');
  }

  async discardBytes(): Promise<void> {
    throw new Error('not used by POP3');
  }

  write(data: string | Buffer): void {
    if (!this.closed) this.socket.write(data);
  }

  async startTls(): Promise<void> {
    const material = this.options.tls;
    if (!material || this.secure) throw new Error('STARTTLS not possible');
    this.buffer = Buffer.alloc(0);
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onEnd);
    const secure = new tls.TLSSocket(this.socket, { isServer: true, key: material.key, cert: material.cert });
    await new Promise<void>((resolve, reject) => {
      secure.once('secure', () => resolve());
      secure.once('error', reject);
    });
    this.socket = secure;
    this.secure = true;
    this.attach(secure);
  }

  setLoggedIn(): void {
    this.loggedIn = true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const socket = this.socket;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        socket.destroy();
        resolve();
      }, 1000);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.end();
    });
  }

  private attach(socket: net.Socket): void {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
    socket.on('error', this.onEnd);
  }

  private waitForData(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        reject(new IdleTimeoutError());
      }, this.idleTimeoutMs);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }
}
