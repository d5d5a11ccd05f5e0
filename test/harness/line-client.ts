/**
 * A raw TCP/TLS client that sends lines and reads CRLF lines, with timeouts everywhere, optionally
 * starting with a PROXY header and upgrading to TLS in place (STARTTLS).
 */
import net from 'node:net';
import tls from 'node:tls';

export class ClosedError extends Error {
  constructor(readonly partial: string) {
    super(`connection closed${partial ? ` (unterminated data: ${JSON.stringify(partial.slice(0, 200))})` : ''}`);
  }
}

export class ReadTimeoutError extends Error {
  constructor(ms: number, readonly seen: string[]) {
    super(`no line within ${ms} ms; last lines: ${JSON.stringify(seen.slice(-5))}`);
  }
}

export interface ConnectOptions {
  host?: string;
  /** connect with TLS at once (implicit TLS listeners) */
  tls?: boolean;
  /** sent before anything else, before TLS too (PROXY v1/v2) */
  preamble?: Buffer;
  tlsOptions?: tls.ConnectionOptions;
  timeoutMs?: number;
}

const INSECURE: tls.ConnectionOptions = { rejectUnauthorized: false };

export class LineClient {
  private buf = Buffer.alloc(0);
  private lines: string[] = [];
  private waiter: (() => void) | undefined;
  /** every byte received so far, for assertions about what came before a close */
  received = Buffer.alloc(0);
  /** every line read, for error messages */
  readonly history: string[] = [];
  closed = false;
  private closedPromise: Promise<void>;
  private resolveClosed!: () => void;

  private constructor(public socket: net.Socket) {
    this.closedPromise = new Promise((r) => (this.resolveClosed = r));
    this.attach(socket);
  }

  static async connect(port: number, opts: ConnectOptions = {}): Promise<LineClient> {
    const host = opts.host ?? '127.0.0.1';
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const raw = net.connect({ host, port });
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        raw.once('connect', resolve);
        raw.once('error', reject);
      }),
      timeoutMs,
      `connect to ${port}`,
    );
    if (opts.preamble) raw.write(opts.preamble);
    if (!opts.tls) return new LineClient(raw);
    const secure = tls.connect({ socket: raw, servername: undefined, ...INSECURE, ...opts.tlsOptions });
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        secure.once('secureConnect', resolve);
        secure.once('error', reject);
        secure.once('close', () => reject(new Error('closed during TLS handshake')));
      }),
      timeoutMs,
      'TLS handshake',
    );
    return new LineClient(secure);
  }

  private attach(sock: net.Socket): void {
    sock.on('data', (d: Buffer) => {
      this.received = Buffer.concat([this.received, d]);
      this.buf = Buffer.concat([this.buf, d]);
      let i: number;
      while ((i = this.buf.indexOf(0x0a)) >= 0) {
        const line = this.buf.subarray(0, i).toString('latin1').replace(/\r$/, '');
        this.buf = this.buf.subarray(i + 1);
        this.lines.push(line);
      }
      this.wake();
    });
    sock.on('error', () => {
      /* a reset is reported as a close below */
    });
    sock.on('close', () => {
      this.closed = true;
      this.resolveClosed();
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  get tlsSocket(): tls.TLSSocket {
    if (!(this.socket instanceof tls.TLSSocket)) throw new Error('not a TLS connection');
    return this.socket;
  }

  /** The next line without CRLF; rejects with ClosedError or ReadTimeoutError. */
  async readLine(timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.lines.shift();
      if (line !== undefined) {
        this.history.push(line);
        return line;
      }
      if (this.closed) throw new ClosedError(this.buf.toString('latin1'));
      const left = deadline - Date.now();
      if (left <= 0) throw new ReadTimeoutError(timeoutMs, this.history);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  /** Lines until one matches; returns all of them (the match last). */
  async readUntil(pred: (line: string) => boolean, timeoutMs = 10_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    const out: string[] = [];
    for (;;) {
      const line = await this.readLine(Math.max(1, deadline - Date.now()));
      out.push(line);
      if (pred(line)) return out;
    }
  }

  send(line: string): void {
    this.socket.write(line + '\r\n');
  }

  sendRaw(data: Buffer | string): void {
    this.socket.write(data);
  }

  /** Upgrade the connection to TLS in place after the server agreed to STARTTLS/STLS. */
  async startTls(opts: tls.ConnectionOptions = {}): Promise<void> {
    if (this.lines.length > 0 || this.buf.length > 0) throw new Error('plaintext left over before TLS');
    const raw = this.socket;
    raw.removeAllListeners('data');
    raw.removeAllListeners('close');
    raw.removeAllListeners('error');
    raw.on('error', () => {});
    const secure = tls.connect({ socket: raw, ...INSECURE, ...opts });
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        secure.once('secureConnect', resolve);
        secure.once('error', reject);
      }),
      10_000,
      'STARTTLS handshake',
    );
    this.socket = secure;
    this.attach(secure);
  }

  /** True when the server closed the connection within timeoutMs. */
  async waitClosed(timeoutMs = 10_000): Promise<boolean> {
    if (this.closed) return true;
    let timer: NodeJS.Timeout | undefined;
    const r = await Promise.race([
      this.closedPromise.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    return r;
  }

  /** Lines received so far that were not read yet, after waiting ms for more. */
  async drain(ms: number): Promise<string[]> {
    await new Promise((r) => setTimeout(r, ms));
    const out = this.lines.splice(0);
    this.history.push(...out);
    return out;
  }

  close(): void {
    this.socket.destroy();
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: timeout after ${ms} ms`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
