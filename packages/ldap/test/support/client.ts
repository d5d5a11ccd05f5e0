/** A minimal LDAP client over a raw socket (plain, implicit TLS or StartTLS) for session tests. */
import net from 'node:net';
import tls from 'node:tls';
import {
  decodeMessage,
  encodeMessage,
  splitFrames,
  type LdapMessage,
  type ProtocolOp,
  type RequestOp,
} from '../../src/codec/index.js';

export class LdapTestClient {
  private buf = Buffer.alloc(0);
  private queue: LdapMessage[] = [];
  private waiters: Array<() => void> = [];
  private nextId = 1;
  closed = false;

  private constructor(private sock: net.Socket) {
    this.attach(sock);
  }

  static async connect(port: number, opts: { tls?: boolean } = {}): Promise<LdapTestClient> {
    const sock = opts.tls
      ? tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false })
      : net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      sock.once(opts.tls ? 'secureConnect' : 'connect', () => resolve());
      sock.once('error', reject);
    });
    return new LdapTestClient(sock);
  }

  private attach(sock: net.Socket): void {
    sock.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      const { frames, rest } = splitFrames(this.buf);
      this.buf = Buffer.from(rest);
      for (const f of frames) this.queue.push(decodeMessage(f));
      this.wake();
    });
    sock.on('close', () => {
      this.closed = true;
      this.wake();
    });
    sock.on('error', () => undefined);
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  raw(bytes: Buffer): void {
    this.sock.write(bytes);
  }

  send(op: RequestOp, controls?: LdapMessage['controls']): number {
    const messageId = this.nextId++;
    this.sock.write(encodeMessage({ messageId, protocolOp: op, ...(controls ? { controls } : {}) }));
    return messageId;
  }

  /** the next message from the server, or undefined once the connection closed */
  async next(timeoutMs = 5000): Promise<LdapMessage | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length === 0) {
      if (this.closed) return undefined;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for an LDAP message');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.queue.shift();
  }

  /** send and return the one response (or every message up to searchResultDone) */
  async request(op: RequestOp, controls?: LdapMessage['controls']): Promise<ProtocolOp[]> {
    const id = this.send(op, controls);
    const out: ProtocolOp[] = [];
    for (;;) {
      const m = await this.next();
      if (!m) throw new Error('connection closed');
      if (m.messageId !== id) throw new Error(`unexpected message ${JSON.stringify(m)}`);
      out.push(m.protocolOp);
      if (m.protocolOp.op !== 'searchResultEntry') return out;
    }
  }

  async one(op: RequestOp): Promise<ProtocolOp & { resultCode?: number; diagnosticMessage?: string }> {
    const [r] = await this.request(op);
    return r as ProtocolOp & { resultCode?: number };
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('connection still open');
      await this.next(deadline - Date.now()).catch(() => undefined);
    }
  }

  /** StartTLS already answered: wrap the same socket */
  async upgrade(): Promise<void> {
    this.sock.removeAllListeners('data');
    this.sock.removeAllListeners('close');
    const secure = tls.connect({ socket: this.sock, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    this.sock = secure;
    this.attach(secure);
  }

  end(): void {
    this.sock.destroy();
  }
}

export const simpleBind = (name: string, password: string): RequestOp => ({
  op: 'bindRequest',
  version: 3,
  name,
  auth: { kind: 'simple', password: Buffer.from(password) },
});

export const saslBind = (mechanism: string, credentials?: Buffer): RequestOp => ({
  op: 'bindRequest',
  version: 3,
  name: '',
  auth: { kind: 'sasl', mechanism, ...(credentials ? { credentials } : {}) },
});

export const whoAmI: RequestOp = { op: 'extendedRequest', name: '1.3.6.1.4.1.4203.1.11.3' };
export const startTls: RequestOp = { op: 'extendedRequest', name: '1.3.6.1.4.1.1466.20037' };
