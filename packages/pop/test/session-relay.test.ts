/**
 * The session's relay hook: after a login it asks the hook, and relays (+OK, then bytes both
 * ways), answers -ERR [SYS/TEMP], or serves the built-in maildrop. The upstream is a small POP3
 * server on loopback reached through the relay package's real connectUpstream and POP3 dialog.
 */
import { createHmac } from 'node:crypto';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  connectUpstream,
  popUpstream,
  type RelayClient,
  type RelayDecision,
  type RelayHook,
  type RelayLogin,
  type UpstreamTarget,
} from '@portcullis/relay';
import { FakeAuthenticator } from './support/fake-authenticator.js';
import { PopClient } from './support/pop-client.js';
import { startPopServer, type TestServer } from './support/server.js';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

interface FakeUpstream {
  port: number;
  lines: string[];
  close(): Promise<void>;
}

/** a POP3 server that takes any AUTH PLAIN, has one message, and records every line */
async function fakeUpstream(): Promise<FakeUpstream> {
  const lines: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    let buffer = '';
    sock.write('+OK [XCLIENT] upstream ready\r\n');
    sock.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      for (let lf = buffer.indexOf('\n'); lf >= 0; lf = buffer.indexOf('\n')) {
        const line = buffer.slice(0, lf).replace(/\r$/, '');
        buffer = buffer.slice(lf + 1);
        lines.push(line);
        const verb = line.split(' ')[0]?.toUpperCase();
        if (verb === 'XCLIENT') sock.write('+OK Updated\r\n');
        else if (verb === 'AUTH') sock.write('+OK Logged in.\r\n');
        else if (verb === 'STAT') sock.write('+OK 1 42\r\n');
        else if (verb === 'QUIT') sock.end('+OK Logging out.\r\n');
        else sock.write('-ERR unknown\r\n');
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

interface HookCall {
  service: string;
  login: RelayLogin;
  client: RelayClient;
}

/** a hook that relays to `port` in master mode, recording what it was asked */
function relayTo(port: number, calls: HookCall[]): RelayHook {
  const target: UpstreamTarget = {
    host: '127.0.0.1',
    port,
    tls: 'none',
    login: 'master',
    authMechanism: 'PLAIN',
    masterUser: 'gw',
    masterPassword: 'mpw',
  };
  return async (service, login, client) => {
    calls.push({ service, login, client });
    const upstream = await connectUpstream(service, [target], client, {
      dialogs: { pop: popUpstream },
      connectTimeoutMs: 2000,
      loginTimeoutMs: 2000,
    });
    return { kind: 'relay', upstream, timeouts: { idleTimeoutMs: 5000, totalTimeoutMs: 0 } };
  };
}

let server: TestServer | undefined;
let upstream: FakeUpstream | undefined;
const clients: PopClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.close();
  await upstream?.close();
  server = undefined;
  upstream = undefined;
});

async function connect(relay: RelayHook): Promise<PopClient> {
  server = await startPopServer({ authenticator: new FakeAuthenticator(), serverName: 'pop.test', relay });
  const client = await PopClient.connect(server.port);
  clients.push(client);
  expect(await client.line()).toMatch(/^\+OK pop\.test POP3 ready/);
  return client;
}

describe('relaying a POP3 login to an upstream', () => {
  it('USER/PASS: +OK, then the client talks to the upstream, which got XCLIENT and the master login', async () => {
    upstream = await fakeUpstream();
    const calls: HookCall[] = [];
    const client = await connect(relayTo(upstream.port, calls));
    expect(await client.command('USER alice')).toMatch(/^\+OK/);
    expect(await client.command('PASS secret')).toBe('+OK alice@pop.test logged in');
    expect(await client.command('STAT')).toBe('+OK 1 42');
    expect(await client.command('QUIT')).toBe('+OK Logging out.');
    expect(await client.closedByServer()).toBe(true);

    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call?.service).toBe('pop');
    expect(call?.login.authzid).toBe('alice@pop.test');
    expect(call?.client).toMatchObject({ account: 'alice@pop.test', clientAddress: '127.0.0.1', password: 'secret', loginName: 'alice' });
    expect(upstream.lines).toEqual([
      expect.stringMatching(/^XCLIENT ADDR=127\.0\.0\.1 PORT=\d+$/),
      `AUTH PLAIN ${b64('alice@pop.test\0gw\0mpw')}`,
      'STAT',
      'QUIT',
    ]);
    expect(server?.logs.join('')).toContain('pop session relayed');
    expect(server?.logs.join('')).not.toContain('secret');
  });

  it('relays bytes a client pipelined behind its PASS', async () => {
    upstream = await fakeUpstream();
    const client = await connect(relayTo(upstream.port, []));
    expect(await client.command('USER alice')).toMatch(/^\+OK/);
    client.send(Buffer.from('PASS secret\r\nSTAT\r\n'));
    expect(await client.line()).toBe('+OK alice@pop.test logged in');
    expect(await client.line()).toBe('+OK 1 42');
  });

  it('AUTH PLAIN hands the hook the password; CRAM-MD5 hands it none', async () => {
    upstream = await fakeUpstream();
    const calls: HookCall[] = [];
    const client = await connect(relayTo(upstream.port, calls));
    expect(await client.command(`AUTH PLAIN ${b64('\0alice\0secret')}`)).toBe('+OK alice@pop.test logged in');
    expect(calls[0]?.client.password).toBe('secret');
    expect(calls[0]?.client.loginName).toBe('alice');

    const second = await PopClient.connect(server?.port ?? 0);
    clients.push(second);
    await second.line();
    const challenge = await second.command('AUTH CRAM-MD5');
    expect(challenge).toMatch(/^\+ /);
    const text = Buffer.from(challenge.slice(2), 'base64').toString();
    const digest = createHmac('md5', 'secret').update(text).digest('hex');
    expect(await second.command(b64(`alice ${digest}`))).toBe('+OK alice@pop.test logged in');
    expect(calls[1]?.client.password).toBeUndefined();
  });

  it('unavailable: -ERR [SYS/TEMP], the session stays in AUTHORIZATION and the next login may work', async () => {
    const decisions: RelayDecision[] = [{ kind: 'unavailable', reason: 'upstream 127.0.0.1:9 refused' }, { kind: 'builtin' }];
    const client = await connect(async () => decisions.shift() ?? { kind: 'builtin' });
    expect(await client.command('USER alice')).toMatch(/^\+OK/);
    expect(await client.command('PASS secret')).toBe('-ERR [SYS/TEMP] mail server temporarily unavailable, try again later');
    expect(await client.command('STAT')).toMatch(/^-ERR /);
    expect(await client.command('USER alice')).toMatch(/^\+OK/);
    expect(await client.command('PASS secret')).toBe('+OK alice@pop.test has 0 messages (0 octets)');
    expect(server?.logs.join('')).toContain('pop relay unavailable');
  });

  it('a hook that throws counts as unavailable; the gateway keeps serving', async () => {
    const client = await connect(async () => {
      throw new Error('boom');
    });
    expect(await client.command('USER alice')).toMatch(/^\+OK/);
    expect(await client.command('PASS secret')).toMatch(/^-ERR \[SYS\/TEMP\]/);
    expect(await client.command('NOOP')).toMatch(/^-ERR/);
    expect(await client.command('QUIT')).toMatch(/^\+OK/);
  });

  it('builtin: the built-in maildrop, as without a hook', async () => {
    const client = await connect(async () => ({ kind: 'builtin' }));
    expect(await client.command('USER alice')).toMatch(/^\+OK/);
    expect(await client.command('PASS secret')).toBe('+OK alice@pop.test has 0 messages (0 octets)');
    expect(await client.command('STAT')).toBe('+OK 0 0');
  });

  it('a client that hangs up while the hook connects: the upstream session is closed, the server carries on', async () => {
    upstream = await fakeUpstream();
    const relay = relayTo(upstream.port, []);
    let hungUp!: () => void;
    const clientGone = new Promise<void>((resolve) => (hungUp = resolve));
    let upstreamSocket: net.Socket | undefined;
    const client = await connect(async (service, login, c) => {
      const decision = await relay(service, login, c);
      if (decision.kind === 'relay') upstreamSocket = decision.upstream.socket as net.Socket;
      await clientGone;
      // give the listener a moment to see the close
      await new Promise((resolve) => setTimeout(resolve, 100));
      return decision;
    });
    expect(await client.command('USER alice')).toMatch(/^\+OK/);
    client.send('PASS secret');
    await new Promise((resolve) => setTimeout(resolve, 200));
    client.close();
    hungUp();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(upstreamSocket?.destroyed).toBe(true);
    // the next client is served as usual
    const next = await PopClient.connect(server?.port ?? 0);
    clients.push(next);
    expect(await next.line()).toMatch(/^\+OK/);
  });

  it('a failed login never asks the hook', async () => {
    const calls: HookCall[] = [];
    const client = await connect(async (service, login, c) => {
      calls.push({ service, login, client: c });
      return { kind: 'builtin' };
    });
    expect(await client.command('USER alice')).toMatch(/^\+OK/);
    expect(await client.command('PASS wrong')).toMatch(/^-ERR \[AUTH\]/);
    expect(calls).toHaveLength(0);
  });
});
