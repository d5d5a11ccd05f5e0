/**
 * The foundation's login policies through SMTP AUTH on the built gateway (set with the CLI on the
 * running server), and relaying to a configured smarthost (a small SMTP server written here).
 */
import { createHmac } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway, MAIN_DOMAIN } from './harness/gateway.js';
import { ALICE, UNKNOWN, WRONG_PASSWORD, createAccount, stopCleanly } from './harness/fixtures.js';
import { LineClient } from './harness/line-client.js';
import { proxyV1, proxyV2 } from './harness/proxy-header.js';
import { ehloKeywords, plainResponse, smtpCommand, smtpReply, spooledBySubject, swaks, type SmtpReply } from './harness/smtp.js';

const SECURE = { address: 'sec@example.test', password: 'Secure-Only-7' };
const LOCKED = { address: 'lock@example.test', password: 'Lock-Me-Out-3' };

const LISTENERS = {
  smtp: { service: 'smtp', tls: 'none' },
  submission: { service: 'smtp', tls: 'starttls' },
  smtpProxy: { service: 'smtp', tls: 'none', proxyProtocol: true },
} as const;

let gw: Gateway<keyof typeof LISTENERS>;

beforeAll(async () => {
  gw = await Gateway.start({ listeners: LISTENERS });
  await createAccount(gw, ALICE.address, ALICE.password);
});

afterAll(async () => {
  await stopCleanly(gw, [ALICE.password, WRONG_PASSWORD, SECURE.password, LOCKED.password]);
});

async function session(port: number, preamble?: Buffer): Promise<LineClient> {
  const c = await LineClient.connect(port, preamble ? { preamble } : {});
  expect((await smtpReply(c)).code).toBe(220);
  expect((await smtpCommand(c, 'EHLO policy.client.test')).code).toBe(250);
  return c;
}

async function authPlain(port: number, user: string, password: string, preamble?: Buffer): Promise<SmtpReply> {
  const c = await session(port, preamble);
  try {
    return await smtpCommand(c, `AUTH PLAIN ${plainResponse(user, password)}`);
  } finally {
    c.close();
  }
}

describe('secureMethodRequired', () => {
  beforeAll(async () => {
    await createAccount(gw, SECURE.address, SECURE.password, 'secureMethodRequired=true');
  });

  it('refuses AUTH PLAIN on a plain link with 534 5.7.9', async () => {
    const r = await authPlain(gw.ports.smtp, SECURE.address, SECURE.password);
    expect(r.code).toBe(534);
    expect(r.text).toMatch(/^5\.7\.9 /);
  });

  it('accepts PLAIN after STARTTLS (swaks -tls) and CRAM-MD5 on the plain link', async () => {
    const tls = await swaks({ port: gw.ports.submission, mechanism: 'PLAIN', user: SECURE.address, password: SECURE.password, tls: '-tls' });
    expect(tls.code, tls.stdout).toBe(0);
    const cram = await swaks({ port: gw.ports.smtp, mechanism: 'CRAM-MD5', user: SECURE.address, password: SECURE.password });
    expect(cram.code, cram.stdout).toBe(0);
  });
});

describe('hideUnknownAccount', () => {
  afterAll(async () => {
    await gw.cliOk('server', 'set', 'hideUnknownAccount=false');
  });

  it('shows one reply for an unknown account and a wrong password', async () => {
    const before = [await authPlain(gw.ports.smtp, UNKNOWN, WRONG_PASSWORD), await authPlain(gw.ports.smtp, ALICE.address, WRONG_PASSWORD)];
    expect(before[0]!.code).toBe(535);
    expect(before[0]!.text).not.toBe(before[1]!.text);
    await gw.cliOk('server', 'set', 'hideUnknownAccount=true');
    const unknown = await authPlain(gw.ports.smtp, UNKNOWN, WRONG_PASSWORD);
    const wrong = await authPlain(gw.ports.smtp, ALICE.address, WRONG_PASSWORD);
    expect(unknown).toEqual(wrong);
    expect(unknown.code).toBe(535);
  });
});

describe('failed-login lockout', () => {
  it('locks after 3 wrong passwords and refuses the right one as locked', async () => {
    await createAccount(gw, LOCKED.address, LOCKED.password, 'failedLoginLimit=3', 'failedLoginPeriod=30');
    for (let i = 0; i < 3; i++) expect((await authPlain(gw.ports.smtp, LOCKED.address, WRONG_PASSWORD)).code).toBe(535);
    const r = await authPlain(gw.ports.smtp, LOCKED.address, LOCKED.password);
    expect(r.code).toBe(535);
    expect(r.text).toMatch(/temporarily locked/i);
    // the others are not affected
    expect((await authPlain(gw.ports.smtp, ALICE.address, ALICE.password)).code).toBe(235);
  });
});

describe('client addresses (loginsFromNonClients=prohibit)', () => {
  beforeAll(async () => {
    await gw.cliOk('server', 'set', 'loginsFromNonClients=prohibit', 'clientAddresses=10.0.0.0/8');
  });
  afterAll(async () => {
    await gw.cliOk('server', 'set', 'loginsFromNonClients=allow');
  });

  it('a non-client address (PROXY v1) is greeted, but AUTH is refused and MAIL needs AUTH', async () => {
    const c = await session(gw.ports.smtpProxy, proxyV1({ source: '192.0.2.7', destinationPort: 587 }));
    try {
      const r = await smtpCommand(c, `AUTH PLAIN ${plainResponse(ALICE.address, ALICE.password)}`);
      expect(r.code).toBe(535);
      expect(r.text).toMatch(/^5\.7\.0 .*network address/);
      expect((await smtpCommand(c, 'MAIL FROM:<alice@example.test>')).code).toBe(530);
    } finally {
      c.close();
    }
  });

  it('the same through PROXY v2, and a client address logs in', async () => {
    expect((await authPlain(gw.ports.smtpProxy, ALICE.address, ALICE.password, proxyV2({ source: '192.0.2.8' }))).code).toBe(535);
    expect((await authPlain(gw.ports.smtpProxy, ALICE.address, ALICE.password, proxyV1({ source: '10.9.8.7' }))).code).toBe(235);
    // loopback is the server itself: always a client
    expect((await authPlain(gw.ports.smtp, ALICE.address, ALICE.password)).code).toBe(235);
  });
});

describe('login methods drive the EHLO AUTH list', () => {
  afterAll(async () => {
    await gw.cliOk('domain', 'set', MAIN_DOMAIN, 'loginMethods=CLRTXT,CRAM-MD5,DIGEST-MD5');
  });

  async function authKeyword(): Promise<string[]> {
    const c = await LineClient.connect(gw.ports.smtp);
    try {
      await smtpReply(c);
      const auth = ehloKeywords(await smtpCommand(c, 'EHLO x.test')).find((k) => k.startsWith('AUTH '));
      return auth ? auth.split(' ').slice(1) : [];
    } finally {
      c.close();
    }
  }

  it('CRAM-MD5 only, then CLRTXT only; advertising never restricts', async () => {
    await gw.cliOk('domain', 'set', MAIN_DOMAIN, 'loginMethods=CRAM-MD5');
    const cram = await authKeyword();
    expect(cram).toContain('CRAM-MD5');
    expect(cram).not.toContain('PLAIN');
    expect(cram).not.toContain('LOGIN');
    await gw.cliOk('domain', 'set', MAIN_DOMAIN, 'loginMethods=CLRTXT');
    const clear = await authKeyword();
    expect(clear).toEqual(expect.arrayContaining(['PLAIN', 'LOGIN']));
    expect(clear).not.toContain('CRAM-MD5');
    // swaks will not try a mechanism that is not advertised; a raw client does
    const c = await session(gw.ports.smtp);
    try {
      const challenge = await smtpCommand(c, 'AUTH CRAM-MD5');
      expect(challenge.code).toBe(334);
      const digest = createHmac('md5', ALICE.password).update(Buffer.from(challenge.text, 'base64')).digest('hex');
      expect((await smtpCommand(c, Buffer.from(`${ALICE.address} ${digest}`).toString('base64'))).code).toBe(235);
    } finally {
      c.close();
    }
  });
});

/** A small SMTP server: AUTH PLAIN with one account, records each message it accepts. */
async function smtpSink(user: string, password: string): Promise<{ port: number; messages: { from: string; to: string[]; data: string; authed: boolean }[]; close(): Promise<void> }> {
  const messages: { from: string; to: string[]; data: string; authed: boolean }[] = [];
  const server = net.createServer((sock) => {
    let buf = '';
    let data: string[] | undefined;
    let authed = false;
    let from = '';
    let to: string[] = [];
    sock.write('220 sink.test ESMTP\r\n');
    sock.on('error', () => undefined);
    sock.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (data) {
          if (line === '.') {
            messages.push({ from, to, data: data.join('\r\n') + '\r\n', authed });
            data = undefined;
            sock.write('250 2.0.0 accepted by sink\r\n');
          } else data.push(line.startsWith('..') ? line.slice(1) : line);
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') sock.write('250-sink.test\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n');
        else if (verb === 'AUTH') {
          const ok = line.split(' ')[2] === Buffer.from(`\0${user}\0${password}`).toString('base64');
          authed = ok;
          sock.write(ok ? '235 2.7.0 ok\r\n' : '535 5.7.8 no\r\n');
        } else if (verb === 'MAIL') {
          from = /<(.*)>/.exec(line)?.[1] ?? '';
          to = [];
          sock.write('250 ok\r\n');
        } else if (verb === 'RCPT') {
          to.push(/<(.*)>/.exec(line)?.[1] ?? '');
          sock.write('250 ok\r\n');
        } else if (verb === 'DATA') {
          data = [];
          sock.write('354 go\r\n');
        } else if (verb === 'QUIT') sock.end('221 bye\r\n');
        else sock.write('250 ok\r\n');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    messages,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('smarthost relay from the gateway', () => {
  const RELAY_PASS = 'Relay-Secret-4';

  it('relays an accepted message through the configured smarthost with its own AUTH', async () => {
    const sink = await smtpSink('gateway@relay.test', RELAY_PASS);
    const relayGw = await Gateway.start({
      listeners: { smtp: { service: 'smtp', tls: 'none' } },
      config: { smtp: { smarthost: { host: '127.0.0.1', port: sink.port, auth: { user: 'gateway@relay.test', pass: RELAY_PASS } } } },
    });
    try {
      await createAccount(relayGw, ALICE.address, ALICE.password);
      const r = await swaks({ port: relayGw.ports.smtp, mechanism: 'PLAIN', user: ALICE.address, password: ALICE.password, subject: 'via smarthost' });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/250 2\.0\.0 relayed as \S+/);
      expect(sink.messages).toHaveLength(1);
      const m = sink.messages[0]!;
      expect(m).toMatchObject({ from: 'alice@example.test', to: ['bob@example.test'], authed: true });
      expect(m.data).toMatch(/^Received: from swaks\.client\.test \(\[127\.0\.0\.1\]\)\r\n\t\(authenticated as alice@example\.test\)/);
      expect(m.data).toContain('\r\nSubject: via smarthost\r\n');
      // relayed, not spooled
      expect(await spooledBySubject(relayGw.dataDir, 'via smarthost')).toBeUndefined();
    } finally {
      await stopCleanly(relayGw, [ALICE.password, RELAY_PASS]);
      await sink.close();
    }
  });
});
