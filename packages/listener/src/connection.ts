/**
 * The Connection a protocol session reads from: pull-based reads over a bounded input queue, idle
 * timeouts that only run while the session waits for the client, and STARTTLS on the same socket.
 */
import type net from 'node:net';
import type tls from 'node:tls';
import type { Logger } from 'pino';
import { ByteQueue } from './byte-queue.js';
import { upgradeToTls } from './tls-upgrade.js';
import {
  ConnectionClosedError,
  IdleTimeoutError,
  LineTooLongError,
  type Connection,
  type ReadLineOptions,
  type TakenOverSocket,
  type TlsMode,
} from './types.js';

export const DEFAULT_MAX_LINE = 8192;
/** the largest per-call readLine maxLength; larger requests are clamped to it */
export const MAX_LINE_LIMIT = 65536;
/** the largest readBytes; bigger literals must be streamed or refused (discardBytes) by the protocol */
export const MAX_READ_BYTES = 64 * 1024 * 1024;
/** input kept while no read asks for more: a pipelining client is paused beyond this */
const HIGH_WATER = MAX_LINE_LIMIT + 2;
/** an over-long line is skipped up to its end; a "line" longer than this ends the connection */
const MAX_DISCARDED_LINE = 1024 * 1024;
/** how long close() waits for the peer to finish before destroying the socket */
const CLOSE_LINGER_MS = 5000;

const LF = 0x0a;
const CR = 0x0d;

type Settle<T> = { resolve: (value: T) => void; reject: (err: Error) => void };
type PendingRead =
  | ({ kind: 'line'; max: number } & Settle<Buffer>)
  | ({ kind: 'bytes'; n: number } & Settle<Buffer>)
  | ({ kind: 'discard'; remaining: number } & Settle<void>)
  | ({ kind: 'some'; max: number } & Settle<Buffer>)
  | ({ kind: 'chunk'; max: number } & Settle<Buffer>);

export interface ConnectionParams {
  id: string;
  service: string;
  /** the accepted TCP socket */
  raw: net.Socket;
  /** what to read and write now: raw, or a TLSSocket over it for implicit TLS */
  socket: net.Socket;
  secure: boolean;
  tlsMode: TlsMode;
  secureContext: tls.SecureContext | undefined;
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
  listenerDomain: string | undefined;
  /** the connection's logger, or a function that makes it on first use (most connections never log) */
  log: Logger | (() => Logger);
  /** 0 disables */
  idlePreLoginMs: number;
  idlePostLoginMs: number;
  /** limit for the STARTTLS handshake */
  handshakeMs: number;
}

/**
 * The connection each socket (raw, and TLS over it) belongs to. Shared listener functions that
 * look their connection up here replace four closures per connection, a few hundred bytes of each
 * idle connection's memory.
 */
const owners = new WeakMap<net.Socket, SocketConnection>();

function onData(this: net.Socket, chunk: Buffer): void {
  owners.get(this)?.onSocketData(chunk);
}
function onEnd(this: net.Socket): void {
  owners.get(this)?.onSocketEnd();
}
function onError(this: net.Socket, err: Error): void {
  owners.get(this)?.onSocketError(err);
}
function onClose(this: net.Socket): void {
  owners.get(this)?.onSocketClose();
}

export class SocketConnection implements Connection {
  readonly id: string;
  readonly service: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  readonly listenerDomain: string | undefined;
  /** settles once the socket is gone, whoever closed it */
  readonly finished: Promise<void>;

  private sock: net.Socket;
  private readonly raw: net.Socket;
  private readonly tlsMode: TlsMode;
  private readonly secureContext: tls.SecureContext | undefined;
  private readonly idlePreLoginMs: number;
  private readonly idlePostLoginMs: number;
  private readonly handshakeMs: number;
  private readonly input = new ByteQueue();
  private pending: PendingRead | undefined;
  /** where the LF search resumes, so a slowly arriving line is not rescanned */
  private scanFrom = 0;
  /** set while the rest of an over-long line is being skipped */
  private lineDiscard: { max: number; skipped: number } | undefined;
  private tlsActive: boolean;
  private upgrading = false;
  private loggedIn = false;
  private peerEnded = false;
  private closing = false;
  private gone = false;
  /** the socket belongs to a relay now (takeOver) */
  private handedOver = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private closePromise: Promise<void> | undefined;
  private markFinished!: () => void;
  private logger: Logger | (() => Logger);

  constructor(params: ConnectionParams) {
    this.id = params.id;
    this.service = params.service;
    this.remoteAddress = params.remoteAddress;
    this.remotePort = params.remotePort;
    this.localAddress = params.localAddress;
    this.localPort = params.localPort;
    this.listenerDomain = params.listenerDomain;
    this.logger = params.log;
    this.raw = params.raw;
    this.sock = params.socket;
    this.tlsActive = params.secure;
    this.tlsMode = params.tlsMode;
    this.secureContext = params.secureContext;
    this.idlePreLoginMs = params.idlePreLoginMs;
    this.idlePostLoginMs = params.idlePostLoginMs;
    this.handshakeMs = params.handshakeMs;
    this.finished = new Promise<void>((resolve) => (this.markFinished = resolve));
    // the raw socket's close is the end of the connection also when TLS runs over it
    owners.set(this.raw, this);
    this.raw.on('close', onClose);
    this.raw.on('error', onError);
    if (this.raw.destroyed) {
      queueMicrotask(() => this.finish());
      return;
    }
    this.attach(this.sock);
  }

  get log(): Logger {
    if (typeof this.logger === 'function') this.logger = this.logger();
    return this.logger;
  }

  get secure(): boolean {
    return this.tlsActive;
  }

  get canStartTls(): boolean {
    return this.tlsMode === 'starttls' && !this.tlsActive && !this.upgrading && !this.closed && !!this.secureContext;
  }

  get closed(): boolean {
    return this.closing || this.gone;
  }

  tlsChannel(): ReturnType<Connection['tlsChannel']> {
    if (!this.tlsActive) return undefined;
    const secure = this.sock as tls.TLSSocket;
    return {
      // Node distinguishes "no context" (undefined) from an empty one; @types/node marks it required
      exportKeyingMaterial: (length, label, context) => secure.exportKeyingMaterial(length, label, context as Buffer),
      serverCertificateDer: () => {
        const cert = secure.getCertificate();
        return cert && 'raw' in cert ? (cert as tls.PeerCertificate).raw : null;
      },
      protocol: secure.getProtocol(),
      peerCertificateDer: () => {
        const cert = secure.getPeerCertificate();
        // without a client certificate Node gives an empty object
        return cert && 'raw' in cert && Buffer.isBuffer(cert.raw) ? cert.raw : null;
      },
    };
  }

  readLine(options?: ReadLineOptions): Promise<Buffer> {
    const wanted = options?.maxLength ?? DEFAULT_MAX_LINE;
    const max = Math.max(1, Math.min(MAX_LINE_LIMIT, Math.floor(wanted)));
    return this.begin<Buffer>((settle) => ({ kind: 'line', max, ...settle }));
  }

  readBytes(n: number): Promise<Buffer> {
    if (!Number.isSafeInteger(n) || n < 0 || n > MAX_READ_BYTES) {
      return Promise.reject(new RangeError(`readBytes: ${n} is not a byte count up to ${MAX_READ_BYTES}`));
    }
    return this.begin<Buffer>((settle) => ({ kind: 'bytes', n, ...settle }));
  }

  discardBytes(n: number): Promise<void> {
    if (!Number.isSafeInteger(n) || n < 0) {
      return Promise.reject(new RangeError(`discardBytes: ${n} is not a byte count`));
    }
    return this.begin<void>((settle) => ({ kind: 'discard', remaining: n, ...settle }));
  }

  readSome(max: number): Promise<Buffer> {
    if (!Number.isSafeInteger(max) || max < 1 || max > MAX_READ_BYTES) {
      return Promise.reject(new RangeError(`readSome: ${max} is not a byte count from 1 to ${MAX_READ_BYTES}`));
    }
    return this.begin<Buffer>((settle) => ({ kind: 'some', max, ...settle }));
  }

  readLineChunk(maxBytes: number): Promise<Buffer> {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) {
      return Promise.reject(new RangeError(`readLineChunk: ${maxBytes} is not a positive byte count`));
    }
    const max = Math.min(MAX_LINE_LIMIT, maxBytes);
    return this.begin<Buffer>((settle) => ({ kind: 'chunk', max, ...settle }));
  }

  write(data: string | Buffer): void {
    // nothing may go out while the TLS layer takes over the socket, nor after close
    if (this.closed || this.upgrading || !this.sock.writable) return;
    this.sock.write(data);
  }

  async startTls(): Promise<void> {
    if (!this.canStartTls || !this.secureContext) throw new Error('STARTTLS is not available on this connection');
    if (this.pending) throw new Error('STARTTLS while a read is pending');
    this.upgrading = true;
    this.clearIdle();
    // plaintext that came after the STARTTLS command must not be read as if it were protected
    if (this.input.length > 0) this.log.info({ bytes: this.input.length }, 'plaintext after STARTTLS dropped');
    this.input.clear();
    this.scanFrom = 0;
    this.lineDiscard = undefined;
    this.sock.pause();
    this.detach(this.sock);
    let secure: tls.TLSSocket;
    try {
      secure = await upgradeToTls(this.raw, this.secureContext, this.handshakeMs);
    } catch (err) {
      this.log.info({ err: (err as Error).message }, 'STARTTLS handshake failed');
      this.upgrading = false;
      this.destroy();
      throw new ConnectionClosedError();
    }
    this.sock = secure;
    this.tlsActive = true;
    this.upgrading = false;
    this.log.debug({ protocol: secure.getProtocol() }, 'STARTTLS done');
    if (this.closed) {
      secure.destroy();
      throw new ConnectionClosedError();
    }
    this.attach(secure);
  }

  setLoggedIn(): void {
    this.loggedIn = true;
    if (this.idleTimer) {
      this.clearIdle();
      this.armIdle();
    }
  }

  takeOver(): TakenOverSocket {
    if (this.closed) throw new ConnectionClosedError();
    if (this.pending || this.upgrading) throw new Error('takeOver while a read or STARTTLS is pending');
    this.clearIdle();
    // paused first: with the data listener gone a flowing socket would drop what arrives next
    this.sock.pause();
    this.detach(this.sock);
    const buffered = this.input.length > 0 ? this.input.peekAll() : Buffer.alloc(0);
    this.input.clear();
    this.scanFrom = 0;
    this.lineDiscard = undefined;
    this.handedOver = true;
    this.closing = true;
    // the raw socket's close listener stays: `finished` still settles when the relay is over
    return { socket: this.sock, buffered };
  }

  close(): Promise<void> {
    if (this.closePromise) return this.closePromise;
    if (this.handedOver) {
      // the relay ends the socket; closing here would cut a relayed session short
      this.closePromise = this.finished;
      return this.closePromise;
    }
    this.closing = true;
    this.failPendingClosed();
    this.input.clear();
    if (this.gone) {
      this.closePromise = Promise.resolve();
      return this.closePromise;
    }
    // end() flushes what was written, then sends FIN (close_notify first under TLS); a peer that
    // never closes its side is cut off after the linger time
    const linger = setTimeout(() => this.destroy(), CLOSE_LINGER_MS);
    linger.unref();
    this.sock.end();
    this.sock.resume();
    this.closePromise = this.finished.then(() => clearTimeout(linger));
    return this.closePromise;
  }

  /** drop the connection now, without flushing */
  destroy(): void {
    this.closing = true;
    this.failPendingClosed();
    this.input.clear();
    this.sock.destroy();
    this.raw.destroy();
  }

  private attach(sock: net.Socket): void {
    owners.set(sock, this);
    sock.on('data', onData);
    sock.on('end', onEnd);
    sock.on('error', onError);
    sock.on('close', onClose);
    this.flowControl();
  }

  private detach(sock: net.Socket): void {
    sock.removeListener('data', onData);
    sock.removeListener('end', onEnd);
    sock.removeListener('close', onClose);
    // the error listener stays: an 'error' event must never go unhandled
  }

  /** @internal socket events, through the shared listeners below */
  onSocketData(chunk: Buffer): void {
    this.receive(chunk);
  }

  /** @internal */
  onSocketEnd(): void {
    this.peerEnded = true;
    this.pump();
  }

  /** @internal */
  onSocketError(err: Error): void {
    this.log.debug({ err: err.message }, 'socket error');
    this.peerEnded = true;
    this.pump();
  }

  /** @internal */
  onSocketClose(): void {
    this.finish();
  }

  private begin<T>(make: (settle: Settle<T>) => PendingRead): Promise<T> {
    if (this.pending) return Promise.reject(new Error('a read is already pending on this connection'));
    if (this.closed) return Promise.reject(new ConnectionClosedError());
    if (this.upgrading) return Promise.reject(new Error('read during STARTTLS'));
    return new Promise<T>((resolve, reject) => {
      this.pending = make({ resolve, reject });
      this.pump();
    });
  }

  private receive(chunk: Buffer): void {
    if (this.closed || this.upgrading) return;
    this.clearIdle();
    this.input.push(chunk);
    this.pump();
  }

  /** settle the pending read if the input allows, then decide whether the socket may flow */
  private pump(): void {
    const read = this.pending;
    if (read && !this.tryComplete(read) && this.pending === read) {
      if (this.peerEnded || this.closed) this.failPendingClosed();
      else this.armIdle();
    }
    this.flowControl();
  }

  private settle<T>(read: Settle<T>, value: T): true {
    this.pending = undefined;
    this.clearIdle();
    read.resolve(value);
    return true;
  }

  /**
   * Every connection ends through here, mostly with no read pending: the error (and its stack
   * trace, ~3% of the gateway's CPU under login load) is only made when a read will receive it.
   */
  private failPendingClosed(): void {
    if (this.pending) this.failPending(new ConnectionClosedError());
  }

  private failPending(err: Error): void {
    const read = this.pending;
    if (!read) return;
    this.pending = undefined;
    this.clearIdle();
    read.reject(err);
  }

  /** true when the read was settled (either way) */
  private tryComplete(read: PendingRead): boolean {
    switch (read.kind) {
      case 'line':
        return this.tryLine(read);
      case 'bytes':
        return this.input.length >= read.n && this.settle(read, this.input.take(read.n));
      case 'some':
        return this.input.length > 0 && this.settle(read, this.input.take(Math.min(read.max, this.input.length)));
      case 'chunk': {
        if (this.input.length === 0) return false;
        const lf = this.input.indexOf(LF);
        const n = Math.min(read.max, lf >= 0 ? lf + 1 : this.input.length);
        this.scanFrom = 0;
        return this.settle(read, this.input.take(n));
      }
      case 'discard': {
        const n = Math.min(read.remaining, this.input.length);
        this.input.skip(n);
        read.remaining -= n;
        return read.remaining === 0 && this.settle(read, undefined);
      }
    }
  }

  private tryLine(read: Extract<PendingRead, { kind: 'line' }>): boolean {
    const lf = this.input.indexOf(LF, this.scanFrom);
    if (this.lineDiscard) {
      const discard = this.lineDiscard;
      if (lf < 0) {
        discard.skipped += this.input.length;
        this.input.clear();
        this.scanFrom = 0;
        if (discard.skipped > MAX_DISCARDED_LINE) {
          this.log.info('line without end exceeds the discard limit; closing');
          this.failPending(new LineTooLongError(discard.max));
          this.destroy();
          return true;
        }
        return false;
      }
      this.input.skip(lf + 1);
      this.scanFrom = 0;
      this.lineDiscard = undefined;
      this.failPending(new LineTooLongError(discard.max));
      return true;
    }
    if (lf < 0) {
      // a CR may still be waiting for its LF, hence max + 1
      if (this.input.length > read.max + 1) {
        this.lineDiscard = { max: read.max, skipped: this.input.length };
        this.input.clear();
        this.scanFrom = 0;
      } else {
        this.scanFrom = this.input.length;
      }
      return false;
    }
    this.scanFrom = 0;
    const end = lf > 0 && this.input.at(lf - 1) === CR ? lf - 1 : lf;
    if (end > read.max) {
      this.input.skip(lf + 1);
      this.failPending(new LineTooLongError(read.max));
      return true;
    }
    return this.settle(read, this.input.take(lf + 1).subarray(0, end));
  }

  /** pause the client while enough input waits unread; resume when a read needs more */
  private flowControl(): void {
    if (this.upgrading || this.gone || this.closing) return;
    const need = this.pending?.kind === 'bytes' ? this.pending.n : 0;
    if (this.input.length >= Math.max(HIGH_WATER, need)) this.sock.pause();
    else this.sock.resume();
  }

  private idleMs(): number {
    return this.loggedIn ? this.idlePostLoginMs : this.idlePreLoginMs;
  }

  private armIdle(): void {
    if (this.idleTimer) return;
    const ms = this.idleMs();
    if (ms <= 0) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      this.log.debug({ loggedIn: this.loggedIn }, 'idle timeout');
      this.failPending(new IdleTimeoutError());
      this.flowControl();
    }, ms);
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private finish(): void {
    if (this.gone) return;
    this.gone = true;
    this.clearIdle();
    this.failPendingClosed();
    this.input.clear();
    this.markFinished();
  }
}
