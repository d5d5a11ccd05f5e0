/**
 * Hostile input on the XMPP listener: malformed XML, DTDs and entity bombs, comments, huge
 * stanzas, bad base64, STARTTLS command injection, disconnects in the middle of SASL. Each gets a
 * stream error (or a SASL failure) and a closed connection; the process lives on and the next good
 * login works.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import tls from 'node:tls';
import { Gateway } from './harness/gateway.js';
import { ALICE, createAccount, stopCleanly } from './harness/fixtures.js';
import { RawXmpp, plainB64, stopQuietly, xmppLogin } from './harness/xmpp.js';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const LISTENERS = {
  xmpp: { service: 'xmpp', tls: 'none' },
  xmppStarttls: { service: 'xmpp', tls: 'starttls' },
} as const;
type Name = keyof typeof LISTENERS;

let gw: Gateway<Name>;

beforeAll(async () => {
  gw = await Gateway.start({ listeners: LISTENERS });
  await createAccount(gw, ALICE.address, ALICE.password);
});

afterAll(async () => {
  await stopCleanly(gw, [ALICE.password]);
});

const STREAM_ERROR = (condition: string): RegExp =>
  new RegExp(`<stream:error><${condition} xmlns="urn:ietf:params:xml:ns:xmpp-streams"/>[\\s\\S]*</stream:stream>$`);

async function afterFeatures(port = gw.ports.xmpp): Promise<RawXmpp> {
  const raw = await RawXmpp.connect(port);
  raw.send(RawXmpp.header());
  await raw.waitFor(/<\/stream:features>/);
  return raw;
}

/** a stream after PLAIN and resource binding */
async function bound(): Promise<RawXmpp> {
  const raw = await afterFeatures();
  raw.send(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${plainB64('alice', ALICE.password)}</auth>`);
  await raw.waitFor(/<success/);
  raw.send(RawXmpp.header());
  await raw.waitFor(/<bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"\/>[\s\S]*<\/stream:features>/);
  raw.send("<iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>r</resource></bind></iq>");
  await raw.waitFor(/<jid>alice@example\.test\/r<\/jid>/);
  return raw;
}

async function goodLoginStillWorks(): Promise<void> {
  gw.assertAlive();
  const e = await xmppLogin({ port: gw.ports.xmpp, security: 'none', mechanism: 'SCRAM-SHA-1', username: 'alice', password: ALICE.password });
  expect(String(e.jid)).toMatch(/^alice@example\.test\//);
  await stopQuietly(e);
}

describe('before the stream header', () => {
  it.each([
    ['a DOCTYPE with an entity bomb', "<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'><!ENTITY lol2 '&lol;&lol;&lol;'>]><lolz>&lol2;</lolz>", 'restricted-xml'],
    ['a comment', '<!-- hi -->', 'restricted-xml'],
    ['a processing instruction', '<?php system("id"); ?>', 'restricted-xml'],
    ['garbage', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', 'not-well-formed'],
    ['NUL bytes', '\u0000\u0000\u0000', 'not-well-formed'],
  ])('%s: %s stream error, after a stream header of ours', async (_name, input, condition) => {
    const raw = await RawXmpp.connect(gw.ports.xmpp);
    raw.send(input);
    const text = await raw.waitClosed();
    expect(text).toMatch(/^<\?xml version='1.0'\?><stream:stream /);
    expect(text).toMatch(STREAM_ERROR(condition));
  });

  it('a wrong namespace or version is refused', async () => {
    const ns = await RawXmpp.connect(gw.ports.xmpp);
    ns.send("<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' to='example.test' version='1.0'>");
    expect(await ns.waitClosed()).toMatch(STREAM_ERROR('invalid-namespace'));
    const version = await RawXmpp.connect(gw.ports.xmpp);
    version.send("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='example.test'>");
    expect(await version.waitClosed()).toMatch(STREAM_ERROR('unsupported-version'));
  });
});

describe('inside the stream', () => {
  it.each([
    ['a DOCTYPE', '<!DOCTYPE x [<!ENTITY a SYSTEM "file:///etc/passwd">]>', 'restricted-xml'],
    ['an undeclared entity', "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>&xxe;</auth>", 'restricted-xml'],
    ['mismatched tags', '<auth><response></auth>', 'not-well-formed'],
    ['an unquoted attribute', '<auth mechanism=PLAIN/>', 'not-well-formed'],
    ['invalid UTF-8', Buffer.from([0x3c, 0x61, 0x20, 0x62, 0x3d, 0x27, 0xc3, 0x28, 0x27, 0x2f, 0x3e])],
  ])('%s', async (_name, input, condition = 'not-well-formed') => {
    const raw = await afterFeatures();
    raw.send(input);
    expect(await raw.waitClosed()).toMatch(STREAM_ERROR(condition as string));
  });

  it('a huge stanza before authentication gets policy-violation', async () => {
    const raw = await afterFeatures();
    raw.send(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${'A'.repeat(40_000)}</auth>`);
    expect(await raw.waitClosed()).toMatch(STREAM_ERROR('policy-violation'));
  });

  it('a stanza before authentication gets not-authorized', async () => {
    const raw = await afterFeatures();
    raw.send("<message to='alice@example.test'><body>hi</body></message>");
    expect(await raw.waitClosed()).toMatch(STREAM_ERROR('not-authorized'));
  });

  it('a huge stanza after authentication gets policy-violation; 30 KB is fine', async () => {
    const raw = await bound();
    raw.send(`<iq type='get' id='big1'><ping xmlns='urn:xmpp:ping'/><x>${'y'.repeat(30_000)}</x></iq>`);
    await raw.waitFor(/id="big1"/);
    raw.send(`<message to='alice@example.test'><body>${'z'.repeat(200_000)}</body></message>`);
    expect(await raw.waitClosed()).toMatch(STREAM_ERROR('policy-violation'));
  });

  it('bad base64 gets incorrect-encoding and the stream carries on', async () => {
    const raw = await afterFeatures();
    raw.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>not*base64!</auth>");
    await raw.waitFor(/<failure xmlns="urn:ietf:params:xml:ns:xmpp-sasl"><incorrect-encoding\/><\/failure>/);
    raw.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='NOPE'/>");
    await raw.waitFor(/<invalid-mechanism\/>/);
    raw.send(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${plainB64('alice', ALICE.password)}</auth>`);
    await raw.waitFor(/<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl"\/>/);
    raw.destroy();
  });

  it('<abort/> in the middle of SCRAM gets <aborted/>', async () => {
    const raw = await afterFeatures();
    raw.send(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-256'>${Buffer.from('n,,n=alice,r=abcdefghijkl').toString('base64')}</auth>`);
    await raw.waitFor(/<challenge xmlns="urn:ietf:params:xml:ns:xmpp-sasl">/);
    raw.send("<abort xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
    await raw.waitFor(/<failure xmlns="urn:ietf:params:xml:ns:xmpp-sasl"><aborted\/><\/failure>/);
    raw.destroy();
  });

  it('disconnects in the middle of SASL and of a stanza leave the server serving', async () => {
    for (let i = 0; i < 5; i++) {
      const raw = await afterFeatures();
      raw.send(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='DIGEST-MD5'/>`);
      await raw.waitFor(/<challenge/);
      raw.destroy();
      const half = await afterFeatures();
      half.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PL");
      half.destroy();
    }
    await goodLoginStillWorks();
  });

  it('STARTTLS: XML pipelined after <starttls/> in the clear is dropped, not executed', async () => {
    const raw = await afterFeatures(gw.ports.xmppStarttls);
    raw.send(
      "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>" +
        `<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${plainB64('alice', ALICE.password)}</auth>`,
    );
    await raw.waitFor(/<proceed xmlns="urn:ietf:params:xml:ns:xmpp-tls"\/>/);
    const secure = tls.connect({ socket: raw.socket, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    let text = '';
    secure.setEncoding('utf8').on('data', (d: string) => (text += d));
    secure.write(RawXmpp.header());
    for (let i = 0; i < 100 && !text.includes('</stream:features>'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(text).toContain('<mechanism>PLAIN</mechanism>');
    expect(text).not.toContain('<success');
    expect(text).not.toContain('<starttls');
    secure.destroy();
  });
});

describe('afterwards', () => {
  it('the process is alive and a good login works', async () => {
    await goodLoginStillWorks();
  });
});
