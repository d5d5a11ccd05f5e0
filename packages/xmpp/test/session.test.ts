/** The session behind the real listener, with a fake Authenticator: negotiation and routing. */
import net from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Advertisement, AuthFailure, Authenticator, ConnectionInfo, SaslExchange, SaslStep } from '@portcullis/auth-core';
import { ensureTlsMaterial, startListener, type RunningListener, type TlsMaterial } from '@portcullis/listener';
import { createXmppHandler, saslConditionFor, TokenBucket, XmppRouter, type XmppOptions } from '../src/index.js';

const ACCOUNTS: Record<string, string> = { alice: 'secret', bob: 'hunter2' };

/** PLAIN only; records what it was asked */
class FakeAuthenticator implements Authenticator {
  seen: ConnectionInfo[] = [];
  async advertise(conn: ConnectionInfo): Promise<Advertisement> {
    this.seen.push(conn);
    return { saslMechanisms: ['PLAIN'], clearText: true, apop: false };
  }
  async checkClientAddress(): Promise<AuthFailure | null> {
    return null;
  }
  startSasl(mechanism: string, conn: ConnectionInfo): SaslExchange | null {
    if (mechanism !== 'PLAIN') return null;
    return {
      mechanism,
      step: async (input): Promise<SaslStep> => {
        if (!input) return { kind: 'continue', challenge: Buffer.alloc(0) };
        const [, user = '', password = ''] = input.toString().split('\0');
        if (ACCOUNTS[user] !== password) return { kind: 'failure', failure: { code: 'bad-credentials', message: 'incorrect password' } };
        const address = `${user}@${conn.listenerDomain ?? 'example.test'}`;
        return {
          kind: 'success',
          success: { authcid: address, authzid: address, mechanism, account: { name: user, domain: 'example.test', settings: {} } },
        };
      },
      cancel: () => ({ code: 'cancelled', message: 'cancelled' }),
    };
  }
  loginPlaintext(): never {
    throw new Error('not used');
  }
  apopTimestamp(): string {
    return '';
  }
  loginApop(): never {
    throw new Error('not used');
  }
}

class Raw {
  text = '';
  closed = false;
  constructor(readonly socket: net.Socket) {
    socket.setEncoding('utf8').on('data', (d: string) => (this.text += d));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => {});
  }
  static connect(port: number): Promise<Raw> {
    return new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new Raw(s)));
    });
  }
  send(t: string): void {
    this.socket.write(t);
  }
  async waitFor(re: RegExp): Promise<string> {
    for (let i = 0; i < 200; i++) {
      if (re.test(this.text)) return this.text;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`timed out waiting for ${re}: ${this.text}`);
  }
  async waitClosed(): Promise<string> {
    for (let i = 0; i < 200 && !this.closed; i++) await new Promise((r) => setTimeout(r, 20));
    if (!this.closed) throw new Error(`not closed: ${this.text}`);
    return this.text;
  }
}

const HEADER = (to = 'example.test') =>
  `<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='${to}' version='1.0'>`;
const plain = (u: string, p: string) =>
  `<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${Buffer.from(`\0${u}\0${p}`).toString('base64')}</auth>`;

let dir: string;
let material: TlsMaterial;
const running: RunningListener[] = [];
const sockets: Raw[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'xmpp-session-'));
  material = await ensureTlsMaterial({ cert: 'auto' }, dir, 'localhost');
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.socket.destroy();
});
afterAll(async () => {
  for (const l of running) await l.close(100);
  await rm(dir, { recursive: true, force: true });
});

async function listen(opts: Partial<XmppOptions> = {}, tls: 'none' | 'starttls' = 'none', idle?: number): Promise<number> {
  const l = await startListener(
    { service: 'xmpp', port: 0, tls, ...(idle ? { idleTimeoutPreLogin: idle } : {}) },
    {
      handler: createXmppHandler({ authenticator: new FakeAuthenticator(), serverName: 'xmpp.example.test', mainDomain: 'example.test', router: new XmppRouter(), ...opts }),
      logger: pino({ level: 'silent' }),
      tls: material,
    },
  );
  running.push(l);
  return l.port;
}

async function connect(port: number): Promise<Raw> {
  const r = await Raw.connect(port);
  sockets.push(r);
  return r;
}

async function boundSession(port: number, user: string, resource: string): Promise<Raw> {
  const r = await connect(port);
  r.send(HEADER());
  await r.waitFor(/<\/stream:features>/);
  r.send(plain(user, ACCOUNTS[user]!));
  await r.waitFor(/<success/);
  r.send(HEADER());
  await r.waitFor(/<bind [^>]*\/>[\s\S]*<\/stream:features>/);
  r.send(`<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>${resource}</resource></bind></iq>`);
  await r.waitFor(new RegExp(`<jid>${user}@example.test/${resource}</jid>`));
  return r;
}

describe('negotiation', () => {
  it('offers STARTTLS as required when configured, and refuses SASL before it', async () => {
    const port = await listen({ requireStartTls: true }, 'starttls');
    const r = await connect(port);
    r.send(HEADER());
    const text = await r.waitFor(/<\/stream:features>/);
    expect(text).toContain("<starttls xmlns=\"urn:ietf:params:xml:ns:xmpp-tls\"><required/></starttls>");
    expect(text).not.toContain('<mechanisms');
    r.send(plain('alice', 'secret'));
    await r.waitFor(/<failure xmlns="urn:ietf:params:xml:ns:xmpp-sasl"><encryption-required\/>/);
  });

  it('offers STARTTLS without <required/> by default, and mechanisms alongside', async () => {
    const port = await listen({}, 'starttls');
    const r = await connect(port);
    r.send(HEADER());
    const text = await r.waitFor(/<\/stream:features>/);
    expect(text).toContain('<starttls xmlns="urn:ietf:params:xml:ns:xmpp-tls"/>');
    expect(text).toContain('<mechanism>PLAIN</mechanism>');
  });

  it('answers an empty initial response with an empty challenge and completes on <response>', async () => {
    const r = await connect(await listen());
    r.send(HEADER());
    await r.waitFor(/<\/stream:features>/);
    r.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'/>");
    await r.waitFor(/<challenge xmlns="urn:ietf:params:xml:ns:xmpp-sasl">=<\/challenge>/);
    r.send(`<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>${Buffer.from('\0alice\0secret').toString('base64')}</response>`);
    await r.waitFor(/<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl"\/>/);
  });

  it('uses the stream domain to complete the login name', async () => {
    const r = await connect(await listen({ resolveDomain: async (n) => (n === 'other.test' ? 'other.test' : null) }));
    r.send(HEADER('other.test'));
    await r.waitFor(/<\/stream:features>/);
    r.send(plain('alice', 'secret'));
    await r.waitFor(/<success/);
    r.send(HEADER('other.test'));
    await r.waitFor(/<\/stream:features>/);
    r.send("<iq type='set' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>");
    await r.waitFor(/<jid>alice@other\.test\/[0-9a-f]+<\/jid>/);
  });

  it('closes an idle stream with connection-timeout', async () => {
    const r = await connect(await listen({}, 'none', 0.3));
    r.send(HEADER());
    expect(await r.waitClosed()).toMatch(/<stream:error><connection-timeout /);
  });

  it('a stanza before binding is refused with not-authorized', async () => {
    const r = await connect(await listen());
    r.send(HEADER());
    await r.waitFor(/<\/stream:features>/);
    r.send(plain('alice', 'secret'));
    await r.waitFor(/<success/);
    r.send(HEADER());
    await r.waitFor(/<bind /);
    r.send("<message to='bob@example.test'><body>x</body></message>");
    expect(await r.waitClosed()).toMatch(/<stream:error><not-authorized /);
  });
});

describe('routing', () => {
  it('broadcasts presence to the account\'s other resources and tells the newcomer about them', async () => {
    const port = await listen();
    const a1 = await boundSession(port, 'alice', 'one');
    const a2 = await boundSession(port, 'alice', 'two');
    a1.send('<presence/>');
    await new Promise((r) => setTimeout(r, 100));
    a2.send('<presence><priority>5</priority></presence>');
    await a1.waitFor(/<presence from="alice@example.test\/two">/);
    await a2.waitFor(/<presence from="alice@example.test\/one"\/>/);
    a2.send('</stream:stream>');
    await a2.waitClosed();
    await a1.waitFor(/<presence type="unavailable" from="alice@example.test\/two"\/>/);
  });

  it('routes an iq to a full JID and returns the answer; service-unavailable for an offline one', async () => {
    const port = await listen();
    const alice = await boundSession(port, 'alice', 'a');
    const bob = await boundSession(port, 'bob', 'b');
    alice.send("<iq type='get' id='v1' to='bob@example.test/b'><query xmlns='jabber:iq:version'/></iq>");
    await bob.waitFor(/<iq type="get" id="v1" to="bob@example.test\/b" from="alice@example.test\/a">/);
    bob.send("<iq type='result' id='v1' to='alice@example.test/a'/>");
    await alice.waitFor(/<iq type="result" id="v1" to="alice@example.test\/a" from="bob@example.test\/b"\/>/);
    alice.send("<iq type='get' id='v2' to='bob@example.test/gone'><query xmlns='jabber:iq:version'/></iq>");
    await alice.waitFor(/id="v2"[^>]*><error type="cancel"><service-unavailable /);
  });

  it('a second session on the same resource replaces the first with a conflict stream error', async () => {
    const port = await listen();
    const first = await boundSession(port, 'bob', 'same');
    await boundSession(port, 'bob', 'same');
    expect(await first.waitClosed()).toMatch(/<stream:error><conflict /);
  });

  it('refuses an iq without an id and a stanza in a foreign namespace', async () => {
    const port = await listen();
    const a = await boundSession(port, 'alice', 'x');
    a.send("<iq type='get'><ping xmlns='urn:xmpp:ping'/></iq>");
    expect(await a.waitClosed()).toMatch(/<stream:error><invalid-xml /);
    const b = await boundSession(port, 'alice', 'y');
    b.send("<foo xmlns='urn:example'/>");
    expect(await b.waitClosed()).toMatch(/<stream:error><unsupported-stanza-type /);
  });
});

describe('helpers', () => {
  it('maps every auth-core failure to an RFC 6120 condition', () => {
    expect(saslConditionFor('bad-credentials')).toBe('not-authorized');
    expect(saslConditionFor('unknown-account')).toBe('not-authorized');
    expect(saslConditionFor('locked')).toBe('account-disabled');
    expect(saslConditionFor('secure-method-required')).toBe('encryption-required');
    expect(saslConditionFor('temporary')).toBe('temporary-auth-failure');
    expect(saslConditionFor('malformed')).toBe('malformed-request');
  });

  it('the token bucket allows a burst, then paces at the rate', () => {
    let t = 0;
    const b = new TokenBucket(10, 3, () => t);
    expect([b.take(), b.take(), b.take()]).toEqual([0, 0, 0]);
    expect(b.take()).toBe(100);
    t += 1000;
    expect(b.take()).toBe(0);
  });
});
