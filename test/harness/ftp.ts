/** A raw FTP control connection over LineClient: replies (multi-line too), login, passive data. */
import net from 'node:net';
import tls from 'node:tls';
import { LineClient, type ConnectOptions } from './line-client.js';

export interface FtpReply {
  code: number;
  /** every line of the reply */
  lines: string[];
  /** the last line */
  text: string;
}

/** One reply: `ddd text`, or `ddd-` ... `ddd text` (RFC 959 section 4.2). */
export async function ftpReply(c: LineClient, timeoutMs = 10_000): Promise<FtpReply> {
  const first = await c.readLine(timeoutMs);
  const m = /^(\d{3})([ -])/.exec(first);
  if (!m) throw new Error(`not an FTP reply: ${JSON.stringify(first)}`);
  const lines = [first];
  if (m[2] === '-') {
    lines.push(...(await c.readUntil((l) => l.startsWith(`${m[1]} `), timeoutMs)));
  }
  return { code: Number(m[1]), lines, text: lines[lines.length - 1]! };
}

export async function ftpCommand(c: LineClient, line: string): Promise<FtpReply> {
  c.send(line);
  return ftpReply(c);
}

export async function ftpConnect(port: number, opts: ConnectOptions = {}): Promise<{ c: LineClient; greeting: FtpReply }> {
  const c = await LineClient.connect(port, opts);
  return { c, greeting: await ftpReply(c) };
}

/** USER then PASS; the PASS reply (or the USER one when it was not 331). */
export async function ftpLogin(c: LineClient, user: string, password: string): Promise<FtpReply> {
  const u = await ftpCommand(c, `USER ${user}`);
  if (u.code !== 331) return u;
  return ftpCommand(c, `PASS ${password}`);
}

/** Connect, log in, quit; the login reply code (or the greeting's when it was not 220). */
export async function ftpLoginWorks(port: number, user: string, password: string, opts: ConnectOptions = {}): Promise<number> {
  const { c, greeting } = await ftpConnect(port, opts);
  try {
    if (greeting.code !== 220) return greeting.code;
    return (await ftpLogin(c, user, password)).code;
  } finally {
    c.close();
  }
}

/** EPSV, then a plain TCP connection to the port it names (or TLS when tlsData). */
export async function ftpPassive(c: LineClient, tlsData = false): Promise<net.Socket> {
  const r = await ftpCommand(c, 'EPSV');
  const m = /\(\|\|\|(\d+)\|\)/.exec(r.text);
  if (r.code !== 229 || !m) throw new Error(`EPSV failed: ${r.text}`);
  const port = Number(m[1]);
  const raw = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    raw.once('connect', resolve);
    raw.once('error', reject);
  });
  if (!tlsData) return raw;
  return tls.connect({ socket: raw, rejectUnauthorized: false });
}

/** Everything the data connection delivers until it closes. */
export function readAll(s: net.Socket, timeoutMs = 10_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => reject(new Error('data connection did not close')), timeoutMs);
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
  });
}
