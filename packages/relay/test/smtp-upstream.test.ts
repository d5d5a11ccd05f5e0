import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ehloFacts, smtpUpstream, xtext } from '../src/smtp-upstream.js';
import { UpstreamError, type RelayClient, type UpstreamTarget } from '../src/types.js';
import { connectTo, readUntil, scriptedServer, testCertificate, type ScriptIo, type ScriptedServer } from './support/scripted-server.js';

const CLIENT: RelayClient = {
  account: 'alice@example.test',
  clientAddress: '192.0.2.8',
  clientPort: 40999,
  localAddress: '127.0.0.1',
  localPort: 1587,
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
const MASTER_PLAIN = `AUTH PLAIN ${b64('alice@example.test\0gwmaster\0master secret')}`;

const EHLO_DOVECOT =
  '250-dovecot.test\r\n250-8BITMIME\r\n250-AUTH PLAIN LOGIN\r\n250-ENHANCEDSTATUSCODES\r\n250-PIPELINING\r\n' +
  '250 XCLIENT ADDR PORT PROTO HELO LOGIN SESSION TTL TIMEOUT FORWARD\r\n';
const EHLO_PLAIN = '250-mx.example\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n';

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
  const result = smtpUpstream(socket, target(server.port, extra), client, timeoutMs);
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

/** answer `n` commands with the given replies, in order */
async function answer(io: ScriptIo, ...replies: string[]): Promise<void> {
  for (const reply of replies) {
    await io.line();
    io.write(reply);
  }
}

describe('SMTP upstream dialog', () => {
  it('master: EHLO, XCLIENT ADDR/PORT, EHLO again after the new greeting, AUTH PLAIN with the account as authzid', async () => {
    const { server, result } = await dialog(async (io) => {
      io.write('220-dovecot.test ESMTP\r\n220 ready\r\n');
      await answer(io, EHLO_DOVECOT, '220 dovecot.test Dovecot ready.\r\n', EHLO_DOVECOT, '235 2.7.0 Logged in.\r\n');
      await io.line();
      io.write('250 2.1.0 ok\r\n');
      await io.line();
    });
    const session = await result;
    sockets.push(session.socket as net.Socket);
    expect(server.received).toEqual([
      'EHLO [127.0.0.1]',
      'XCLIENT ADDR=192.0.2.8 PORT=40999',
      'EHLO [127.0.0.1]',
      MASTER_PLAIN,
    ]);
    expect(session.leftover.length).toBe(0);
    // the released socket goes on with the client's transaction
    session.socket.write('MAIL FROM:<alice@example.test>\r\n');
    expect(await readUntil(session.socket as net.Socket, '250 2.1.0')).toContain('250 2.1.0 ok');
  });

  it('sends only the XCLIENT attributes the upstream names, and none to one without XCLIENT or in proxy mode', async () => {
    const named = await dialog(async (io) => {
      io.write('220 mx\r\n');
      await answer(io, '250-mx\r\n250-AUTH PLAIN\r\n250 XCLIENT NAME ADDR\r\n', '220 mx again\r\n', EHLO_PLAIN, '235 ok\r\n');
    });
    sockets.push((await named.result).socket as net.Socket);
    expect(named.server.received[1]).toBe('XCLIENT ADDR=192.0.2.8');

    for (const [ehlo, login] of [
      [EHLO_PLAIN, 'master'],
      [EHLO_DOVECOT, 'proxy'],
    ] as const) {
      const { server, result } = await dialog(
        async (io) => {
          io.write('220 mx\r\n');
          await answer(io, ehlo, '235 2.7.0 ok\r\n');
        },
        { login },
      );
      sockets.push((await result).socket as net.Socket);
      expect(server.received).toEqual(['EHLO [127.0.0.1]', MASTER_PLAIN]);
    }
  });

  it('xclient mode: XCLIENT LOGIN= (xtext) with ADDR and PORT logs in without AUTH; IPv6 in the IPV6: form', async () => {
    const { server, result } = await dialog(
      async (io) => {
        io.write('220 postfix ESMTP\r\n');
        await answer(
          io,
          '250-postfix\r\n250-PIPELINING\r\n250 XCLIENT NAME ADDR PORT PROTO HELO LOGIN\r\n',
          '220 postfix ESMTP\r\n',
          '250-postfix\r\n250 PIPELINING\r\n',
        );
      },
      { login: 'xclient', masterUser: undefined, masterPassword: undefined },
      { ...CLIENT, account: 'a+b=c@example.test', clientAddress: '2001:db8::8' },
    );
    sockets.push((await result).socket as net.Socket);
    expect(server.received).toEqual([
      'EHLO [127.0.0.1]',
      'XCLIENT LOGIN=a+2Bb+3Dc@example.test ADDR=IPV6:2001:db8::8 PORT=40999',
      'EHLO [127.0.0.1]',
    ]);
  });

  it('passthrough: AUTH PLAIN with the client credentials, or AUTH LOGIN step by step (Exchange)', async () => {
    const client = { ...CLIENT, password: 'pass word', loginName: 'alice' };
    const plain = await dialog(
      async (io) => {
        io.write('220 mx\r\n');
        await answer(io, EHLO_PLAIN, '235 2.7.0 ok\r\n');
      },
      { login: 'passthrough' },
      client,
    );
    sockets.push((await plain.result).socket as net.Socket);
    expect(plain.server.received[1]).toBe(`AUTH PLAIN ${b64('\0alice\0pass word')}`);

    const login = await dialog(
      async (io) => {
        io.write('220 exchange Microsoft ESMTP MAIL Service ready\r\n');
        await answer(io, '250-exchange Hello\r\n250-AUTH LOGIN\r\n250 CHUNKING\r\n', '334 VXNlcm5hbWU6\r\n', '334 UGFzc3dvcmQ6\r\n', '235 2.7.0 Authentication successful\r\n');
      },
      { login: 'passthrough', authMechanism: 'LOGIN' },
      client,
    );
    sockets.push((await login.result).socket as net.Socket);
    expect(login.server.received.slice(1)).toEqual(['AUTH LOGIN', b64('alice'), b64('pass word')]);
  });

  it('STARTTLS: EHLO, STARTTLS, TLS verified with the configured CA, EHLO again', async () => {
    const { cert } = testCertificate();
    const { server, result } = await dialog(
      async (io) => {
        io.write('220 mx\r\n');
        await answer(io, '250-mx\r\n250 STARTTLS\r\n', '220 2.0.0 go ahead\r\n');
        await io.startTls();
        await answer(io, EHLO_PLAIN, '235 2.7.0 ok\r\n');
      },
      { tls: 'starttls', ca: cert },
    );
    const session = await result;
    sockets.push(session.socket as net.Socket);
    expect(server.received).toEqual(['EHLO [127.0.0.1]', 'STARTTLS', 'EHLO [127.0.0.1]', MASTER_PLAIN]);
    expect('encrypted' in session.socket && session.socket.encrypted).toBe(true);
  });

  it('maps refusals, malformed replies, silence and hang-ups to UpstreamError kinds, never hanging', async () => {
    const greet = (io: ScriptIo): void => io.write('220 mx\r\n');
    const cases: Array<[string, (io: ScriptIo) => Promise<void>, Partial<UpstreamTarget>, string]> = [
      ['554 greeting', async (io) => io.write('554 5.3.2 not now\r\n'), {}, 'refused'],
      ['421 greeting', async (io) => io.write('421 4.3.2 shutting down\r\n'), {}, 'refused'],
      ['malformed greeting', async (io) => io.write('+OK POP3 ready\r\n'), {}, 'protocol'],
      ['mixed codes', async (io) => io.write('220-mx\r\n250 other\r\n'), {}, 'protocol'],
      ['binary garbage', async (io) => io.write(Buffer.from([0, 1, 2, 0x0a])), {}, 'protocol'],
      ['silent server', async () => new Promise<void>((resolve) => setTimeout(resolve, 1500)), {}, 'timeout'],
      [
        'endless continuation lines',
        async (io) => {
          for (let i = 0; i < 300; i++) io.write('220-more\r\n');
          await new Promise<void>((resolve) => setTimeout(resolve, 1500));
        },
        {},
        'protocol',
      ],
      ['hang-up', async () => undefined, {}, 'protocol'],
      [
        'EHLO refused',
        async (io) => {
          greet(io);
          await answer(io, '502 5.5.1 no\r\n');
        },
        {},
        'refused',
      ],
      [
        'no AUTH offered',
        async (io) => {
          greet(io);
          await answer(io, '250-mx\r\n250 8BITMIME\r\n');
        },
        {},
        'protocol',
      ],
      [
        'master login refused',
        async (io) => {
          greet(io);
          await answer(io, EHLO_PLAIN, '535 5.7.8 Authentication failed\r\n');
        },
        {},
        'refused',
      ],
      [
        'temporary failure at login',
        async (io) => {
          greet(io);
          await answer(io, EHLO_PLAIN, '454 4.7.0 Temporary authentication failure\r\n');
        },
        {},
        'refused',
      ],
      [
        'a challenge where a verdict belongs',
        async (io) => {
          greet(io);
          await answer(io, EHLO_PLAIN, '334 \r\n');
        },
        {},
        'protocol',
      ],
      [
        'XCLIENT refused',
        async (io) => {
          greet(io);
          await answer(io, EHLO_DOVECOT, '550 5.7.14 You are not from trusted IP\r\n');
        },
        {},
        'refused',
      ],
      [
        'STARTTLS not offered',
        async (io) => {
          greet(io);
          await answer(io, EHLO_PLAIN);
        },
        { tls: 'starttls' },
        'protocol',
      ],
      [
        'STARTTLS refused',
        async (io) => {
          greet(io);
          await answer(io, '250-mx\r\n250 STARTTLS\r\n', '454 4.7.0 TLS not available\r\n');
        },
        { tls: 'starttls' },
        'refused',
      ],
      [
        'xclient mode without XCLIENT',
        async (io) => {
          greet(io);
          await answer(io, EHLO_PLAIN);
        },
        { login: 'xclient' },
        'protocol',
      ],
      [
        'no master credentials',
        async (io) => {
          greet(io);
          await answer(io, EHLO_PLAIN);
        },
        { masterPassword: undefined },
        'refused',
      ],
    ];
    for (const [name, script, extra, kind] of cases) {
      const { result } = await dialog(script, extra, CLIENT, 400);
      const started = Date.now();
      const err = await failure(result);
      expect({ name, kind: err.kind }).toEqual({ name, kind });
      expect(Date.now() - started).toBeLessThan(1500);
    }
  });

  it('never puts a password into an error message', async () => {
    const { result } = await dialog(
      async (io) => {
        io.write('220 mx\r\n');
        await answer(io, EHLO_PLAIN, '535 5.7.8 no\r\n');
      },
      { login: 'passthrough' },
      { ...CLIENT, password: 'client secret' },
    );
    const err = await failure(result);
    expect(err.message).not.toContain('client secret');
    expect(err.message).not.toContain(b64('\0alice@example.test\0client secret'));
  });
});

describe('SMTP upstream helpers', () => {
  it('xtext-encodes +, =, spaces, controls and UTF-8, and leaves the rest', () => {
    expect(xtext('alice@example.test')).toBe('alice@example.test');
    expect(xtext('a+b=c d\u0001')).toBe('a+2Bb+3Dc+20d+01');
    expect(xtext('é')).toBe('+C3+A9');
  });

  it('reads STARTTLS, AUTH and XCLIENT from an EHLO reply, keywords in any case', () => {
    expect(ehloFacts({ code: 250, lines: ['mx', 'starttls', 'Auth plain login', 'XCLIENT addr port'] })).toEqual({
      starttls: true,
      auth: ['PLAIN', 'LOGIN'],
      xclient: ['ADDR', 'PORT'],
    });
    // the first line is the server's name, never a keyword
    expect(ehloFacts({ code: 250, lines: ['STARTTLS'] })).toEqual({ starttls: false, auth: undefined, xclient: undefined });
  });
});
