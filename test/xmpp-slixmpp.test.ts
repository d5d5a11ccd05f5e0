/**
 * Debian's slixmpp (python3-slixmpp) against the built gateway: SCRAM-SHA-256, SCRAM-SHA-1,
 * DIGEST-MD5 and PLAIN over plain TCP, STARTTLS and implicit TLS; good password, wrong password,
 * unknown account; ping and the roster; a message from slixmpp to an @xmpp/client session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway } from './harness/gateway.js';
import { ALICE, WRONG_PASSWORD, createAccount, stopCleanly } from './harness/fixtures.js';
import { slixmpp, stopQuietly, xml, xmppLogin, type XmlElement } from './harness/xmpp.js';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const BOB = { address: 'bob@example.test', password: 'Bob-Secret-2' };
const LISTENERS = {
  xmpp: { service: 'xmpp', tls: 'none' },
  xmppStarttls: { service: 'xmpp', tls: 'starttls' },
  xmpps: { service: 'xmpp', tls: 'implicit' },
} as const;
type Name = keyof typeof LISTENERS;
const SECURITY: Record<Name, string> = { xmpp: 'none', xmppStarttls: 'starttls', xmpps: 'implicit' };

let gw: Gateway<Name>;

beforeAll(async () => {
  gw = await Gateway.start({ listeners: LISTENERS });
  await createAccount(gw, ALICE.address, ALICE.password);
  await createAccount(gw, BOB.address, BOB.password);
});

afterAll(async () => {
  await stopCleanly(gw, [ALICE.password, BOB.password, WRONG_PASSWORD]);
});

describe.each(Object.keys(LISTENERS) as Name[])('over %s', (listener) => {
  describe.each(['SCRAM-SHA-256', 'SCRAM-SHA-1', 'DIGEST-MD5', 'PLAIN'])('%s', (mechanism) => {
    const base = () => ({ port: gw.ports[listener], security: SECURITY[listener], mechanism });

    it('logs in, pings the server and gets the roster', async () => {
      const r = await slixmpp({ ...base(), jid: `${ALICE.address}/sli`, password: ALICE.password, ping: true });
      expect(r).toMatchObject({ ok: true, error: null, jid: 'alice@example.test/sli', pong: true });
    });

    it('is refused with a wrong password', async () => {
      const r = await slixmpp({ ...base(), jid: ALICE.address, password: WRONG_PASSWORD });
      expect(r).toMatchObject({ ok: false, error: 'not-authorized' });
    });

    it('is refused for an unknown account', async () => {
      const r = await slixmpp({ ...base(), jid: 'nobody-here@example.test', password: ALICE.password });
      expect(r).toMatchObject({ ok: false, error: 'not-authorized' });
    });
  });
});

it('slixmpp sends a message that an @xmpp/client session of another account receives', async () => {
  const bob = await xmppLogin({ port: gw.ports.xmppStarttls, security: 'starttls', mechanism: 'SCRAM-SHA-1', username: 'bob', password: BOB.password, resource: 'web' });
  const got: XmlElement[] = [];
  bob.on('stanza', (s) => {
    if (s.is('message')) got.push(s);
  });
  await bob.send(xml('presence'));
  const r = await slixmpp({
    port: gw.ports.xmpps,
    security: 'implicit',
    mechanism: 'SCRAM-SHA-256',
    jid: `${ALICE.address}/sli`,
    password: ALICE.password,
    send_to: BOB.address,
    body: 'from slixmpp',
  });
  expect(r.ok).toBe(true);
  for (let i = 0; i < 50 && got.length === 0; i++) await new Promise((res) => setTimeout(res, 100));
  expect(got[0]?.getChildText('body')).toBe('from slixmpp');
  expect(got[0]?.attrs.from).toBe('alice@example.test/sli');
  await stopQuietly(bob);
});
