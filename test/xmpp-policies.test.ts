/**
 * The foundation's login policies through XMPP: Login Methods drive the offered mechanisms,
 * secureMethodRequired, hideUnknownAccount, lockout, enabledServices, client addresses (via a
 * PROXY header), the retry limit, and the stream's domain selection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway, MAIN_DOMAIN, SERVER_NAME } from './harness/gateway.js';
import { ALICE, UNKNOWN, WRONG_PASSWORD, createAccount, stopCleanly } from './harness/fixtures.js';
import { proxyV1 } from './harness/proxy-header.js';
import { RawXmpp, plainB64, stopQuietly, xmppLogin } from './harness/xmpp.js';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const LISTENERS = {
  xmpp: { service: 'xmpp', tls: 'none' },
  xmpps: { service: 'xmpp', tls: 'implicit' },
  xmppProxy: { service: 'xmpp', tls: 'none', proxyProtocol: true },
} as const;
type Name = keyof typeof LISTENERS;

const LOCKED = { address: 'locked@example.test', password: 'Locked-Secret-3' };
const SECURE = { address: 'secure@example.test', password: 'Secure-Secret-4' };
const IMAPONLY = { address: 'imaponly@example.test', password: 'Imap-Secret-5' };

let gw: Gateway<Name>;

beforeAll(async () => {
  gw = await Gateway.start({ listeners: LISTENERS });
  await createAccount(gw, ALICE.address, ALICE.password);
  await createAccount(gw, LOCKED.address, LOCKED.password, 'failedLoginLimit=2', 'failedLoginPeriod=600');
  await createAccount(gw, SECURE.address, SECURE.password, 'secureMethodRequired=true');
  await createAccount(gw, IMAPONLY.address, IMAPONLY.password, 'enabledServices=imap');
});

afterAll(async () => {
  await stopCleanly(gw, [ALICE.password, LOCKED.password, SECURE.password, IMAPONLY.password, WRONG_PASSWORD]);
});

/** open a stream and return the client with the features received */
async function openStream(port: number, opts: { tls?: boolean; to?: string; preamble?: Buffer } = {}): Promise<{ raw: RawXmpp; features: string }> {
  const raw = await RawXmpp.connect(port, opts);
  raw.send(RawXmpp.header(opts.to));
  const text = await raw.waitFor(/<\/stream:features>|<\/stream:stream>/);
  return { raw, features: text };
}

function mechanisms(features: string): string[] {
  return [...features.matchAll(/<mechanism>([^<]+)<\/mechanism>/g)].map((m) => m[1]!);
}

/** one PLAIN attempt on an open stream: the <success/> or <failure> element */
async function plain(raw: RawXmpp, user: string, password: string): Promise<string> {
  const before = raw.received.length;
  raw.send(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${plainB64(user, password)}</auth>`);
  await raw.waitFor(new RegExp(`^[\\s\\S]{${before}}[\\s\\S]*(<success[^>]*/>|<success[\\s\\S]*?</success>|<failure[\\s\\S]*?</failure>)`));
  const tail = raw.received.slice(before);
  return /<success[^>]*\/>|<success[\s\S]*?<\/success>|<failure[\s\S]*?<\/failure>/.exec(tail)![0];
}

describe('Domain Login Methods drive the offered mechanisms', () => {
  afterAll(async () => {
    await gw.cliOk('domain', 'set', MAIN_DOMAIN, 'loginMethods=CLRTXT,CRAM-MD5,DIGEST-MD5,APOP,SCRAM');
  });

  it('offers SCRAM, DIGEST-MD5 and PLAIN by default, -PLUS only under TLS', async () => {
    const plainLink = await openStream(gw.ports.xmpp);
    const m = mechanisms(plainLink.features);
    expect(m).toEqual(expect.arrayContaining(['SCRAM-SHA-256', 'SCRAM-SHA-1', 'DIGEST-MD5', 'PLAIN']));
    expect(m.some((x) => x.endsWith('-PLUS'))).toBe(false);
    plainLink.raw.destroy();
    const tlsLink = await openStream(gw.ports.xmpps, { tls: true });
    expect(mechanisms(tlsLink.features)).toEqual(expect.arrayContaining(['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-1-PLUS']));
    tlsLink.raw.destroy();
  });

  it('follows a change of loginMethods at the next connection', async () => {
    await gw.cliOk('domain', 'set', MAIN_DOMAIN, 'loginMethods=CLRTXT');
    const a = await openStream(gw.ports.xmpp);
    expect(mechanisms(a.features)).toContain('PLAIN');
    expect(mechanisms(a.features).filter((x) => x.startsWith('SCRAM') || x === 'DIGEST-MD5')).toEqual([]);
    a.raw.destroy();
    await gw.cliOk('domain', 'set', MAIN_DOMAIN, 'loginMethods=SCRAM');
    const b = await openStream(gw.ports.xmpp);
    expect(mechanisms(b.features)).not.toContain('PLAIN');
    expect(mechanisms(b.features)).toContain('SCRAM-SHA-256');
    b.raw.destroy();
  });
});

describe('account policies', () => {
  it('secureMethodRequired: PLAIN without TLS gets encryption-required, SCRAM and PLAIN over TLS work', async () => {
    const { raw } = await openStream(gw.ports.xmpp);
    expect(await plain(raw, 'secure', SECURE.password)).toContain('<encryption-required/>');
    raw.destroy();
    const scram = await xmppLogin({ port: gw.ports.xmpp, security: 'none', mechanism: 'SCRAM-SHA-256', username: 'secure', password: SECURE.password });
    await stopQuietly(scram);
    const overTls = await xmppLogin({ port: gw.ports.xmpps, security: 'implicit', mechanism: 'PLAIN', username: 'secure', password: SECURE.password });
    expect(String(overTls.jid)).toMatch(/^secure@example\.test\//);
    await stopQuietly(overTls);
  });

  it('hideUnknownAccount: one answer for an unknown account and a wrong password', async () => {
    await gw.cliOk('server', 'set', 'hideUnknownAccount=false');
    let { raw } = await openStream(gw.ports.xmpp);
    expect(await plain(raw, UNKNOWN, 'whatever')).toMatch(/<not-authorized\/><text xml:lang="en">unknown account<\/text>/);
    raw.destroy();
    await gw.cliOk('server', 'set', 'hideUnknownAccount=true');
    ({ raw } = await openStream(gw.ports.xmpp));
    const unknown = await plain(raw, UNKNOWN, 'whatever');
    const wrong = await plain(raw, 'alice', WRONG_PASSWORD);
    expect(unknown).toBe(wrong);
    expect(unknown).toContain('incorrect account name or password');
    raw.destroy();
    await gw.cliOk('server', 'set', 'hideUnknownAccount=false');
  });

  it('lockout: after failedLoginLimit wrong passwords even the right one is refused with account-disabled', async () => {
    const { raw } = await openStream(gw.ports.xmpp);
    expect(await plain(raw, 'locked', WRONG_PASSWORD)).toContain('<not-authorized/>');
    expect(await plain(raw, 'locked', WRONG_PASSWORD)).toContain('<not-authorized/>');
    raw.destroy();
    const again = await openStream(gw.ports.xmpp);
    expect(await plain(again.raw, 'locked', LOCKED.password)).toContain('<account-disabled/>');
    again.raw.destroy();
  });

  it('enabledServices without xmpp: account-disabled after the right password', async () => {
    const { raw } = await openStream(gw.ports.xmpp);
    expect(await plain(raw, 'imaponly', IMAPONLY.password)).toContain('<account-disabled/>');
    raw.destroy();
  });

  it('closes the stream with not-authorized after three failures', async () => {
    const { raw } = await openStream(gw.ports.xmpp);
    for (let i = 0; i < 2; i++) expect(await plain(raw, 'alice', WRONG_PASSWORD)).toContain('<not-authorized/>');
    raw.send(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${plainB64('alice', WRONG_PASSWORD)}</auth>`);
    const text = await raw.waitClosed();
    expect(text).toMatch(/<stream:error><not-authorized xmlns="urn:ietf:params:xml:ns:xmpp-streams"\/>/);
  });
});

describe('client addresses (PROXY header)', () => {
  afterAll(async () => {
    await gw.cliOk('server', 'set', 'loginsFromNonClients=allow');
  });

  it('loginsFromNonClients=prohibit: policy-violation for a non-client, a login from a client address', async () => {
    await gw.cliOk('server', 'set', 'loginsFromNonClients=prohibit', 'clientAddresses=10.0.0.0/8');
    const outsider = await RawXmpp.connect(gw.ports.xmppProxy, { preamble: proxyV1({ source: '192.0.2.7', destinationPort: 5222 }) });
    outsider.send(RawXmpp.header());
    const text = await outsider.waitClosed();
    expect(text).toMatch(/<stream:stream [^>]*>/);
    expect(text).toMatch(/<stream:error><policy-violation xmlns="urn:ietf:params:xml:ns:xmpp-streams"\/>/);
    expect(text).not.toContain('<stream:features>');

    const { raw, features } = await openStream(gw.ports.xmppProxy, { preamble: proxyV1({ source: '10.1.2.3', destinationPort: 5222 }) });
    expect(mechanisms(features)).toContain('PLAIN');
    expect(await plain(raw, 'alice', ALICE.password)).toMatch(/<success/);
    raw.destroy();
  });
});

describe('stream domains', () => {
  it('serves the main domain, its aliases and the host name; host-unknown for another domain', async () => {
    const other = await openStream(gw.ports.xmpp, { to: 'elsewhere.example' });
    expect(other.features).toMatch(/<stream:error><host-unknown /);
    await other.raw.waitClosed();

    await gw.cliOk('domain', 'set', MAIN_DOMAIN, 'aliases=chat.example.test');
    for (const to of ['chat.example.test', SERVER_NAME, 'EXAMPLE.TEST']) {
      const { raw, features } = await openStream(gw.ports.xmpp, { to });
      expect(features, to).toContain('<mechanism>PLAIN</mechanism>');
      expect(await plain(raw, 'alice', ALICE.password)).toMatch(/<success/);
      raw.destroy();
    }
  });
});
