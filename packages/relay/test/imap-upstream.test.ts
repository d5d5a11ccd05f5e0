import net from 'node:net';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { connectUpstream, proxyHeaderFor } from '../src/connect-upstream.js';
import { imapIdParams, imapUpstream, parseCapabilities } from '../src/imap-upstream.js';
import { UpstreamError, type RelayClient, type UpstreamTarget } from '../src/types.js';
import { connectTo, readUntil, scriptedServer, testCertificate, type ScriptedServer } from './support/scripted-server.js';

const CLIENT: RelayClient = {
  account: 'alice@example.test',
  clientAddress: '192.0.2.7',
  clientPort: 50123,
  localAddress: '127.0.0.1',
  localPort: 143,
};
const MASTER = 'master-pw-"x\\';
const POST_LOGIN_CAPS = 'IMAP4rev1 SASL-IR SORT THREAD=REFERENCES IDLE';

function target(port: number, extra: Partial<UpstreamTarget> = {}): UpstreamTarget {
  return { host: '127.0.0.1', port, tls: 'none', login: 'master', authMechanism: 'PLAIN', masterUser: 'master', masterPassword: MASTER, ...extra };
}

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function track(s: Promise<ScriptedServer>): Promise<ScriptedServer> {
  const server = await s;
  servers.push(server);
  return server;
}

/** a Dovecot-like upstream: greeting with capabilities, ID, AUTHENTICATE PLAIN with SASL-IR */
async function goodUpstream(options: { starttls?: boolean; after?: string } = {}): Promise<ScriptedServer> {
  return track(
    scriptedServer(async (io) => {
      io.write(`* OK [CAPABILITY IMAP4rev1 SASL-IR ID${options.starttls ? ' STARTTLS LOGINDISABLED' : ''} AUTH=PLAIN] ready\r\n`);
      if (options.starttls) {
        const st = await io.line();
        io.write(`${st.split(' ')[0]} OK begin TLS\r\n`);
        await io.startTls();
        const cap = await io.line();
        io.write(`* CAPABILITY IMAP4rev1 SASL-IR ID AUTH=PLAIN\r\n${cap.split(' ')[0]} OK done\r\n`);
      }
      const id = await io.line();
      io.write(`* ID ("name" "Dovecot")\r\n${id.split(' ')[0]} OK ID completed\r\n`);
      const auth = await io.line();
      const tag = auth.split(' ')[0];
      // the client's next command may arrive in the same packet as the login reply
      io.write(`${tag} OK [CAPABILITY ${POST_LOGIN_CAPS}] Logged in\r\n${options.after ?? ''}`);
      await io.line();
    }),
  );
}

describe('imapUpstream', () => {
  it('sends ID with the client address, logs in as the account with the master credentials, returns the capabilities', async () => {
    const server = await goodUpstream({ after: '* 3 EXISTS\r\n' });
    const socket = await connectTo(server.port);
    const session = await imapUpstream(socket, target(server.port), CLIENT, 5000);
    expect(session.capabilities).toEqual(POST_LOGIN_CAPS.split(' '));
    const [id, auth] = server.received;
    expect(id).toMatch(/^R\d+ ID \(/);
    expect(id).toContain('"x-originating-ip" "192.0.2.7"');
    expect(id).toContain('"x-originating-port" "50123"');
    expect(id).toContain('"x-connected-ip" "127.0.0.1"');
    const b64 = auth!.split(' ')[3]!;
    expect(auth).toMatch(/^R\d+ AUTHENTICATE PLAIN /);
    expect(Buffer.from(b64, 'base64').toString()).toBe(`alice@example.test\0master\0${MASTER}`);
    // bytes after the login reply are handed on, not lost
    const got = await readUntil(socket, '* 3 EXISTS', session.leftover);
    expect(got).toContain('* 3 EXISTS');
    socket.write('x LOGOUT\r\n');
    await server.done;
    socket.destroy();
  });

  it('starts TLS first when asked and verifies the upstream with the given CA', async () => {
    const server = await goodUpstream({ starttls: true });
    const socket = await connectTo(server.port);
    const session = await imapUpstream(socket, target(server.port, { tls: 'starttls', ca: testCertificate().cert }), CLIENT, 5000);
    expect(session.socket).toBeInstanceOf(tls.TLSSocket);
    expect(server.received[0]).toMatch(/^R\d+ STARTTLS$/);
    session.socket.destroy();
  });

  it('refuses an upstream whose certificate the CA does not vouch for', async () => {
    const server = await goodUpstream({ starttls: true });
    const socket = await connectTo(server.port);
    const err = await imapUpstream(socket, target(server.port, { tls: 'starttls' }), CLIENT, 5000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).kind).toBe('protocol');
    socket.destroy();
  });

  it('reports a refused master login as refused, without the password in the message', async () => {
    const server = await track(
      scriptedServer(async (io) => {
        io.write('* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready\r\n');
        const auth = await io.line();
        io.write(`${auth.split(' ')[0]} NO [AUTHENTICATIONFAILED] Authentication failed.\r\n`);
        await io.line().catch(() => undefined);
      }),
    );
    const socket = await connectTo(server.port);
    const err = (await imapUpstream(socket, target(server.port), CLIENT, 5000).catch((e: unknown) => e)) as UpstreamError;
    expect(err.kind).toBe('refused');
    expect(err.message).toContain('AUTHENTICATIONFAILED');
    expect(err.message).not.toContain(MASTER);
    socket.destroy();
  });

  it('passthrough LOGIN without AUTH=LOGIN uses the LOGIN command with quoted strings, no ID without the capability', async () => {
    const server = await track(
      scriptedServer(async (io) => {
        io.write('* OK [CAPABILITY IMAP4rev1] ready\r\n');
        const login = await io.line();
        io.write(`${login.split(' ')[0]} OK [CAPABILITY IMAP4rev1 IDLE] Logged in\r\n`);
        await io.line().catch(() => undefined);
      }),
    );
    const socket = await connectTo(server.port);
    const client = { ...CLIENT, loginName: 'alice', password: 'pa"ss' };
    const session = await imapUpstream(socket, target(server.port, { login: 'passthrough', authMechanism: 'LOGIN' }), client, 5000);
    expect(server.received).toEqual(['R1 LOGIN "alice" "pa\\"ss"']);
    expect(session.capabilities).toEqual(['IMAP4rev1', 'IDLE']);
    socket.destroy();
  });

  it('asks for CAPABILITY when the greeting has none, and AUTHENTICATE PLAIN without SASL-IR waits for +', async () => {
    const server = await track(
      scriptedServer(async (io) => {
        io.write('* OK ready\r\n');
        const cap = await io.line();
        io.write(`* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n${cap.split(' ')[0]} OK done\r\n`);
        const auth = await io.line();
        io.write('+ \r\n');
        await io.line();
        io.write(`${auth.split(' ')[0]} OK Logged in\r\n`);
        const cap2 = await io.line();
        io.write(`* CAPABILITY IMAP4rev1 CHILDREN\r\n${cap2.split(' ')[0]} OK done\r\n`);
        await io.line().catch(() => undefined);
      }),
    );
    const socket = await connectTo(server.port);
    const session = await imapUpstream(socket, target(server.port), CLIENT, 5000);
    expect(server.received[1]).toBe('R2 AUTHENTICATE PLAIN');
    expect(Buffer.from(server.received[2]!, 'base64').toString()).toBe(`alice@example.test\0master\0${MASTER}`);
    expect(session.capabilities).toEqual(['IMAP4rev1', 'CHILDREN']);
    socket.destroy();
  });

  it('times out on a silent upstream and rejects a BYE greeting', async () => {
    const silent = await track(scriptedServer(() => new Promise((resolve) => setTimeout(resolve, 3000))));
    const s1 = await connectTo(silent.port);
    const started = Date.now();
    const err = (await imapUpstream(s1, target(silent.port), CLIENT, 300).catch((e: unknown) => e)) as UpstreamError;
    expect(err.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2000);
    s1.destroy();
    const bye = await track(scriptedServer(async (io) => io.write('* BYE too many connections\r\n')));
    const s2 = await connectTo(bye.port);
    expect(((await imapUpstream(s2, target(bye.port), CLIENT, 2000).catch((e: unknown) => e)) as UpstreamError).kind).toBe('refused');
    s2.destroy();
  });
});

describe('connectUpstream', () => {
  it('tries the targets in order, reporting each failure, and uses the first that logs in', async () => {
    const dead = net.createServer();
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const deadPort = (dead.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    const server = await goodUpstream();
    const failed: string[] = [];
    const session = await connectUpstream('imap', [target(deadPort), target(server.port)], CLIENT, {
      dialogs: { imap: imapUpstream },
      connectTimeoutMs: 2000,
      loginTimeoutMs: 2000,
      onTargetFailed: (t, e) => failed.push(`${t.port}:${e.kind}`),
    });
    expect(session.port).toBe(server.port);
    expect(failed).toEqual([`${deadPort}:unreachable`]);
    session.socket.destroy();
  });

  it('rejects with the last error when every target fails', async () => {
    const err = (await connectUpstream('imap', [], CLIENT, { dialogs: { imap: imapUpstream }, connectTimeoutMs: 100, loginTimeoutMs: 100 }).catch(
      (e: unknown) => e,
    )) as UpstreamError;
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err.kind).toBe('unreachable');
  });

  it('sends a PROXY v2 header with the client address first in proxy mode, then TLS (implicit) and the dialog', async () => {
    const { cert, key } = testCertificate();
    let header: Buffer | undefined;
    const server = net.createServer((raw) => {
      raw.once('readable', () => {
        const expected = proxyHeaderFor(CLIENT).length;
        header = raw.read(expected) as Buffer;
        const secure = new tls.TLSSocket(raw, { isServer: true, cert, key });
        secure.write('* OK [CAPABILITY IMAP4rev1 SASL-IR] ready\r\n');
        secure.on('data', (d: Buffer) => {
          const tag = d.toString().split(' ')[0];
          secure.write(`${tag} OK [CAPABILITY IMAP4rev1] Logged in\r\n`);
        });
        secure.on('error', () => undefined);
      });
    });
    servers.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const session = await connectUpstream('imap', [target(port, { login: 'proxy', tls: 'implicit', ca: cert })], CLIENT, {
      dialogs: { imap: imapUpstream },
      connectTimeoutMs: 2000,
      loginTimeoutMs: 2000,
    });
    expect(header?.equals(proxyHeaderFor(CLIENT))).toBe(true);
    // v2 signature, PROXY command, TCP over IPv4, then 192.0.2.7
    expect(header!.subarray(12, 14)).toEqual(Buffer.from([0x21, 0x11]));
    expect([...header!.subarray(16, 20)]).toEqual([192, 0, 2, 7]);
    expect(session.socket).toBeInstanceOf(tls.TLSSocket);
    session.socket.destroy();
  });

  it('refuses passthrough without a cleartext password before connecting', async () => {
    const err = (await connectUpstream('imap', [target(1, { login: 'passthrough' })], CLIENT, {
      dialogs: { imap: imapUpstream },
      connectTimeoutMs: 100,
      loginTimeoutMs: 100,
    }).catch((e: unknown) => e)) as UpstreamError;
    expect(err.kind).toBe('refused');
  });
});

describe('helpers', () => {
  it('parses capabilities from a response code and from an untagged response', () => {
    expect(parseCapabilities('a OK [CAPABILITY IMAP4rev1 IDLE] Logged in')).toEqual(['IMAP4rev1', 'IDLE']);
    expect(parseCapabilities('* CAPABILITY IMAP4rev1 SORT')).toEqual(['IMAP4rev1', 'SORT']);
    expect(parseCapabilities('a OK done')).toBeUndefined();
  });
  it('quotes ID values', () => {
    expect(imapIdParams({ ...CLIENT, clientAddress: '2001:db8::1' })).toContain('"x-originating-ip" "2001:db8::1"');
  });
});
