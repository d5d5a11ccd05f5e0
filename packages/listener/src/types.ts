/**
 * What every protocol package gets from the listener: one Connection per client, read with
 * awaitable calls so that a protocol session is a plain, readable state machine.
 */
import type net from 'node:net';
import type tls from 'node:tls';
import type { Logger } from 'pino';

export type TlsMode = 'none' | 'starttls' | 'implicit';

export interface ListenerOptions {
  service: string;
  port: number;
  /** default 127.0.0.1 */
  address?: string;
  tls?: TlsMode;
  /** the listener's default domain for names without @domain */
  domain?: string;
  /** CIDR lists (IPv4 and IPv6); a connection outside grant (when given) or inside deny is closed before any byte */
  grant?: string[];
  deny?: string[];
  /** expect a PROXY v1/v2 header first; the client address then comes from it */
  proxyProtocol?: boolean;
  /** where a PROXY header is believed from; default loopback only */
  proxyTrusted?: string[];
  /** seconds of silence allowed before login (default 60) and after (default 1800) */
  idleTimeoutPreLogin?: number;
  idleTimeoutPostLogin?: number;
}

export interface TlsMaterial {
  /** PEM */
  cert: string;
  key: string;
  /** PEM CA bundle for client certificates (later issues) */
  ca?: string;
}

export class LineTooLongError extends Error {
  constructor(readonly limit: number) {
    super(`line longer than ${limit} bytes`);
  }
}

export class ConnectionClosedError extends Error {
  constructor() {
    super('connection closed');
  }
}

export class IdleTimeoutError extends Error {
  constructor() {
    super('idle timeout');
  }
}

export interface ReadLineOptions {
  /** bytes, without the line end; default 8192 */
  maxLength?: number;
}

export interface Connection {
  readonly id: string;
  readonly service: string;
  /** client address (from the PROXY header when one was accepted), IPv4-mapped IPv6 unwrapped */
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  readonly listenerDomain: string | undefined;
  /** TLS is active now (implicit, or after STARTTLS) */
  readonly secure: boolean;
  /** the listener allows STARTTLS and it has not happened yet */
  readonly canStartTls: boolean;
  readonly log: Logger;
  /** channel-binding facts of the active TLS session, undefined without TLS */
  tlsChannel(): {
    exportKeyingMaterial(length: number, label: string, context?: Buffer): Buffer;
    serverCertificateDer(): Buffer | null;
    protocol: string | null;
    /**
     * DER of the client's certificate (asked for on every TLS link, never verified here), null
     * when it sent none. Optional so that test doubles of Connection need not have it.
     */
    peerCertificateDer?(): Buffer | null;
  } | undefined;

  /**
   * Next line without its CRLF (or LF). Rejects with LineTooLongError (the rest of that line is
   * discarded, the connection stays usable), ConnectionClosedError, or IdleTimeoutError.
   */
  readLine(options?: ReadLineOptions): Promise<Buffer>;
  /** exactly n bytes (IMAP literals) */
  readBytes(n: number): Promise<Buffer>;
  /** skip n bytes without keeping them (an over-long literal) */
  discardBytes(n: number): Promise<void>;
  /**
   * The next input bytes up to and including the first LF, at most maxBytes, as soon as at least
   * one byte is there; line endings are left as sent. For streamed bodies (SMTP DATA) that must
   * see CR and LF exactly and must not be read past their end. Optional so that test doubles of
   * Connection need not have it.
   */
  readLineChunk?(maxBytes: number): Promise<Buffer>;
  /**
   * Whatever input is buffered, 1 to `max` bytes, waiting for at least one (stream protocols such
   * as XMPP that are not line-oriented). Optional so that test doubles need not implement it.
   */
  readSome?(max: number): Promise<Buffer>;
  write(data: string | Buffer): void;
  /** upgrade to TLS; buffered plaintext after the command is dropped (no command injection) */
  startTls(): Promise<void>;
  /** switch to the post-login idle timeout */
  setLoggedIn(): void;
  /** flush and close */
  close(): Promise<void>;
  readonly closed: boolean;
  /**
   * Hand the socket over to whoever relays the session (after a login, to an upstream server):
   * the connection stops reading, `buffered` holds the bytes it had received but no read had
   * consumed, and from then on write() does nothing and close() only waits for the socket to be
   * gone. Throws while a read or STARTTLS is pending, or once closed. Optional so that test
   * doubles of Connection need not have it.
   */
  takeOver?(): TakenOverSocket;
}

/** what Connection.takeOver hands on */
export interface TakenOverSocket {
  /** the socket to read and write: the TLS socket under TLS, else the TCP socket (paused) */
  socket: net.Socket | tls.TLSSocket;
  /** input received but not consumed by the protocol session, to be relayed first */
  buffered: Buffer;
}

/** A protocol plugs in as one async function per connection; a throw closes the connection. */
export type ConnectionHandler = (conn: Connection) => Promise<void>;
