/** A small line-oriented test client that can upgrade to TLS. */
import net from 'node:net';
import tls from 'node:tls';

export class LineClient {
  private buffer = '';
  private wake: (() => void) | undefined;
  private ended = false;

  private constructor(private socket: net.Socket) {
    this.attach(socket);
  }

  /** implicitTls: start TLS at once (implicit FTPS listeners) */
  static connect(port: number, implicitTls = false): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      if (implicitTls) {
        const socket = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => resolve(new LineClient(socket)));
        socket.once('error', reject);
        return;
      }
      const socket = net.connect({ port, host: '127.0.0.1' }, () => resolve(new LineClient(socket)));
      socket.once('error', reject);
    });
  }

  send(line: string | Buffer): void {
    this.socket.write(typeof line === 'string' ? `${line}\r\n` : line);
  }

  async line(timeoutMs = 3000): Promise<string> {
    for (;;) {
      const lf = this.buffer.indexOf('\n');
      if (lf >= 0) {
        const line = this.buffer.slice(0, lf).replace(/\r$/, '');
        this.buffer = this.buffer.slice(lf + 1);
        return line;
      }
      if (this.ended) throw new Error(`connection closed (pending: ${JSON.stringify(this.buffer)})`);
      await this.waitForData(timeoutMs);
    }
  }

  async command(line: string): Promise<string> {
    this.send(line);
    return this.line();
  }

  /** an FTP reply: every line up to the one that starts with "ddd " */
  async reply(line?: string): Promise<{ code: number; lines: string[]; text: string }> {
    if (line !== undefined) this.send(line);
    const first = await this.line();
    const lines = [first];
    const code = first.slice(0, 3);
    if (first[3] === '-') {
      for (;;) {
        const l = await this.line();
        lines.push(l);
        if (l.startsWith(`${code} `)) break;
      }
    }
    return { code: Number(code), lines, text: lines[lines.length - 1]! };
  }

  /** resolves true when the server closes the connection without sending more */
  async closedByServer(timeoutMs = 3000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      if (Date.now() > deadline) return false;
      await this.waitForData(deadline - Date.now()).catch(() => undefined);
    }
    return true;
  }

  async startTls(): Promise<void> {
    this.socket.removeAllListeners('data');
    this.socket.removeAllListeners('end');
    this.socket.removeAllListeners('close');
    const secure = tls.connect({ socket: this.socket, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    this.socket = secure;
    this.attach(secure);
  }

  close(): void {
    this.socket.destroy();
  }

  private attach(socket: net.Socket): void {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.wake?.();
    });
    const end = (): void => {
      this.ended = true;
      this.wake?.();
    };
    socket.on('end', end);
    socket.on('close', end);
    socket.on('error', end);
  }

  private waitForData(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        reject(new Error(`timed out waiting for the server (pending: ${JSON.stringify(this.buffer)})`));
      }, timeoutMs);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }
}
