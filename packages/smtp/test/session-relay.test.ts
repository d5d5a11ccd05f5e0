/**
 * The session's relay hook after AUTH: relay (235, then bytes both ways to an upstream whose
 * EHLO and login the gateway did), 454 when unavailable, or the built-in spool. The upstream is a
 * small SMTP server on loopback reached through the relay package's connectUpstream and SMTP
 * dialog; the authenticator is auth-core's real one.
 */
import { createHmac } from 'node:crypto';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  connectUpstream,
  smtpUpstream,
  type RelayClient,
  type RelayDecision,
  type RelayHook,
  type UpstreamTarget,
} from '@portcullis/relay';
import { ALICE, PASSWORD, testAuth } from './support/auth.js';
import { b64, SmtpClient } from './support/client.js';
import { readSpool, startSmtpServer, type TestServer } from './support/server.js';

interface FakeUpstream {
  port: number;
  lines: string[];
  close(): Promise<void>;
}

/** a submission server with XCLIENT that takes any AUTH PLAIN and accepts any message */
async function fakeUpstream(): Promise<FakeUpstream> {
  const lines: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    let buffer = '';
    let inData = false;
    sock.write('220 upstream.test ESMTP\r\n');
    sock.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      for (let lf = buffer.indexOf('\n'); lf >= 0; lf = buffer.indexOf('\n')) {
        const line = buffer.slice(0, lf).replace(/\r$/, '');
        buffer = buffer.slice(lf + 1);
        lines.push(line);
        if (inData) {
          if (line === '.') {
            inData = false;
            sock.write('250 2.0.0 queued upstream\r\n');
          }
          continue;
        }
        const verb = line.split(' ')[0]?.toUpperCase();
        if (verb === 'EHLO') sock.write('250-upstream.test\r\n250-AUTH PLAIN LOGIN\r\n250 XCLIENT ADDR PORT LOGIN\r\n');
        else if (verb === 'XCLIENT') sock.write('220 upstream.test ESMTP\r\n');
        else if (verb === 'AUTH') sock.write('235 2.7.0 Logged in.\r\n');
        else if (verb === 'MAIL' || verb === 'RCPT') sock.write('250 2.1.0 ok\r\n');
        else if (verb === 'DATA') {
          inData = true;
          sock.write('354 go ahead\r\n');
        } else if (verb === 'QUIT') sock.end('221 2.0.0 bye\r\n');
        else sock.write('502 5.5.1 unknown\r\n');
      }
    });
    sock.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    lines,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function relayTo(port: number, clients: RelayClient[], login: UpstreamTarget['login'] = 'master'): RelayHook {
  const target: UpstreamTarget = {
    host: '127.0.0.1',
    port,
    tls: 'none',
    login,
    authMechanism: 'PLAIN',
    masterUser: 'gw',
    masterPassword: 'mpw',
  };
  return async (service, _login, client) => {
    clients.push(client);
    const upstream = await connectUpstream(service, [target], client, {
      dialogs: { smtp: smtpUpstream },
      connectTimeoutMs: 2000,
      loginTimeoutMs: 2000,
    });
    return { kind: 'relay', upstream, timeouts: { idleTimeoutMs: 5000, totalTimeoutMs: 0 } };
  };
}

let server: TestServer | undefined;
let upstream: FakeUpstream | undefined;
const clients: SmtpClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.end();
  await server?.close();
  await upstream?.close();
  server = undefined;
  upstream = undefined;
});

async function open(relay: RelayHook): Promise<SmtpClient> {
  server = await startSmtpServer({ authenticator: testAuth().authenticator, relay });
  const client = await SmtpClient.connect(server.port);
  clients.push(client);
  expect((await client.reply()).code).toBe(220);
  expect((await client.cmd('EHLO client.test')).code).toBe(250);
  return client;
}

const plain = (user: string, password: string): string => b64(`\0${user}\0${password}`);

describe('relaying an SMTP submission to an upstream', () => {
  it('235, then MAIL/RCPT/DATA reach the upstream, which had EHLO, XCLIENT ADDR and the master login from the gateway', async () => {
    upstream = await fakeUpstream();
    const seen: RelayClient[] = [];
    const c = await open(relayTo(upstream.port, seen));
    const auth = await c.cmd(`AUTH PLAIN ${plain(ALICE, PASSWORD)}`);
    expect(auth.lines).toEqual(['235 2.7.0 Authentication successful']);
    expect((await c.cmd('MAIL FROM:<alice@example.test>')).code).toBe(250);
    expect((await c.cmd('RCPT TO:<bob@example.net>')).code).toBe(250);
    expect((await c.cmd('DATA')).code).toBe(354);
    const done = await c.cmd('Subject: hi\r\n\r\nrelayed body\r\n.');
    expect(done.text).toBe('2.0.0 queued upstream');
    expect((await c.cmd('QUIT')).code).toBe(221);
    expect(await c.waitClosed()).toBe(true);

    expect(seen[0]).toMatchObject({ account: ALICE, clientAddress: '127.0.0.1', password: PASSWORD });
    expect(upstream.lines.slice(0, 4)).toEqual([
      'EHLO [127.0.0.1]',
      expect.stringMatching(/^XCLIENT ADDR=127\.0\.0\.1 PORT=\d+$/),
      'EHLO [127.0.0.1]',
      `AUTH PLAIN ${b64(`${ALICE}\0gw\0mpw`)}`,
    ]);
    expect(upstream.lines).toContain('relayed body');
    // nothing was spooled at the gateway
    expect((await readSpool(server?.spoolDir ?? '')).size).toBe(0);
    const logs = server?.logs.join('') ?? '';
    expect(logs).toContain('smtp session relayed');
    expect(logs).not.toContain(PASSWORD);
  });

  it('xclient mode: the upstream gets XCLIENT LOGIN= and no AUTH', async () => {
    upstream = await fakeUpstream();
    const c = await open(relayTo(upstream.port, [], 'xclient'));
    expect((await c.cmd(`AUTH PLAIN ${plain(ALICE, PASSWORD)}`)).code).toBe(235);
    expect((await c.cmd('NOOP')).code).toBe(502);
    expect(upstream.lines[1]).toMatch(/^XCLIENT LOGIN=alice@example\.test ADDR=127\.0\.0\.1 PORT=\d+$/);
    expect(upstream.lines.some((l) => l.startsWith('AUTH'))).toBe(false);
  });

  it('AUTH LOGIN hands the hook the password; CRAM-MD5 hands it none', async () => {
    upstream = await fakeUpstream();
    const seen: RelayClient[] = [];
    const c = await open(relayTo(upstream.port, seen));
    expect((await c.cmd('AUTH LOGIN')).code).toBe(334);
    expect((await c.cmd(b64(ALICE))).code).toBe(334);
    expect((await c.cmd(b64(PASSWORD))).code).toBe(235);
    expect(seen[0]?.password).toBe(PASSWORD);

    const second = await SmtpClient.connect(server?.port ?? 0);
    clients.push(second);
    await second.reply();
    await second.cmd('EHLO client.test');
    const challenge = await second.cmd('AUTH CRAM-MD5');
    expect(challenge.code).toBe(334);
    const digest = createHmac('md5', PASSWORD).update(Buffer.from(challenge.text, 'base64')).digest('hex');
    expect((await second.cmd(b64(`${ALICE} ${digest}`))).code).toBe(235);
    expect(seen[1]?.password).toBeUndefined();
  });

  it('unavailable: 454 4.7.0, the session stays unauthenticated, and a later AUTH may succeed', async () => {
    const decisions: RelayDecision[] = [{ kind: 'unavailable', reason: 'upstream down' }, { kind: 'builtin' }];
    const c = await open(async () => decisions.shift() ?? { kind: 'builtin' });
    const refused = await c.cmd(`AUTH PLAIN ${plain(ALICE, PASSWORD)}`);
    expect(refused.lines).toEqual(['454 4.7.0 Temporary authentication failure']);
    expect((await c.cmd('MAIL FROM:<alice@example.test>')).code).toBe(530);
    expect((await c.cmd(`AUTH PLAIN ${plain(ALICE, PASSWORD)}`)).code).toBe(235);
    expect((await c.cmd('MAIL FROM:<alice@example.test>')).code).toBe(250);
    expect(server?.logs.join('')).toContain('smtp relay unavailable');
  });

  it('an unreachable upstream through connectUpstream is 454 too, and the listener keeps serving', async () => {
    // a port nothing listens on: take a free one and close it again
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const deadPort = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const hook: RelayHook = async (service, login, client) => {
      try {
        return await relayTo(deadPort, [])(service, login, client);
      } catch (err) {
        return { kind: 'unavailable', reason: (err as Error).message };
      }
    };
    const c = await open(hook);
    expect((await c.cmd(`AUTH PLAIN ${plain(ALICE, PASSWORD)}`)).code).toBe(454);
    const again = await SmtpClient.connect(server?.port ?? 0);
    clients.push(again);
    expect((await again.reply()).code).toBe(220);
  });

  it('a client that hangs up while the hook connects: the upstream session is closed, the server carries on', async () => {
    upstream = await fakeUpstream();
    const relay = relayTo(upstream.port, []);
    let hungUp!: () => void;
    const clientGone = new Promise<void>((resolve) => (hungUp = resolve));
    let upstreamSocket: net.Socket | undefined;
    const c = await open(async (service, login, client) => {
      const decision = await relay(service, login, client);
      if (decision.kind === 'relay') upstreamSocket = decision.upstream.socket as net.Socket;
      await clientGone;
      await new Promise((resolve) => setTimeout(resolve, 100));
      return decision;
    });
    c.send(`AUTH PLAIN ${plain(ALICE, PASSWORD)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    c.end();
    hungUp();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(upstreamSocket?.destroyed).toBe(true);
    const next = await SmtpClient.connect(server?.port ?? 0);
    clients.push(next);
    expect((await next.reply()).code).toBe(220);
  });

  it('builtin: mail is spooled here, as without a hook', async () => {
    const c = await open(async () => ({ kind: 'builtin' }));
    expect((await c.cmd(`AUTH PLAIN ${plain(ALICE, PASSWORD)}`)).code).toBe(235);
    expect((await c.cmd('MAIL FROM:<alice@example.test>')).code).toBe(250);
  });
});
