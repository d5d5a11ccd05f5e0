/**
 * XMPP clients for the integration tests: @xmpp/client (PLAIN and SCRAM-SHA-1 built in; SCRAM-SHA-256
 * and DIGEST-MD5 added through its saslFactory with mechanisms written here), and a raw socket
 * client for hostile input and PROXY headers.
 */
import crypto from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
// @xmpp/client ships no type declarations
// eslint-disable-next-line @typescript-eslint/ban-ts-comment
// @ts-ignore
import { client as xmppClient, xml as xmppXml } from '@xmpp/client';
import { run, TEST_DIR } from './run.js';
import { ScramClient, type ScramHash } from './scram.js';

/** What the tests use of an @xmpp/client entity (it ships no types). */
export interface XmppEntity {
  jid: { toString(): string } | null;
  status: string;
  start(): Promise<{ toString(): string }>;
  stop(): Promise<void>;
  send(el: unknown): Promise<void>;
  on(event: string, cb: (arg: XmlElement) => void): void;
  reconnect: { stop(): void };
  iqCaller: { request(el: unknown, timeout?: number): Promise<XmlElement> };
  saslFactory: { use(name: string, mech: unknown): void };
}

export interface XmlElement {
  name: string;
  attrs: Record<string, string | undefined>;
  is(name: string, ns?: string): boolean;
  getChildText(name: string, ns?: string): string | null;
  getChild(name: string, ns?: string): XmlElement | undefined;
  toString(): string;
}

export const xml = xmppXml as (name: string, attrs?: Record<string, string>, ...children: unknown[]) => unknown;

export type Mechanism = 'PLAIN' | 'SCRAM-SHA-1' | 'SCRAM-SHA-256' | 'DIGEST-MD5';

export interface LoginOptions {
  port: number;
  /** starttls: the client upgrades when offered; implicit: xmpps:// */
  security: 'none' | 'starttls' | 'implicit';
  domain?: string;
  username: string;
  password: string;
  mechanism: Mechanism;
  resource?: string;
  timeoutMs?: number;
}

/** latin1 "binary strings", which is what saslmechanisms passes around */
const bin = (b: Buffer): string => b.toString('latin1');

function scramMechanismClass(hash: ScramHash): unknown {
  const name = hash === 'sha1' ? 'SCRAM-SHA-1' : 'SCRAM-SHA-256';
  class Scram {
    name = name;
    clientFirst = true;
    private client: ScramClient | undefined;
    private serverFirst: Buffer | undefined;
    response(cred: { username: string; password: string }): string {
      if (!this.client) {
        this.client = new ScramClient({ hash, user: cred.username, password: cred.password });
        return bin(this.client.clientFirst());
      }
      if (this.serverFirst) {
        const final = this.client.clientFinal(this.serverFirst);
        this.serverFirst = undefined;
        return bin(final);
      }
      return '';
    }
    challenge(chal: string): this {
      this.serverFirst = Buffer.from(chal, 'latin1');
      return this;
    }
  }
  return Scram;
}

/**
 * RFC 2831 client, qop=auth. @xmpp/sasl only sends <auth> for client-first mechanisms, so this
 * one claims to be and sends an empty initial response (the server then opens with its challenge).
 */
class DigestMd5 {
  name = 'DIGEST-MD5';
  clientFirst = true;
  private challengeText = '';
  private step = 0;
  response(cred: { username: string; password: string; host: string }): string {
    const step = this.step++;
    if (step !== 1) return '';
    const fields = new Map<string, string>();
    for (const m of this.challengeText.matchAll(/([a-z-]+)=("([^"]*)"|[^,]*)/g)) fields.set(m[1]!, m[3] ?? m[2]!);
    const realm = fields.get('realm') ?? '';
    const nonce = fields.get('nonce') ?? '';
    const cnonce = crypto.randomBytes(12).toString('hex');
    const nc = '00000001';
    const uri = `xmpp/${cred.host}`;
    const md5 = (x: Buffer | string): Buffer => crypto.createHash('md5').update(x).digest();
    const hex = (x: Buffer | string): string => crypto.createHash('md5').update(x).digest('hex');
    const a1 = Buffer.concat([md5(`${cred.username}:${realm}:${cred.password}`), Buffer.from(`:${nonce}:${cnonce}`)]);
    const a2 = `AUTHENTICATE:${uri}`;
    const resp = hex(`${hex(a1)}:${nonce}:${nc}:${cnonce}:auth:${hex(a2)}`);
    return `username="${cred.username}",realm="${realm}",nonce="${nonce}",cnonce="${cnonce}",nc=${nc},qop=auth,digest-uri="${uri}",response=${resp},charset=utf-8`;
  }
  challenge(chal: string): this {
    this.challengeText = chal;
    return this;
  }
}

/** A started client, or the error it failed with (its message names the SASL condition). */
export async function xmppLogin(opts: LoginOptions): Promise<XmppEntity> {
  const domain = opts.domain ?? 'example.test';
  const scheme = opts.security === 'implicit' ? 'xmpps' : 'xmpp';
  let failed!: (err: unknown) => void;
  const failure = new Promise<never>((_, reject) => (failed = reject));
  const entity = xmppClient({
    service: `${scheme}://127.0.0.1:${opts.port}`,
    domain,
    ...(opts.resource ? { resource: opts.resource } : {}),
    credentials: async (authenticate: (c: object, m: string) => Promise<void>, offered: string[]) => {
      try {
        if (!offered.includes(opts.mechanism)) throw new Error(`mechanism ${opts.mechanism} not offered (${offered.join(' ')})`);
        await authenticate({ username: opts.username, password: opts.password }, opts.mechanism);
      } catch (err) {
        // report the failure here and leave the client's own chain pending: letting it reject
        // sometimes surfaces as an unhandled rejection inside @xmpp/client
        failed(err);
        await new Promise(() => {});
      }
    },
  }) as XmppEntity;
  entity.reconnect.stop();
  entity.saslFactory.use('SCRAM-SHA-256', scramMechanismClass('sha256'));
  entity.saslFactory.use('DIGEST-MD5', DigestMd5);
  entity.on('error', () => {});
  const timeout = opts.timeoutMs ?? 20_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      entity.start(),
      failure,
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('xmpp login timed out')), timeout))),
    ]);
    return entity;
  } catch (err) {
    await stopQuietly(entity);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

export async function stopQuietly(entity: XmppEntity | undefined): Promise<void> {
  if (!entity) return;
  try {
    await Promise.race([entity.stop(), new Promise((r) => setTimeout(r, 3000))]);
  } catch {
    // already gone
  }
}

/** The SASL failure condition in an @xmpp/client error, or its message. */
export function failureOf(err: unknown): string {
  const e = err as { condition?: string; message?: string };
  return e.condition ?? e.message ?? String(err);
}

/** A raw XMPP socket: write anything, read whatever the server sends until it closes. */
export class RawXmpp {
  private data = '';
  private ended = false;
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.data += d;
      this.wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  static connect(port: number, opts: { tls?: boolean; preamble?: Buffer } = {}): Promise<RawXmpp> {
    return new Promise((resolve, reject) => {
      if (opts.tls) {
        const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => resolve(new RawXmpp(s)));
        s.once('error', reject);
        return;
      }
      const s = net.connect(port, '127.0.0.1', () => {
        if (opts.preamble) s.write(opts.preamble);
        resolve(new RawXmpp(s));
      });
      s.once('error', reject);
    });
  }

  static header(to = 'example.test'): string {
    return `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='${to}' version='1.0'>`;
  }

  send(text: string | Buffer): void {
    if (!this.socket.destroyed) this.socket.write(text);
  }

  get closed(): boolean {
    return this.ended;
  }

  get received(): string {
    return this.data;
  }

  /** wait until the received text matches, or fail with what came */
  async waitFor(re: RegExp, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!re.test(this.data)) {
      if (this.ended) throw new Error(`closed before ${re}: ${this.data}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${re}: ${this.data}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
    return this.data;
  }

  async waitClosed(timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`not closed: ${this.data}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
    return this.data;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

/** base64 of a PLAIN initial response */
export function plainB64(user: string, password: string): string {
  return Buffer.from(`\0${user}\0${password}`).toString('base64');
}

export interface SlixmppOut {
  ok: boolean;
  error: string | null;
  jid: string | null;
  received: { from: string; body: string }[];
  pong: boolean;
}

/** test/clients/xmpp_client.py under Debian's /usr/bin/python3, which has python3-slixmpp */
export async function slixmpp(arg: Record<string, unknown>, timeoutMs = 40_000): Promise<SlixmppOut> {
  const file = path.join(TEST_DIR, 'clients', 'xmpp_client.py');
  const res = await run('/usr/bin/python3', [file, JSON.stringify({ host: '127.0.0.1', ...arg })], { timeoutMs });
  const last = res.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(last) as SlixmppOut;
  } catch {
    throw new Error(`xmpp_client.py gave no JSON (code ${res.code}, timedOut ${res.timedOut}):\n${res.stdout}\n${res.stderr}`);
  }
}
