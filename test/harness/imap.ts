/** IMAP exchanges over a LineClient: tagged commands, AUTHENTICATE loops, capability parsing. */
import { LineClient, type ConnectOptions } from './line-client.js';
import type { Responder } from './sasl.js';

export interface TaggedReply {
  untagged: string[];
  /** the tagged status line without the tag: `OK ...`, `NO ...`, `BAD ...` */
  status: string;
  ok: boolean;
}

let tagCounter = 0;
export function nextTag(): string {
  return `t${++tagCounter}`;
}

/** Connect and read the greeting. */
export async function imapConnect(port: number, opts: ConnectOptions = {}): Promise<{ c: LineClient; greeting: string }> {
  const c = await LineClient.connect(port, opts);
  const greeting = await c.readLine();
  return { c, greeting };
}

export async function imapCommand(c: LineClient, command: string, timeoutMs = 10_000): Promise<TaggedReply> {
  const tag = nextTag();
  c.send(`${tag} ${command}`);
  return imapReadTagged(c, tag, timeoutMs);
}

export async function imapReadTagged(c: LineClient, tag: string, timeoutMs = 10_000): Promise<TaggedReply> {
  const lines = await c.readUntil((l) => l.startsWith(`${tag} `), timeoutMs);
  const status = lines[lines.length - 1]!.slice(tag.length + 1);
  return { untagged: lines.slice(0, -1), status, ok: /^OK\b/i.test(status) };
}

export async function imapCapabilities(c: LineClient): Promise<string[]> {
  const r = await imapCommand(c, 'CAPABILITY');
  if (!r.ok) throw new Error(`CAPABILITY: ${r.status}`);
  const line = r.untagged.find((l) => /^\* CAPABILITY /i.test(l));
  if (!line) throw new Error(`no CAPABILITY line: ${JSON.stringify(r.untagged)}`);
  return line.replace(/^\* CAPABILITY /i, '').trim().split(/\s+/).map((s) => s.toUpperCase());
}

export function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export async function imapLogin(c: LineClient, user: string, password: string): Promise<TaggedReply> {
  return imapCommand(c, `LOGIN ${quote(user)} ${quote(password)}`);
}

export interface SaslReply extends TaggedReply {
  /** decoded server challenges, in order */
  challenges: Buffer[];
}

/**
 * AUTHENTICATE MECH with the responder answering every `+` challenge; `initial` sends a SASL-IR
 * initial response on the command line.
 */
export async function imapAuthenticate(
  c: LineClient,
  mechanism: string,
  responder: Responder,
  opts: { initial?: Buffer; timeoutMs?: number } = {},
): Promise<SaslReply> {
  const tag = nextTag();
  const ir = opts.initial ? ` ${opts.initial.length ? opts.initial.toString('base64') : '='}` : '';
  c.send(`${tag} AUTHENTICATE ${mechanism}${ir}`);
  const challenges: Buffer[] = [];
  const untagged: string[] = [];
  for (let step = 0; step < 10; step++) {
    const line = await c.readLine(opts.timeoutMs ?? 10_000);
    if (line.startsWith(`${tag} `)) {
      const status = line.slice(tag.length + 1);
      return { untagged, status, ok: /^OK\b/i.test(status), challenges };
    }
    if (line.startsWith('+')) {
      const challenge = Buffer.from(line.slice(1).trim(), 'base64');
      challenges.push(challenge);
      const resp = responder(challenge, challenges.length - 1);
      c.send(Buffer.from(resp).toString('base64'));
    } else {
      untagged.push(line);
    }
  }
  throw new Error('AUTHENTICATE did not finish in 10 steps');
}

/** A fresh connection that logs in with LOGIN and logs out; the common "a good login works" check. */
export async function imapLoginWorks(port: number, user: string, password: string, opts: ConnectOptions = {}): Promise<TaggedReply> {
  const { c } = await imapConnect(port, opts);
  try {
    return await imapLogin(c, user, password);
  } finally {
    c.close();
  }
}

/** CAPABILITY before login on a fresh connection to `port`, closed afterwards. */
export async function imapCapabilitiesAt(port: number): Promise<string[]> {
  const { c } = await imapConnect(port);
  try {
    return await imapCapabilities(c);
  } finally {
    c.close();
  }
}
