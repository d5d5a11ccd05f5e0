/**
 * The foundation's login policies through LDAP (secureMethodRequired, hideUnknownAccount, lockout,
 * client addresses behind a PROXY header), and hostile input on the LDAP listener: after all of
 * it the process is alive and a good bind works.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway } from './harness/gateway.js';
import { ALICE, UNKNOWN, WRONG_PASSWORD, createAccount, stopCleanly } from './harness/fixtures.js';
import {
  NOTICE_OF_DISCONNECTION,
  additionalInfo,
  berSaslBindStart,
  berSimpleBind,
  ldapwhoami,
  parseReplies,
  type LdapBind,
} from './harness/ldap.js';
import { LineClient } from './harness/line-client.js';
import { proxyV1, proxyV2 } from './harness/proxy-header.js';

const LISTENERS = {
  ldap: { service: 'ldap', tls: 'none' },
  ldapStarttls: { service: 'ldap', tls: 'starttls' },
  ldapProxy: { service: 'ldap', tls: 'none', proxyProtocol: true },
} as const;

const SECURE = { address: 'sec@example.test', password: 'Secure-Only-7' };
const LOCKED = { address: 'lock@example.test', password: 'Lock-Me-Out-3' };

let gw: Gateway<keyof typeof LISTENERS>;

beforeAll(async () => {
  gw = await Gateway.start({ listeners: LISTENERS });
  await createAccount(gw, ALICE.address, ALICE.password);
  await createAccount(gw, SECURE.address, SECURE.password, 'secureMethodRequired=true');
});

afterAll(async () => {
  await stopCleanly(gw, [ALICE.password, WRONG_PASSWORD, SECURE.password, LOCKED.password]);
});

const plain = () => ({ port: gw.ports.ldap, transport: 'plain' as const });
const simple = (name: string, password: string): LdapBind => ({ kind: 'simple', name, password });
const sasl = (mechanism: string, user: string, password: string): LdapBind => ({ kind: 'sasl', mechanism, user, password });

async function goodBindWorks(): Promise<void> {
  gw.assertAlive();
  const r = await ldapwhoami(plain(), simple(ALICE.address, ALICE.password));
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout.trim()).toBe(`u:${ALICE.address}`);
}

async function raw(port: number, preamble?: Buffer): Promise<LineClient> {
  return LineClient.connect(port, preamble ? { preamble } : {});
}

describe('secureMethodRequired', () => {
  it('refuses a simple bind and SASL PLAIN on a plain link with confidentialityRequired (13)', async () => {
    const s = await ldapwhoami(plain(), simple(SECURE.address, SECURE.password));
    expect(s.code, s.stderr).toBe(13);
    expect(s.stderr).toMatch(/Confidentiality required/);
    const p = await ldapwhoami(plain(), sasl('PLAIN', SECURE.address, SECURE.password));
    expect(p.code, p.stderr).toBe(13);
  });

  it('accepts the same simple bind after StartTLS', async () => {
    const r = await ldapwhoami({ port: gw.ports.ldapStarttls, transport: 'starttls' }, simple(SECURE.address, SECURE.password));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`u:${SECURE.address}`);
  });

  it('accepts CRAM-MD5 and SCRAM-SHA-256 on a plain link', async () => {
    for (const mech of ['CRAM-MD5', 'SCRAM-SHA-256']) {
      const r = await ldapwhoami(plain(), sasl(mech, SECURE.address, SECURE.password));
      expect(r.code, `${mech}: ${r.stderr}`).toBe(0);
    }
  });
});

describe('hideUnknownAccount', () => {
  async function replies(bind: (user: string, pw: string) => LdapBind): Promise<{ unknown: string; wrong: string }> {
    const a = await ldapwhoami(plain(), bind(UNKNOWN, ALICE.password));
    const b = await ldapwhoami(plain(), bind(ALICE.address, WRONG_PASSWORD));
    expect(a.code).toBe(49);
    expect(b.code).toBe(49);
    return { unknown: additionalInfo(a), wrong: additionalInfo(b) };
  }

  it('without it the diagnostic messages differ; with it they are the same, for simple and SASL binds', async () => {
    await gw.cliOk('server', 'set', 'hideUnknownAccount=false');
    const shown = await replies(simple);
    expect(shown.unknown).not.toBe(shown.wrong);
    await gw.cliOk('server', 'set', 'hideUnknownAccount=true');
    try {
      const hidden = await replies(simple);
      expect(hidden.unknown).toBe(hidden.wrong);
      const cram = await replies((u, p) => sasl('CRAM-MD5', u, p));
      expect(cram.unknown).toBe(cram.wrong);
    } finally {
      await gw.cliOk('server', 'set', 'hideUnknownAccount=false');
    }
  });
});

describe('failed-login lockout', () => {
  it('locks after 3 wrong passwords for simple and SASL binds alike, then unlocks after the period', async () => {
    await createAccount(gw, LOCKED.address, LOCKED.password, 'failedLoginLimit=3', 'failedLoginPeriod=5');
    for (let i = 0; i < 3; i++) expect((await ldapwhoami(plain(), simple(LOCKED.address, WRONG_PASSWORD))).code).toBe(49);
    const locked = await ldapwhoami(plain(), simple(LOCKED.address, LOCKED.password));
    expect(locked.code).toBe(49);
    expect(additionalInfo(locked)).toMatch(/temporarily locked/i);
    const scram = await ldapwhoami(plain(), sasl('SCRAM-SHA-1', LOCKED.address, LOCKED.password));
    expect(scram.code).toBe(49);
    expect(additionalInfo(scram)).toMatch(/temporarily locked/i);
    await new Promise((r) => setTimeout(r, 6_000));
    expect((await ldapwhoami(plain(), simple(LOCKED.address, LOCKED.password))).code).toBe(0);
  });
});

describe('client addresses (PROXY header from a raw socket)', () => {
  beforeAll(async () => {
    await gw.cliOk('server', 'set', 'loginsFromNonClients=prohibit', 'clientAddresses=10.0.0.0/8');
  });
  afterAll(async () => {
    await gw.cliOk('server', 'set', 'loginsFromNonClients=allow');
  });

  it.each([
    ['v1', proxyV1({ source: '192.0.2.7', destinationPort: 389 })],
    ['v2', proxyV2({ source: '192.0.2.8', destinationPort: 389 })],
  ])('a non-client address (PROXY %s) gets a Notice of Disconnection and is closed', async (_v, header) => {
    const c = await raw(gw.ports.ldapProxy, header);
    try {
      expect(await c.waitClosed(5_000)).toBe(true);
      const [notice] = parseReplies(c.received);
      expect(notice).toMatchObject({ messageId: 0, opTag: 0x78, resultCode: 52 });
      expect(notice!.bytes.includes(NOTICE_OF_DISCONNECTION)).toBe(true);
    } finally {
      c.close();
    }
  });

  it('a client address binds through the proxy', async () => {
    const c = await raw(gw.ports.ldapProxy, proxyV1({ source: '10.1.2.3', destinationPort: 389 }));
    try {
      c.sendRaw(berSimpleBind(1, ALICE.address, ALICE.password));
      await c.drain(500);
      expect(parseReplies(c.received)).toEqual([expect.objectContaining({ messageId: 1, opTag: 0x61, resultCode: 0 })]);
    } finally {
      c.close();
    }
  });
});

describe('hostile input', () => {
  async function expectProtocolErrorNotice(bytes: Buffer): Promise<void> {
    const c = await raw(gw.ports.ldap);
    try {
      c.sendRaw(bytes);
      expect(await c.waitClosed(5_000)).toBe(true);
      const replies = parseReplies(c.received);
      expect(replies.at(-1)).toMatchObject({ messageId: 0, opTag: 0x78, resultCode: 2 });
    } finally {
      c.close();
    }
  }

  it.each([
    ['text instead of BER', Buffer.from('HELLO ldap\r\n')],
    ['a SET where a SEQUENCE belongs', Buffer.from('310c020101600702010304008000', 'hex')],
    ['indefinite length', Buffer.from('3080020101600702010304008000', 'hex')],
    ['a 4 GiB length', Buffer.from('3084ffffffff', 'hex')],
    ['a 1 MiB message', Buffer.concat([Buffer.from('3083100000', 'hex'), Buffer.alloc(1024, 0x41)])],
    ['a bad protocolOp', Buffer.from('3006020101ff0100', 'hex')],
    ['a bind with a broken inner length', Buffer.from('300c020101600702010304ff8000', 'hex')],
    ['NUL bytes', Buffer.alloc(64)],
  ])('%s: Notice of Disconnection (protocolError) and close', async (_name, bytes) => {
    await expectProtocolErrorNotice(bytes);
    gw.assertAlive();
  });

  it('garbage pipelined after a good bind is answered, then the connection ends with a notice', async () => {
    const c = await raw(gw.ports.ldap);
    try {
      c.sendRaw(Buffer.concat([berSimpleBind(1, ALICE.address, ALICE.password), Buffer.from('\x30\x03garbage')]));
      expect(await c.waitClosed(5_000)).toBe(true);
      const replies = parseReplies(c.received);
      expect(replies[0]).toMatchObject({ messageId: 1, opTag: 0x61, resultCode: 0 });
      expect(replies.at(-1)).toMatchObject({ messageId: 0, resultCode: 2 });
    } finally {
      c.close();
    }
  });

  it('disconnects mid-message and mid-SASL-bind, and random bytes, leave the server serving', async () => {
    const half = await raw(gw.ports.ldap);
    half.sendRaw(berSimpleBind(1, ALICE.address, ALICE.password).subarray(0, 9));
    half.close();
    const mid = await raw(gw.ports.ldap);
    mid.sendRaw(berSaslBindStart(1, 'DIGEST-MD5'));
    await mid.drain(200);
    expect(parseReplies(mid.received)[0]).toMatchObject({ resultCode: 14 });
    mid.close();
    for (let i = 0; i < 20; i++) {
      const c = await raw(gw.ports.ldap);
      c.sendRaw(Buffer.from(Array.from({ length: 200 }, () => Math.floor(Math.random() * 256))));
      await c.waitClosed(5_000).catch(() => false);
      c.close();
    }
    await goodBindWorks();
  });

  it('after all of it, the process is alive and a good bind works', async () => {
    await goodBindWorks();
  });
});
