/**
 * Issue 9, POP3 and SMTP: after the gateway's login (its own passwords and mechanisms) the
 * session continues on a real Dovecot: POP3 with a master user over STLS (verified with Dovecot's
 * CA) and XCLIENT, and submission with a master user over STARTTLS and XCLIENT, Dovecot relaying
 * the message to a small SMTP sink this file runs. Also passthrough (USER/PASS, AUTH PLAIN, SMTP
 * AUTH LOGIN), and Dovecot stopped: -ERR [SYS/TEMP] and 454, the gateway stays up, and relays
 * again once Dovecot is back.
 */
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dovecot, KNOWN_BODY_LINE, KNOWN_SUBJECT } from './harness/dovecot.js';
import { createAccount, stopCleanly } from './harness/fixtures.js';
import { Gateway } from './harness/gateway.js';
import { LineClient } from './harness/line-client.js';
import { freePorts } from './harness/ports.js';
import { curl, python, run } from './harness/run.js';

/** the gateway password differs from the upstream one: only the master login can open Dovecot */
const ALICE = { address: 'alice@example.test', password: 'Alice-Gateway-1', upstream: 'alice-upstream-1' };
/** passthrough: the same password at the gateway and upstream */
const BOB = { address: 'bob@example.test', password: 'Bob-Shared-1' };
/** proxy mode: a PROXY v2 header carries the client address to Dovecot's haproxy listeners */
const CAROL = { address: 'carol@example.test', password: 'Carol-Gateway-1', upstream: 'carol-upstream-1' };
/** implicit TLS (pop3s) behind a first host that refuses connections */
const DAVE = { address: 'dave@example.test', password: 'Dave-Gateway-1', upstream: 'dave-upstream-1' };
/** loopback addresses other than the gateway's own: Dovecot can only learn them from the relay */
const POP_CLIENT_ADDRESS = '127.0.0.7';
const SMTP_CLIENT_ADDRESS = '127.0.0.8';

interface PopOut {
  ok: boolean;
  error: string | null;
  login: string;
  stat: [number, number] | null;
  message: string;
}

interface SmtpOut {
  ok: boolean;
  error: string | null;
  code: number | null;
}

interface SunkMessage {
  from: string;
  to: string[];
  data: string;
}

/** the smallest SMTP server Dovecot's submission service can relay to: accepts and records everything */
async function startSink(): Promise<{ port: number; messages: SunkMessage[]; close(): Promise<void> }> {
  const messages: SunkMessage[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    let buffer = '';
    let current: SunkMessage = { from: '', to: [], data: '' };
    let inData = false;
    sock.write('220 sink.test ESMTP\r\n');
    sock.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (let lf = buffer.indexOf('\n'); lf >= 0; lf = buffer.indexOf('\n')) {
        const line = buffer.slice(0, lf).replace(/\r$/, '');
        buffer = buffer.slice(lf + 1);
        if (inData) {
          if (line === '.') {
            inData = false;
            messages.push(current);
            current = { from: '', to: [], data: '' };
            sock.write('250 2.0.0 sunk\r\n');
          } else {
            current.data += `${line.startsWith('.') ? line.slice(1) : line}\r\n`;
          }
          continue;
        }
        const upper = line.toUpperCase();
        if (upper.startsWith('EHLO')) sock.write('250-sink.test\r\n250-8BITMIME\r\n250 PIPELINING\r\n');
        else if (upper.startsWith('MAIL FROM:')) {
          current.from = line.slice(10).trim();
          sock.write('250 2.1.0 ok\r\n');
        } else if (upper.startsWith('RCPT TO:')) {
          current.to.push(line.slice(8).trim());
          sock.write('250 2.1.5 ok\r\n');
        } else if (upper === 'DATA') {
          inData = true;
          sock.write('354 go ahead\r\n');
        } else if (upper === 'QUIT') sock.end('221 2.0.0 bye\r\n');
        else sock.write('250 2.0.0 ok\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    messages,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let sink: Awaited<ReturnType<typeof startSink>>;
let dovecot: Dovecot;
let gw: Gateway<'pop' | 'popStls' | 'smtp' | 'smtpStarttls' | 'http'>;
let deadPort: number;

beforeAll(async () => {
  sink = await startSink();
  dovecot = await Dovecot.start({
    users: [
      { name: ALICE.address, password: ALICE.upstream },
      { name: BOB.address, password: BOB.password },
      { name: CAROL.address, password: CAROL.upstream },
      { name: DAVE.address, password: DAVE.upstream },
    ],
    submissionRelay: { host: '127.0.0.1', port: sink.port },
  });
  gw = await Gateway.start({
    listeners: {
      pop: { service: 'pop', tls: 'none' },
      popStls: { service: 'pop', tls: 'starttls' },
      smtp: { service: 'smtp', tls: 'none' },
      smtpStarttls: { service: 'smtp', tls: 'starttls' },
      http: { service: 'http', tls: 'none' },
    },
  });
  const caFile = path.join(gw.dir, 'dovecot-ca.pem');
  await fs.writeFile(caFile, dovecot.caPem);
  const master = [`masterUser=${dovecot.masterUser}`, `masterPassword=${dovecot.masterPassword}`];
  await gw.cliOk(
    'domain', 'set', 'example.test',
    'upstream.pop.host=127.0.0.1', `upstream.pop.port=${dovecot.ports.pop3}`, 'upstream.pop.tls=starttls',
    `upstream.pop.ca=@${caFile}`, 'upstream.pop.login=master', ...master.map((m) => `upstream.pop.${m}`),
    'upstream.smtp.host=127.0.0.1', `upstream.smtp.port=${dovecot.ports.submission}`, 'upstream.smtp.tls=starttls',
    `upstream.smtp.ca=@${caFile}`, 'upstream.smtp.login=master', ...master.map((m) => `upstream.smtp.${m}`),
  );
  await createAccount(gw, ALICE.address, ALICE.password);
  await createAccount(
    gw, BOB.address, BOB.password,
    'upstream.pop.login=passthrough',
    'upstream.smtp.login=passthrough', 'upstream.smtp.authMechanism=LOGIN',
  );
  await createAccount(
    gw, CAROL.address, CAROL.password,
    `upstream.pop.host=127.0.0.1:${dovecot.ports.pop3Haproxy}`, 'upstream.pop.tls=none', 'upstream.pop.login=proxy',
    `upstream.smtp.host=127.0.0.1:${dovecot.ports.submissionHaproxy}`, 'upstream.smtp.tls=none', 'upstream.smtp.login=proxy',
  );
  [deadPort] = (await freePorts(1)) as [number];
  await createAccount(
    gw, DAVE.address, DAVE.password,
    `upstream.pop.host=127.0.0.1:${deadPort},127.0.0.1:${dovecot.ports.pop3s}`, 'upstream.pop.tls=implicit',
  );
});

afterAll(async () => {
  await stopCleanly(gw, [ALICE.password, BOB.password, CAROL.password, DAVE.password, dovecot?.masterPassword ?? 'unused']);
  await dovecot?.destroy();
  await sink?.close();
});

function popRetr(
  method: 'user' | 'plain',
  user: string,
  password: string,
  source = '127.0.0.1',
  stls = false,
): Promise<PopOut> {
  const port = stls ? gw.ports.popStls : gw.ports.pop;
  return python<PopOut>('relay_pop.py', { host: '127.0.0.1', port, source, stls, method, user, password, retr: 1 });
}

function smtpSubmit(mechanism: string, user: string, password: string, subject: string, source = '127.0.0.1'): Promise<SmtpOut> {
  return python<SmtpOut>('relay_smtp.py', {
    host: '127.0.0.1',
    port: gw.ports.smtp,
    source,
    mechanism,
    user,
    password,
    sender: user,
    recipients: ['someone@example.net'],
    message: `From: <${user}>\r\nTo: <someone@example.net>\r\nSubject: ${subject}\r\n\r\nsent through the gateway\r\n`,
  });
}

/** the sink has a message with this subject (Dovecot relays it after answering the client) */
async function sunk(subject: string, timeoutMs = 10_000): Promise<SunkMessage | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = sink.messages.find((m) => m.data.includes(`Subject: ${subject}`));
    if (found || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const escaped = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** the sum of a counter over the series whose labels include `labels` (every service) */
async function metric(name: string, labels: string): Promise<number> {
  const r = await curl([`http://127.0.0.1:${gw.ports.http}/metrics`]);
  const lines = r.stdout.split('\n').filter((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return lines.reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

describe('POP3 relayed to Dovecot with a master user', () => {
  it.each(['user', 'plain'] as const)("poplib logs in with %s at the gateway and RETR returns Dovecot's message", async (method) => {
    const out = await popRetr(method, ALICE.address, ALICE.password);
    expect(out.error).toBeNull();
    expect(out.login).toMatch(/^\+OK/);
    expect(out.stat?.[0]).toBe(1);
    expect(out.message).toContain(`Subject: ${KNOWN_SUBJECT}`);
    expect(out.message).toContain(KNOWN_BODY_LINE);
  });

  it('the upstream password is not a gateway password', async () => {
    const out = await popRetr('user', ALICE.address, ALICE.upstream);
    expect(out.ok).toBe(false);
    expect(out.error).toMatch(/-ERR \[AUTH\]/);
  });

  it('curl logs in with CRAM-MD5 (the mechanism ends at the gateway) and retrieves the message', async () => {
    const r = await curl(['--login-options', 'AUTH=CRAM-MD5', '--user', `${ALICE.address}:${ALICE.password}`, `pop3://127.0.0.1:${gw.ports.pop}/1`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(KNOWN_BODY_LINE);
  });

  it("passes the client's address to Dovecot with XCLIENT: its log names it", async () => {
    const out = await popRetr('user', ALICE.address, ALICE.password, POP_CLIENT_ADDRESS);
    expect(out.error).toBeNull();
    const log = await dovecot.log();
    expect(log).toMatch(new RegExp(`pop3-login: Info: Login: user=<${escaped(ALICE.address)}>.*rip=${escaped(POP_CLIENT_ADDRESS)}`));
  });

  it('passthrough replays USER/PASS and AUTH PLAIN passwords; CRAM-MD5 (no password) gets -ERR [SYS/TEMP]', async () => {
    for (const method of ['user', 'plain'] as const) {
      const out = await popRetr(method, BOB.address, BOB.password);
      expect(out.error).toBeNull();
      expect(out.message).toContain(KNOWN_BODY_LINE);
    }
    const r = await curl(['--login-options', 'AUTH=CRAM-MD5', '--user', `${BOB.address}:${BOB.password}`, '-v', `pop3://127.0.0.1:${gw.ports.pop}/1`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('-ERR [SYS/TEMP]');
  });
});

describe('SMTP submission relayed to Dovecot with a master user', () => {
  it("smtplib: AUTH PLAIN at the gateway, the message reaches Dovecot's submission and its relay, with the client's address", async () => {
    const out = await smtpSubmit('PLAIN', ALICE.address, ALICE.password, 'relayed by smtplib', SMTP_CLIENT_ADDRESS);
    expect(out.error).toBeNull();
    expect(out.code).toBe(235);
    const message = await sunk('relayed by smtplib');
    expect(message).toBeDefined();
    expect(message?.from).toBe(`<${ALICE.address}>`);
    expect(message?.to).toEqual(['<someone@example.net>']);
    // Dovecot's Received header and its login log both know the real client address (XCLIENT ADDR)
    expect(message?.data).toContain(`[${SMTP_CLIENT_ADDRESS}]`);
    // ESMTPSA: Dovecot saw an authenticated login over TLS (the gateway's STARTTLS to it)
    expect(message?.data).toMatch(/with ESMTPS?A/);
    const log = await dovecot.log();
    expect(log).toMatch(new RegExp(`submission-login: Info: Login: user=<${escaped(ALICE.address)}>.*rip=${escaped(SMTP_CLIENT_ADDRESS)}`));
  });

  it('swaks: CRAM-MD5 at the gateway, relayed with the master login', async () => {
    const r = await run('swaks', [
      '--server', `127.0.0.1:${gw.ports.smtp}`, '--local-interface', SMTP_CLIENT_ADDRESS,
      '--ehlo', 'swaks.client.test', '--from', ALICE.address, '--to', 'friend@example.net',
      '--auth', 'CRAM-MD5', '--auth-user', ALICE.address, '--auth-password', ALICE.password,
      '--header', 'Subject: relayed by swaks', '--body', 'swaks through the relay', '--timeout', '20',
    ], { timeoutMs: 40_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('235 2.7.0 Authentication successful');
    const message = await sunk('relayed by swaks');
    expect(message?.to).toEqual(['<friend@example.net>']);
    expect(message?.data).toContain('swaks through the relay');
  });

  it('passthrough replays the client password with AUTH LOGIN; CRAM-MD5 (no password) gets 454', async () => {
    const out = await smtpSubmit('LOGIN', BOB.address, BOB.password, 'passthrough by LOGIN');
    expect(out.error).toBeNull();
    expect((await sunk('passthrough by LOGIN'))?.from).toBe(`<${BOB.address}>`);
    const refused = await smtpSubmit('CRAM-MD5', BOB.address, BOB.password, 'never sent');
    expect(refused.code).toBe(454);
  });

  it('a wrong gateway password never reaches the upstream', async () => {
    const out = await smtpSubmit('PLAIN', ALICE.address, ALICE.upstream, 'wrong password');
    expect(out.code).toBe(535);
  });
});

describe('other upstream paths', () => {
  it('a client on STLS at the gateway: its TLS socket is relayed', async () => {
    const out = await popRetr('user', ALICE.address, ALICE.password, '127.0.0.1', true);
    expect(out.error).toBeNull();
    expect(out.message).toContain(KNOWN_BODY_LINE);
  });

  it('swaks with STARTTLS at the gateway: its TLS socket is relayed to Dovecot submission', async () => {
    const r = await run('swaks', [
      '--server', `127.0.0.1:${gw.ports.smtpStarttls}`, '-tls', '--ehlo', 'swaks.client.test',
      '--from', ALICE.address, '--to', 'tls@example.net', '--auth', 'PLAIN',
      '--auth-user', ALICE.address, '--auth-password', ALICE.password,
      '--header', 'Subject: relayed over TLS', '--timeout', '20',
    ], { timeoutMs: 40_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect((await sunk('relayed over TLS'))?.to).toEqual(['<tls@example.net>']);
  });

  it("proxy: a PROXY v2 header carries the client's address to Dovecot's POP3 and submission, then the master login", async () => {
    const pop = await popRetr('user', CAROL.address, CAROL.password, POP_CLIENT_ADDRESS);
    expect(pop.error).toBeNull();
    expect(pop.message).toContain(KNOWN_BODY_LINE);
    const smtp = await smtpSubmit('PLAIN', CAROL.address, CAROL.password, 'relayed behind PROXY', SMTP_CLIENT_ADDRESS);
    expect(smtp.error).toBeNull();
    expect((await sunk('relayed behind PROXY'))?.data).toContain(`[${SMTP_CLIENT_ADDRESS}]`);
    const log = await dovecot.log();
    expect(log).toMatch(new RegExp(`pop3-login: Info: Login: user=<${escaped(CAROL.address)}>.*rip=${escaped(POP_CLIENT_ADDRESS)}`));
    expect(log).toMatch(new RegExp(`submission-login: Info: Login: user=<${escaped(CAROL.address)}>.*rip=${escaped(SMTP_CLIENT_ADDRESS)}`));
  });

  it('tries the hosts in order: the first refuses, the second (POP3 over implicit TLS) serves', async () => {
    const before = await metric('portcullis_relay_upstream_failures_total', 'kind="unreachable"');
    const out = await popRetr('plain', DAVE.address, DAVE.password);
    expect(out.error).toBeNull();
    expect(out.message).toContain(KNOWN_BODY_LINE);
    expect(await metric('portcullis_relay_upstream_failures_total', 'kind="unreachable"')).toBe(before + 1);
  });
});

describe('Dovecot going away', () => {
  it('-ERR [SYS/TEMP] and 454 while Dovecot is down, the gateway stays up, and both relay again once it is back', async () => {
    const before = await metric('portcullis_relay_logins_total', 'result="unavailable"');
    await dovecot.stop();

    const pop = await LineClient.connect(gw.ports.pop);
    await pop.readLine();
    pop.send(`USER ${ALICE.address}`);
    expect(await pop.readLine()).toMatch(/^\+OK/);
    pop.send(`PASS ${ALICE.password}`);
    expect(await pop.readLine()).toMatch(/^-ERR \[SYS\/TEMP\] /);
    // still in AUTHORIZATION: the client may try again later on the same connection
    pop.send('QUIT');
    expect(await pop.readLine()).toMatch(/^\+OK/);
    pop.close();

    const smtp = await smtpSubmit('PLAIN', ALICE.address, ALICE.password, 'while down');
    expect(smtp.code).toBe(454);
    expect(smtp.error).toContain('4.7.0');
    gw.assertAlive();
    expect(await metric('portcullis_relay_logins_total', 'result="unavailable"')).toBeGreaterThanOrEqual(before + 2);

    await dovecot.restart();
    const again = await popRetr('user', ALICE.address, ALICE.password);
    expect(again.error).toBeNull();
    expect(again.message).toContain(KNOWN_BODY_LINE);
    const sent = await smtpSubmit('PLAIN', ALICE.address, ALICE.password, 'after the restart');
    expect(sent.error).toBeNull();
    expect(await sunk('after the restart')).toBeDefined();
  });

  it("a client hanging up mid-session closes the upstream session too (Dovecot logs the disconnect)", async () => {
    const disconnects = async (): Promise<number> =>
      (await dovecot.log()).split('\n').filter((l) => l.includes(`pop3(${ALICE.address})`) && l.includes('Disconnected')).length;
    const before = await disconnects();
    const pop = await LineClient.connect(gw.ports.pop);
    await pop.readLine();
    pop.send(`USER ${ALICE.address}`);
    await pop.readLine();
    pop.send(`PASS ${ALICE.password}`);
    expect(await pop.readLine()).toMatch(/^\+OK/);
    pop.send('STAT');
    expect(await pop.readLine()).toMatch(/^\+OK 1 /);
    pop.close();
    const deadline = Date.now() + 10_000;
    while ((await disconnects()) === before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await disconnects()).toBe(before + 1);
    gw.assertAlive();
  });
});
