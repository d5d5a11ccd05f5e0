/** A raw SMTP client: multi-line replies, in-place STARTTLS, every byte kept, timeouts everywhere. */
import net from 'node:net';
import tls from 'node:tls';

export interface Reply {
  code: number;
  lines: string[];
  /** the text of the last line, after the code */
  text: string;
}

export class SmtpClient {
  private buf = Buffer.alloc(0);
  private lines: string[] = [];
  private waiter: (() => void) | undefined;
  closed = false;

  private constructor(public socket: net.Socket) {
    this.attach(socket);
  }

  static async connect(port: number, opts: { tls?: boolean; preamble?: Buffer } = {}): Promise<SmtpClient> {
    const raw = net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      raw.once('connect', resolve);
      raw.once('error', reject);
    });
    if (opts.preamble) raw.write(opts.preamble);
    if (!opts.tls) return new SmtpClient(raw);
    const secure = tls.connect({ socket: raw, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', resolve);
      secure.once('error', reject);
    });
    return new SmtpClient(secure);
  }

  private attach(sock: net.Socket): void {
    sock.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      let i: number;
      while ((i = this.buf.indexOf(0x0a)) >= 0) {
        this.lines.push(this.buf.subarray(0, i).toString('utf8').replace(/\r$/, ''));
        this.buf = this.buf.subarray(i + 1);
      }
      this.wake();
    });
    sock.on('error', () => undefined);
    sock.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  async line(timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const l = this.lines.shift();
      if (l !== undefined) return l;
      if (this.closed) throw new Error('connection closed');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no line in time');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  async reply(timeoutMs = 5000): Promise<Reply> {
    const lines: string[] = [];
    for (;;) {
      const l = await this.line(timeoutMs);
      lines.push(l);
      if (!/^\d{3}-/.test(l)) {
        return { code: Number(l.slice(0, 3)), lines, text: l.slice(4) };
      }
    }
  }

  send(line: string): void {
    this.socket.write(line + '\r\n');
  }

  raw(data: string | Buffer): void {
    this.socket.write(data);
  }

  async cmd(line: string): Promise<Reply> {
    this.send(line);
    return this.reply();
  }

  async startTls(): Promise<void> {
    const raw = this.socket;
    raw.removeAllListeners('data');
    raw.removeAllListeners('close');
    const secure = tls.connect({ socket: raw, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', resolve);
      secure.once('error', reject);
    });
    this.socket = secure;
    this.attach(secure);
  }

  async waitClosed(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.closed;
  }

  end(): void {
    this.socket.destroy();
  }
}

export function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}
