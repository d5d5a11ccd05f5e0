/**
 * A loopback TCP server whose one connection follows a test's script (read a line, write a
 * reply, start TLS), recording every line it received, so that an upstream dialog can be driven
 * against exactly the replies a test needs: good ones, refusals, garbage and silence.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';

export interface ScriptIo {
  /** the next line the dialog sent, without CRLF */
  line(): Promise<string>;
  write(text: string | Buffer): void;
  /** answer STLS/STARTTLS: the server side of the TLS handshake on the same socket */
  startTls(): Promise<void>;
  /** lines received so far */
  readonly received: string[];
}

export interface ScriptedServer {
  port: number;
  received: string[];
  /** settles when the script finished (or threw) */
  done: Promise<void>;
  close(): Promise<void>;
}

let material: { cert: string; key: string } | undefined;

/** a self-signed certificate for 127.0.0.1 made once with the openssl command */
export function testCertificate(): { cert: string; key: string } {
  if (material) return material;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-cert-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
  material = {
    cert: fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
    key: fs.readFileSync(path.join(dir, 'key.pem'), 'utf8'),
  };
  fs.rmSync(dir, { recursive: true, force: true });
  return material;
}

export async function scriptedServer(script: (io: ScriptIo) => Promise<void>): Promise<ScriptedServer> {
  const received: string[] = [];
  const sockets = new Set<net.Socket>();
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const server = net.createServer((raw) => {
    sockets.add(raw);
    let sock: net.Socket = raw;
    let buffer = '';
    let waiter: (() => void) | undefined;
    let ended = false;
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString('latin1');
      waiter?.();
    };
    const onEnd = (): void => {
      ended = true;
      waiter?.();
    };
    const attach = (s: net.Socket): void => {
      s.on('data', onData);
      s.on('end', onEnd);
      s.on('error', onEnd);
    };
    attach(raw);
    const io: ScriptIo = {
      received,
      async line() {
        for (;;) {
          const lf = buffer.indexOf('\n');
          if (lf >= 0) {
            const line = buffer.slice(0, lf).replace(/\r$/, '');
            buffer = buffer.slice(lf + 1);
            received.push(line);
            return line;
          }
          if (ended) throw new Error('the dialog closed the connection');
          await new Promise<void>((resolve) => (waiter = resolve));
          waiter = undefined;
        }
      },
      write(text) {
        sock.write(text);
      },
      async startTls() {
        raw.removeListener('data', onData);
        raw.removeListener('end', onEnd);
        const { cert, key } = testCertificate();
        const secure = new tls.TLSSocket(raw, { isServer: true, cert, key });
        sockets.add(secure);
        await new Promise<void>((resolve, reject) => {
          secure.once('secure', resolve);
          secure.once('error', reject);
        });
        sock = secure;
        attach(secure);
      },
    };
    // the script's end is the server hanging up (after what it wrote has gone out)
    script(io)
      .catch(() => undefined)
      .finally(() => {
        sock.end();
        finish();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    received,
    done,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** a connected client socket to the scripted server */
export function connectTo(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** read from a released upstream socket until `text` has arrived (or the socket ends) */
export function readUntil(socket: net.Socket, text: string, first: Buffer = Buffer.alloc(0)): Promise<string> {
  return new Promise((resolve) => {
    let got = first.toString('latin1');
    if (got.includes(text)) {
      resolve(got);
      return;
    }
    const onData = (chunk: Buffer): void => {
      got += chunk.toString('latin1');
      if (got.includes(text)) {
        socket.removeListener('data', onData);
        resolve(got);
      }
    };
    socket.on('data', onData);
    socket.once('end', () => resolve(got));
    socket.resume();
  });
}
