/**
 * @xmpp/client against the built gateway: every mechanism it can do (PLAIN and SCRAM-SHA-1 built
 * in, SCRAM-SHA-256 and DIGEST-MD5 through its saslFactory), over plain TCP, STARTTLS and implicit
 * TLS; good password, wrong password, unknown account; two accounts exchanging a message; ping.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway } from './harness/gateway.js';
import { ALICE, UNKNOWN, WRONG_PASSWORD, createAccount, stopCleanly } from './harness/fixtures.js';
import { failureOf, stopQuietly, xml, xmppLogin, type Mechanism, type XmlElement, type XmppEntity } from './harness/xmpp.js';

// the gateway's certificate is self-signed; only this test process is affected
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const BOB = { address: 'bob@example.test', password: 'Bob-Secret-2' };
const LISTENERS = {
  xmpp: { service: 'xmpp', tls: 'none' },
  xmppStarttls: { service: 'xmpp', tls: 'starttls' },
  xmpps: { service: 'xmpp', tls: 'implicit' },
} as const;
type Name = keyof typeof LISTENERS;
const SECURITY: Record<Name, 'none' | 'starttls' | 'implicit'> = { xmpp: 'none', xmppStarttls: 'starttls', xmpps: 'implicit' };

let gw: Gateway<Name>;
const open: XmppEntity[] = [];

beforeAll(async () => {
  gw = await Gateway.start({ listeners: LISTENERS });
  await createAccount(gw, ALICE.address, ALICE.password);
  await createAccount(gw, BOB.address, BOB.password);
});

afterAll(async () => {
  for (const e of open) await stopQuietly(e);
  await stopCleanly(gw, [ALICE.password, BOB.password, WRONG_PASSWORD]);
});

function login(listener: Name, mechanism: Mechanism, user: string, password: string, resource?: string): Promise<XmppEntity> {
  return xmppLogin({ port: gw.ports[listener], security: SECURITY[listener], mechanism, username: user, password, ...(resource ? { resource } : {}) }).then(
    (e) => {
      open.push(e);
      return e;
    },
  );
}

const MECHANISMS: Mechanism[] = ['SCRAM-SHA-1', 'PLAIN', 'SCRAM-SHA-256', 'DIGEST-MD5'];

describe.each(Object.keys(LISTENERS) as Name[])('over %s', (listener) => {
  describe.each(MECHANISMS)('%s', (mechanism) => {
    it('logs in with the right password and binds a full JID', async () => {
      const e = await login(listener, mechanism, 'alice', ALICE.password, 'desk');
      expect(String(e.jid)).toBe('alice@example.test/desk');
      await stopQuietly(e);
    });

    it('refuses a wrong password with not-authorized', async () => {
      const err = await login(listener, mechanism, 'alice', WRONG_PASSWORD).then(
        () => null,
        (x: unknown) => x,
      );
      expect(failureOf(err)).toBe('not-authorized');
    });

    it('refuses an unknown account with not-authorized', async () => {
      const err = await login(listener, mechanism, UNKNOWN.split('@')[0]!, ALICE.password).then(
        () => null,
        (x: unknown) => x,
      );
      expect(failureOf(err)).toBe('not-authorized');
    });
  });
});

describe('a session', () => {
  it('answers a ping and an empty roster', async () => {
    const e = await login('xmppStarttls', 'SCRAM-SHA-1', 'alice', ALICE.password);
    const pong = await e.iqCaller.request(xml('iq', { type: 'get', to: 'example.test' }, xml('ping', { xmlns: 'urn:xmpp:ping' })));
    expect(pong.attrs.type).toBe('result');
    const roster = await e.iqCaller.request(xml('iq', { type: 'get' }, xml('query', { xmlns: 'jabber:iq:roster' })));
    expect(roster.getChild('query', 'jabber:iq:roster')).toBeDefined();
    const err = await e.iqCaller
      .request(xml('iq', { type: 'get', to: 'example.test' }, xml('vCard', { xmlns: 'vcard-temp' })))
      .then(() => null, (x: unknown) => x as { condition?: string });
    expect(err?.condition).toBe('service-unavailable');
    await stopQuietly(e);
  });

  it('routes a message between two accounts, to the bare and to the full JID', async () => {
    const alice = await login('xmppStarttls', 'SCRAM-SHA-1', 'alice', ALICE.password, 'phone');
    const bob = await login('xmpps', 'SCRAM-SHA-256', 'bob', BOB.password, 'laptop');
    const got: XmlElement[] = [];
    bob.on('stanza', (s) => {
      if (s.is('message')) got.push(s);
    });
    await bob.send(xml('presence'));
    await alice.send(xml('presence'));
    await new Promise((r) => setTimeout(r, 200));
    await alice.send(xml('message', { to: 'bob@example.test', type: 'chat' }, xml('body', {}, 'hello bob')));
    await alice.send(xml('message', { to: 'bob@example.test/laptop', type: 'chat' }, xml('body', {}, 'direct')));
    for (let i = 0; i < 50 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect(got.map((m) => m.getChildText('body'))).toEqual(['hello bob', 'direct']);
    expect(got[0]!.attrs.from).toBe('alice@example.test/phone');
    await stopQuietly(alice);
    await stopQuietly(bob);
  });

  it('bounces a message to an account with nobody online with service-unavailable', async () => {
    const alice = await login('xmpp', 'SCRAM-SHA-1', 'alice', ALICE.password);
    const errors: XmlElement[] = [];
    alice.on('stanza', (s) => {
      if (s.is('message') && s.attrs.type === 'error') errors.push(s);
    });
    await alice.send(xml('message', { to: 'nobody@example.test', type: 'chat', id: 'm1' }, xml('body', {}, 'hi')));
    for (let i = 0; i < 50 && errors.length < 1; i++) await new Promise((r) => setTimeout(r, 100));
    expect(errors[0]?.attrs.id).toBe('m1');
    expect(errors[0]?.getChild('error')?.getChild('service-unavailable')).toBeDefined();
    await stopQuietly(alice);
  });
});
