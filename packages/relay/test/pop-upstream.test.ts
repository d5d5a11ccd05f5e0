import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { popUpstream } from '../src/pop-upstream.js';
import { UpstreamError, type RelayClient, type UpstreamTarget } from '../src/types.js';
import { connectTo, readUntil, scriptedServer, testCertificate, type ScriptIo, type ScriptedServer } from './support/scripted-server.js';

const CLIENT: RelayClient = {
  account: 'alice@example.test',
  clientAddress: '192.0.2.7',
  clientPort: 40123,
  localAddress: '127.0.0.1',
  localPort: 1110,
};

function target(port: number, extra: Partial<UpstreamTarget> = {}): UpstreamTarget {
  return {
    host: '127.0.0.1',
    port,
    tls: 'none',
    login: 'master',
    authMechanism: 'PLAIN',
    masterUser: 'gwmaster',
    masterPassword: 'master secret',
    ...extra,
  };
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

const servers: ScriptedServer[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) await s.close();
});

async function dialog(
  script: (io: ScriptIo) => Promise<void>,
  extra: Partial<UpstreamTarget> = {},
  client: RelayClient = CLIENT,
  timeoutMs = 2000,
) {
  const server = await scriptedServer(script);
  servers.push(server);
  const socket = await connectTo(server.port);
  sockets.push(socket);
  const result = popUpstream(socket, target(server.port, extra), client, timeoutMs);
  return { server, result };
}

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UpstreamError);
  return err as UpstreamError;
}

describe('POP3 upstream dialog', () => {
  it('passes the client address with XCLIENT when the greeting offers it, then logs in as master with the account as authzid', async () => {
    const { server, result } = await dialog(async (io) => {
      io.write('+OK [XCLIENT] Dovecot ready.\r\n');
      await io.line();
      io.write('+OK Updated\r\n');
      await io.line();
      // the client's first reply bytes may come in the same packet as the login reply
      io.write('+OK Logged in.\r\n+OK 1 42\r\n');
      await io.line();
    });
    const session = await result;
    sockets.push(session.socket as net.Socket);
    expect(server.received).toEqual([
      'XCLIENT ADDR=192.0.2.7 PORT=40123',
      `AUTH PLAIN ${b64('alice@example.test\0gwmaster\0master secret')}`,
    ]);
    expect(session.leftover.toString()).toBe('+OK 1 42\r\n');
    expect(session.host).toBe('127.0.0.1');
    // the released socket carries the client's session on
    session.socket.write('STAT\r\n');
    await server.done;
    expect(server.received.at(-1)).toBe('STAT');
  });

  it('sends no XCLIENT to an upstream that does not offer it, nor in proxy mode', async () => {
    for (const [greeting, login] of [
      ['+OK POP3 ready', 'master'],
      ['+OK [XCLIENT] ready', 'proxy'],
    ] as const) {
      const { server, result } = await dialog(
        async (io) => {
          io.write(`${greeting}\r\n`);
          await io.line();
          io.write('+OK\r\n');
        },
        { login },
      );
      const session = await result;
      sockets.push(session.socket as net.Socket);
      expect(server.received).toEqual([`AUTH PLAIN ${b64('alice@example.test\0gwmaster\0master secret')}`]);
    }
  });

  it('writes IPv6 client addresses in the IPV6: form', async () => {
    const { server, result } = await dialog(
      async (io) => {
        io.write('+OK [XCLIENT] ready\r\n');
        await io.line();
        io.write('+OK\r\n');
        await io.line();
        io.write('+OK\r\n');
      },
      {},
      { ...CLIENT, clientAddress: '2001:db8::7' },
    );
    sockets.push((await result).socket as net.Socket);
    expect(server.received[0]).toBe('XCLIENT ADDR=IPV6:2001:db8::7 PORT=40123');
  });

  it('passthrough replays the client name and password with AUTH PLAIN, or USER/PASS for LOGIN', async () => {
    const client = { ...CLIENT, password: 'pass word', loginName: 'alice' };
    const plain = await dialog(
      async (io) => {
        io.write('+OK ready\r\n');
        await io.line();
        io.write('+OK\r\n');
      },
      { login: 'passthrough', masterUser: undefined, masterPassword: undefined },
      client,
    );
    sockets.push((await plain.result).socket as net.Socket);
    expect(plain.server.received).toEqual([`AUTH PLAIN ${b64('\0alice\0pass word')}`]);

    const userPass = await dialog(
      async (io) => {
        io.write('+OK ready\r\n');
        await io.line();
        io.write('+OK send PASS\r\n');
        await io.line();
        io.write('+OK maildrop locked\r\n');
      },
      { login: 'passthrough', authMechanism: 'LOGIN' },
      client,
    );
    sockets.push((await userPass.result).socket as net.Socket);
    expect(userPass.server.received).toEqual(['USER alice', 'PASS pass word']);
  });

  it('starts TLS with STLS before anything else and verifies the upstream with the configured CA', async () => {
    const { cert } = testCertificate();
    const { server, result } = await dialog(
      async (io) => {
        io.write('+OK [XCLIENT] ready\r\n');
        await io.line();
        io.write('+OK Begin TLS negotiation\r\n');
        await io.startTls();
        await io.line();
        io.write('+OK\r\n');
        await io.line();
        io.write('+OK Logged in.\r\n');
        await io.line();
        io.write('+OK 0 0\r\n');
      },
      { tls: 'starttls', ca: cert },
    );
    const session = await result;
    sockets.push(session.socket as net.Socket);
    expect(server.received.slice(0, 2)).toEqual(['STLS', 'XCLIENT ADDR=192.0.2.7 PORT=40123']);
    expect('encrypted' in session.socket && session.socket.encrypted).toBe(true);
    session.socket.write('STAT\r\n');
    expect(await readUntil(session.socket as net.Socket, '+OK 0 0', session.leftover)).toContain('+OK 0 0');
  });

  it('fails TLS against an upstream whose certificate the CA does not vouch for', async () => {
    const { result } = await dialog(
      async (io) => {
        io.write('+OK ready\r\n');
        await io.line();
        io.write('+OK go\r\n');
        await io.startTls();
      },
      { tls: 'starttls' },
    );
    const err = await failure(result);
    expect(err.kind).toBe('protocol');
    expect(err.message).toMatch(/TLS/);
  });

  it('maps refusals, garbage, silence and hang-ups to UpstreamError kinds', async () => {
    const cases: Array<[string, (io: ScriptIo) => Promise<void>, Partial<UpstreamTarget>, string]> = [
      ['-ERR greeting', async (io) => io.write('-ERR [SYS/TEMP] too busy\r\n'), {}, 'refused'],
      ['malformed greeting', async (io) => io.write('* OK IMAP4rev1 here\r\n'), {}, 'protocol'],
      ['binary greeting', async (io) => io.write(Buffer.from([0x16, 0x03, 0x01, 0x0a])), {}, 'protocol'],
      ['silent server', async () => new Promise<void>((resolve) => setTimeout(resolve, 1500)), {}, 'timeout'],
      [
        'greeting without end',
        async (io) => {
          io.write('+OK but no line end');
          await new Promise<void>((resolve) => setTimeout(resolve, 1500));
        },
        {},
        'timeout',
      ],
      ['hang-up before the greeting', async () => undefined, {}, 'protocol'],
      ['over-long greeting', async (io) => io.write(`+OK ${'x'.repeat(70_000)}`), {}, 'protocol'],
      [
        'master login refused',
        async (io) => {
          io.write('+OK ready\r\n');
          await io.line();
          io.write('-ERR [AUTH] Authentication failed.\r\n');
        },
        {},
        'refused',
      ],
      [
        'a SASL challenge instead of a verdict',
        async (io) => {
          io.write('+OK ready\r\n');
          await io.line();
          io.write('+ \r\n');
        },
        {},
        'protocol',
      ],
      [
        'XCLIENT refused',
        async (io) => {
          io.write('+OK [XCLIENT] ready\r\n');
          await io.line();
          io.write('-ERR You are not from trusted IP\r\n');
        },
        {},
        'refused',
      ],
      [
        'STLS refused',
        async (io) => {
          io.write('+OK ready\r\n');
          await io.line();
          io.write('-ERR TLS support is not enabled\r\n');
        },
        { tls: 'starttls' },
        'refused',
      ],
      [
        'hang-up after AUTH',
        async (io) => {
          io.write('+OK ready\r\n');
          await io.line();
        },
        {},
        'protocol',
      ],
      ['no master credentials', async (io) => io.write('+OK ready\r\n'), { masterUser: undefined }, 'refused'],
    ];
    for (const [name, script, extra, kind] of cases) {
      const { result } = await dialog(script, extra, CLIENT, 400);
      const started = Date.now();
      const err = await failure(result);
      expect({ name, kind: err.kind }).toEqual({ name, kind });
      // never a hang: every case ends within the login timeout (and a little)
      expect(Date.now() - started).toBeLessThan(1500);
    }
  });

  it('refuses a passthrough password that would inject a second command, without sending it', async () => {
    const { server, result } = await dialog(
      async (io) => {
        io.write('+OK ready\r\n');
        await io.line().catch(() => undefined);
      },
      { login: 'passthrough', authMechanism: 'LOGIN' },
      { ...CLIENT, password: 'x\r\nDELE 1' },
    );
    const err = await failure(result);
    expect(err.kind).toBe('refused');
    expect(err.message).not.toContain('DELE');
    await server.done;
    expect(server.received.some((l) => l.startsWith('PASS') || l.startsWith('DELE'))).toBe(false);
  });

  it('never puts a password into an error message', async () => {
    const { result } = await dialog(
      async (io) => {
        io.write('+OK ready\r\n');
        await io.line();
        io.write('-ERR [AUTH] no\r\n');
      },
      {},
    );
    const err = await failure(result);
    expect(err.message).not.toContain('master secret');
    expect(err.message).not.toContain(b64('alice@example.test\0gwmaster\0master secret'));
  });
});
