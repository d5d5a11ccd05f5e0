/**
 * Line-oriented reading of an upstream's replies during the login dialog, under one deadline,
 * with STARTTLS on the same socket. Once the dialog is over, `release()` hands the socket and the
 * bytes read past the last reply to the relay.
 */
import net from 'node:net';
import tls from 'node:tls';
import { UpstreamError, type UpstreamTarget } from './types.js';

/** an upstream reply line longer than this is a protocol error, not something to buffer */
const MAX_REPLY_LINE = 64 * 1024;

/** options for a TLS client connection to a target: its CA, and SNI only for host names */
export function tlsClientOptions(target: UpstreamTarget): tls.ConnectionOptions {
  const options: tls.ConnectionOptions = { minVersion: 'TLSv1.2' };
  if (target.ca) options.ca = target.ca;
  if (net.isIP(target.host) === 0) options.servername = target.host;
  // certificate name checks are done against target.host also when it is an address
  options.checkServerIdentity = (_name, cert) => tls.checkServerIdentity(target.host, cert);
  return options;
}

/** wrap a connected socket in TLS and wait for the handshake, verifying the upstream's certificate */
export function upgradeClientTls(socket: net.Socket, target: UpstreamTarget, timeoutMs: number): Promise<tls.TLSSocket> {
  return new Promise<tls.TLSSocket>((resolve, reject) => {
    const secure = tls.connect({ ...tlsClientOptions(target), socket });
    const timer = setTimeout(() => {
      secure.destroy();
      reject(new UpstreamError(`TLS handshake with ${target.host}:${target.port} timed out`, 'timeout'));
    }, timeoutMs);
    const onError = (err: Error): void => {
      clearTimeout(timer);
      secure.destroy();
      reject(new UpstreamError(`TLS with ${target.host}:${target.port} failed: ${err.message}`, 'protocol'));
    };
    secure.once('error', onError);
    secure.once('secureConnect', () => {
      clearTimeout(timer);
      secure.removeListener('error', onError);
      resolve(secure);
    });
  });
}

export class UpstreamReader {
  private buffer: Buffer = Buffer.alloc(0);
  private waiter: (() => void) | undefined;
  private failure: UpstreamError | undefined;
  private readonly deadline: number;
  private readonly onData = (chunk: Buffer): void => {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    this.wake();
  };
  private readonly onEnd = (): void => this.fail(new UpstreamError(`${this.where} closed the connection during login`, 'protocol'));
  private readonly onError = (err: Error): void => this.fail(new UpstreamError(`${this.where}: ${err.message}`, 'unreachable'));

  constructor(
    private sock: net.Socket | tls.TLSSocket,
    private readonly target: UpstreamTarget,
    timeoutMs: number,
  ) {
    this.deadline = Date.now() + timeoutMs;
    this.attach();
  }

  get socket(): net.Socket | tls.TLSSocket {
    return this.sock;
  }

  private get where(): string {
    return `upstream ${this.target.host}:${this.target.port}`;
  }

  write(text: string | Buffer): void {
    this.sock.write(text);
  }

  /** the next reply line without its CRLF, as latin1 text */
  async readLine(): Promise<string> {
    for (;;) {
      const lf = this.buffer.indexOf(0x0a);
      if (lf >= 0) {
        const end = lf > 0 && this.buffer[lf - 1] === 0x0d ? lf - 1 : lf;
        const line = this.buffer.subarray(0, end).toString('latin1');
        this.buffer = this.buffer.subarray(lf + 1);
        return line;
      }
      if (this.buffer.length > MAX_REPLY_LINE) throw new UpstreamError(`${this.where} sent an over-long line`, 'protocol');
      await this.more();
    }
  }

  /** exactly n bytes (an IMAP literal in a reply) */
  async readBytes(n: number): Promise<Buffer> {
    if (n > MAX_REPLY_LINE) throw new UpstreamError(`${this.where} sent an over-long literal`, 'protocol');
    while (this.buffer.length < n) await this.more();
    const out = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(n);
    return out;
  }

  /** switch the dialog to TLS (after the upstream accepted STARTTLS/STLS) */
  async startTls(): Promise<void> {
    if (this.buffer.length > 0) throw new UpstreamError(`${this.where} sent data after its STARTTLS reply`, 'protocol');
    this.detach();
    const left = this.deadline - Date.now();
    if (left <= 0) throw new UpstreamError(`${this.where}: login timed out`, 'timeout');
    this.sock = await upgradeClientTls(this.sock as net.Socket, this.target, left);
    this.attach();
  }

  /** stop reading; the socket is paused and what was read past the last reply comes back */
  release(): { socket: net.Socket | tls.TLSSocket; leftover: Buffer } {
    this.detach();
    // until the relay attaches its own: an 'error' without a listener would end the process
    this.sock.on('error', ignoreError);
    this.sock.pause();
    const leftover = this.buffer;
    this.buffer = Buffer.alloc(0);
    return { socket: this.sock, leftover };
  }

  private attach(): void {
    this.sock.on('data', this.onData);
    this.sock.on('end', this.onEnd);
    this.sock.on('error', this.onError);
    this.sock.resume();
  }

  private detach(): void {
    this.sock.pause();
    this.sock.removeListener('data', this.onData);
    this.sock.removeListener('end', this.onEnd);
    this.sock.removeListener('error', this.onError);
  }

  private fail(err: UpstreamError): void {
    this.failure ??= err;
    this.wake();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  private more(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const left = this.deadline - Date.now();
    if (left <= 0) return Promise.reject(new UpstreamError(`${this.where}: login timed out`, 'timeout'));
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new UpstreamError(`${this.where}: login timed out`, 'timeout'));
      }, left);
      this.waiter = () => {
        clearTimeout(timer);
        if (this.failure) reject(this.failure);
        else resolve();
      };
    });
  }
}

/** an 'error' listener that only keeps the event from being unhandled (the socket closes anyway) */
export function ignoreError(): void {}

/** SASL PLAIN's initial response: authzid NUL authcid NUL password, base64 */
export function saslPlain(authzid: string, authcid: string, password: string): string {
  return Buffer.from(`${authzid}\0${authcid}\0${password}`, 'utf8').toString('base64');
}
