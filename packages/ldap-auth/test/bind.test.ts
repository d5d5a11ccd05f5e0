import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { effectiveAccountSettings, type PasswordCheckRequest } from '@portcullis/auth-core';
import { createUriPasswordChecker, simpleBind } from '../src/index.js';

/**
 * A stand-in LDAP server that records each bind request and answers with a chosen result code
 * (hand-built BER: the point is to see exactly what goes on the wire), or never answers.
 */
interface FakeServer {
  port: number;
  binds: Buffer[];
  connections: number;
  close(): Promise<void>;
}

function bindResponse(messageId: number, code: number): Buffer {
  return Buffer.from([0x30, 0x0c, 0x02, 0x01, messageId, 0x61, 0x07, 0x0a, 0x01, code, 0x04, 0x00, 0x04, 0x00]);
}

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function fakeServer(answer: number | 'silent'): Promise<FakeServer> {
  const sockets = new Set<net.Socket>();
  const state = { binds: [] as Buffer[], connections: 0 };
  const server = net.createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('data', (data) => {
      // 0x60: the BindRequest application tag after the message id
      if (data[0] === 0x30 && data.includes(0x60)) {
        state.binds.push(data);
        if (answer !== 'silent') socket.write(bindResponse(data[4]!, answer));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const fake: FakeServer = {
    port: (server.address() as net.AddressInfo).port,
    get binds() {
      return state.binds;
    },
    get connections() {
      return state.connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  servers.push(fake);
  return fake;
}

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

function request(uri: string | undefined, tag?: string): PasswordCheckRequest {
  return {
    account: { name: 'joe', domain: 'example.test', settings: {} },
    address: 'joe@example.test',
    settings: effectiveAccountSettings(uri === undefined ? {} : { authenticationURI: uri }, null, null),
    tag,
    conn: { id: 'c1', service: 'imap', secure: false, remoteAddress: '127.0.0.1', remotePort: 5000, localAddress: '127.0.0.1', localPort: 143, serverName: 'x.test' },
  };
}

const quick = { connectTimeoutMs: 1000, timeoutMs: 1000 };

describe('simpleBind', () => {
  it('sends the bind name as built and maps the result code', async () => {
    const ok = await fakeServer(0);
    const r = await simpleBind({ url: `ldap://127.0.0.1:${ok.port}`, bindName: 'EXAMPLE\\joe', password: 'pw', ...quick });
    expect(r).toEqual({ ok: true });
    expect(ok.binds).toHaveLength(1);
    expect(ok.binds[0]!.includes(Buffer.from('EXAMPLE\\joe'))).toBe(true);

    const bad = await fakeServer(49);
    expect(await simpleBind({ url: `ldap://127.0.0.1:${bad.port}`, bindName: 'joe@example.test', password: 'pw', ...quick })).toMatchObject({
      ok: false,
      reason: 'invalid-credentials',
    });
  });

  it('never sends an empty password (an unauthenticated bind would succeed)', async () => {
    const ok = await fakeServer(0);
    const r = await simpleBind({ url: `ldap://127.0.0.1:${ok.port}`, bindName: 'uid=joe,dc=x', password: '', ...quick });
    expect(r.ok).toBe(false);
    expect(ok.connections).toBe(0);
  });

  it('an unreachable server is a prompt failure', async () => {
    const port = await closedPort();
    const started = Date.now();
    const r = await simpleBind({ url: `ldap://127.0.0.1:${port}`, bindName: 'uid=joe,dc=x', password: 'pw', ...quick });
    expect(r).toMatchObject({ ok: false, reason: 'error' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a server that never answers fails after the time-out, not later', async () => {
    const silent = await fakeServer('silent');
    const started = Date.now();
    const r = await simpleBind({ url: `ldap://127.0.0.1:${silent.port}`, bindName: 'uid=joe,dc=x', password: 'pw', connectTimeoutMs: 500, timeoutMs: 500 });
    expect(r).toMatchObject({ ok: false, reason: 'error' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(Date.now() - started).toBeLessThan(2500);
  });
});

describe('createUriPasswordChecker', () => {
  it('is on for an account with an authenticationURI, except tagged logins, and gives no clear secret', () => {
    const checker = createUriPasswordChecker();
    expect(checker.source).toBe('uri');
    expect(checker.enabled(request('ldap://h/*'))).toBe(true);
    expect(checker.enabled(request(undefined))).toBe(false);
    expect(checker.enabled(request(' '))).toBe(false);
    expect(checker.enabled(request('ldap://h/*', 'phone'))).toBe(false);
    expect(checker.clearSecret(request('ldap://h/*'))).toBeNull();
  });

  it('binds with the name built from the URI and the password given', async () => {
    const ok = await fakeServer(0);
    const checker = createUriPasswordChecker(quick);
    expect(await checker.verify(request(`ldap://127.0.0.1:${ok.port}/*@^0`), 'pw')).toBe(true);
    expect(ok.binds[0]!.includes(Buffer.from('joe@example.test'))).toBe(true);
    const bad = await fakeServer(49);
    expect(await checker.verify(request(`ldap://127.0.0.1:${bad.port}/uid=*,dc=example,dc=test`), 'pw')).toBe(false);
  });

  it('a bad URI is a refused check', async () => {
    const warned: string[] = [];
    const logger = { info: () => undefined, debug: () => undefined, warn: (_o: object, m?: string) => void warned.push(m ?? '') };
    const checker = createUriPasswordChecker({ ...quick, logger });
    expect(await checker.verify(request('ldap://nohost'), 'pw')).toBe(false);
    expect(warned).toEqual(['bad authenticationURI']);
  });
});
