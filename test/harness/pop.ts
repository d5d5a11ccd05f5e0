/** POP3 exchanges over a LineClient. */
import { LineClient, type ConnectOptions } from './line-client.js';
import type { Responder } from './sasl.js';

export async function popConnect(port: number, opts: ConnectOptions = {}): Promise<{ c: LineClient; greeting: string }> {
  const c = await LineClient.connect(port, opts);
  const greeting = await c.readLine();
  return { c, greeting };
}

/** One command, its status line. */
export async function popCommand(c: LineClient, line: string, timeoutMs = 10_000): Promise<string> {
  c.send(line);
  return c.readLine(timeoutMs);
}

/** A multi-line reply (CAPA, LIST): the status line and the body lines without the final dot. */
export async function popMulti(c: LineClient, line: string): Promise<{ status: string; body: string[] }> {
  const status = await popCommand(c, line);
  if (!status.startsWith('+OK')) return { status, body: [] };
  const lines = await c.readUntil((l) => l === '.');
  return { status, body: lines.slice(0, -1).map((l) => (l.startsWith('..') ? l.slice(1) : l)) };
}

export async function popCapa(c: LineClient): Promise<string[]> {
  const r = await popMulti(c, 'CAPA');
  if (!r.status.startsWith('+OK')) throw new Error(`CAPA: ${r.status}`);
  return r.body;
}

/** SASL mechanisms from the CAPA `SASL` line, upper case. */
export function popSaslMechanisms(capa: string[]): string[] {
  const line = capa.find((l) => /^SASL\b/i.test(l));
  return line ? line.split(/\s+/).slice(1).map((s) => s.toUpperCase()) : [];
}

export async function popUserPass(c: LineClient, user: string, password: string): Promise<{ user: string; pass: string }> {
  const u = await popCommand(c, `USER ${user}`);
  if (!u.startsWith('+OK')) return { user: u, pass: '' };
  const p = await popCommand(c, `PASS ${password}`);
  return { user: u, pass: p };
}

export async function popAuth(
  c: LineClient,
  mechanism: string,
  responder: Responder,
  opts: { initial?: Buffer } = {},
): Promise<{ status: string; ok: boolean; challenges: Buffer[] }> {
  const ir = opts.initial ? ` ${opts.initial.length ? opts.initial.toString('base64') : '='}` : '';
  c.send(`AUTH ${mechanism}${ir}`);
  const challenges: Buffer[] = [];
  for (let step = 0; step < 10; step++) {
    const line = await c.readLine();
    if (line.startsWith('+OK') || line.startsWith('-ERR')) return { status: line, ok: line.startsWith('+OK'), challenges };
    if (line.startsWith('+')) {
      const challenge = Buffer.from(line.slice(1).trim(), 'base64');
      challenges.push(challenge);
      c.send(Buffer.from(responder(challenge, challenges.length - 1)).toString('base64'));
    } else {
      throw new Error(`unexpected POP3 line during AUTH: ${line}`);
    }
  }
  throw new Error('AUTH did not finish in 10 steps');
}

/** The RFC 1939 timestamp in a greeting, or undefined. */
export function apopTimestamp(greeting: string): string | undefined {
  return /<[^<>@\s]+@[^<>\s]+>/.exec(greeting)?.[0];
}

export async function popLoginWorks(port: number, user: string, password: string, opts: ConnectOptions = {}): Promise<string> {
  const { c } = await popConnect(port, opts);
  try {
    return (await popUserPass(c, user, password)).pass;
  } finally {
    c.close();
  }
}
