/** The login path's relay hook, behind the real listener, with a real TCP peer as the upstream. */
import net from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startListener, type RunningListener } from '@portcullis/listener';
import type { RelayClient, RelayHook, RelayLogin } from '@portcullis/relay';
import { createImapHandler } from '../src/index.js';
import { TestClient } from './support/client.js';
import { FakeAuthenticator } from './support/fake-authenticator.js';

const running: RunningListener[] = [];
const clients: TestClient[] = [];
const servers: net.Server[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.end();
  for (const l of running.splice(0)) await l.close(100);
  for (const s of servers.splice(0)) s.close();
});

async function listen(relay: RelayHook): Promise<number> {
  const listener = await startListener(
    { service: 'imap', port: 0 },
    {
      handler: createImapHandler({ authenticator: new FakeAuthenticator(), serverName: 'mail.example.test', relay }),
      logger: pino({ level: 'silent' }),
    },
  );
  running.push(listener);
  return listener.port;
}

/** an "upstream" that answers each line with UP:<line>, already connected (as after its login) */
async function upstreamSocket(): Promise<net.Socket> {
  const server = net.createServer((s) => {
    s.write('* upstream says hello\r\n');
    let buf = '';
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      let lf: number;
      while ((lf = buf.indexOf('\n')) >= 0) {
        s.write(`UP:${buf.slice(0, lf).replace(/\r$/, '')}\r\n`);
        buf = buf.slice(lf + 1);
      }
    });
    s.on('error', () => undefined);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const socket = net.connect({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port });
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  socket.pause();
  return socket;
}

describe('IMAP login with a relay hook', () => {
  it('relay: OK with the upstream capabilities, then bytes flow both ways; the hook sees who logged in and the password after LOGIN', async () => {
    const calls: { login: RelayLogin; client: RelayClient }[] = [];
    const port = await listen(async (service, login, client) => {
      calls.push({ login, client });
      expect(service).toBe('imap');
      const socket = await upstreamSocket();
      return {
        kind: 'relay',
        upstream: { socket, leftover: Buffer.from('* leftover\r\n'), capabilities: ['IMAP4rev1', 'UPSTREAMCAP'], host: '127.0.0.1', port: 1 },
        timeouts: { idleTimeoutMs: 5000, totalTimeoutMs: 0 },
      };
    });
    const client = await TestClient.connect(port);
    clients.push(client);
    await client.line();
    expect((await client.command('a', 'LOGIN alice secret')).at(-1)).toBe('a OK [CAPABILITY IMAP4rev1 UPSTREAMCAP] LOGIN completed');
    expect(await client.line()).toBe('* leftover');
    expect(await client.line()).toBe('* upstream says hello');
    client.send('b NOOP\r\n');
    expect(await client.line()).toBe('UP:b NOOP');
    expect(calls[0]?.client).toMatchObject({ account: calls[0]?.login.authzid, clientAddress: '127.0.0.1', loginName: 'alice', password: 'secret' });
  });

  it('closes the upstream when the client left while it was being reached', async () => {
    let upstream: net.Socket | undefined;
    let clientGone!: () => void;
    const gone = new Promise<void>((resolve) => (clientGone = resolve));
    const port = await listen(async () => {
      await gone;
      // give the listener a moment to notice the close
      await new Promise((resolve) => setTimeout(resolve, 100));
      upstream = await upstreamSocket();
      return { kind: 'relay', upstream: { socket: upstream, leftover: Buffer.alloc(0), host: '127.0.0.1', port: 1 }, timeouts: { idleTimeoutMs: 0, totalTimeoutMs: 0 } };
    });
    const raw = net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve) => raw.once('data', () => resolve()));
    raw.write('a LOGIN alice secret\r\n');
    await new Promise((resolve) => setTimeout(resolve, 100));
    // gone for good (a reset, not a half-close): the gateway side of the connection is closed
    raw.resetAndDestroy();
    clientGone();
    const deadline = Date.now() + 3000;
    while (!upstream?.destroyed && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(upstream?.destroyed).toBe(true);
  });

  it('unavailable: NO [UNAVAILABLE], the session stays usable and not logged in', async () => {
    const port = await listen(async () => ({ kind: 'unavailable', reason: 'down' }));
    const client = await TestClient.connect(port);
    clients.push(client);
    await client.line();
    expect((await client.command('a', 'LOGIN alice secret')).at(-1)).toMatch(/^a NO \[UNAVAILABLE\] /);
    expect(await client.command('b', 'SELECT INBOX')).toEqual(['b BAD SELECT is valid only after login']);
  });

  it('builtin: the built-in session as without a hook; AUTHENTICATE PLAIN and LOGIN hand on the password too', async () => {
    const clientsSeen: RelayClient[] = [];
    const port = await listen(async (_s, _l, c) => {
      clientsSeen.push(c);
      return { kind: 'builtin' };
    });
    const client = await TestClient.connect(port);
    clients.push(client);
    await client.line();
    const plain = Buffer.from('\0alice\0secret').toString('base64');
    expect((await client.command('a', `AUTHENTICATE PLAIN ${plain}`)).at(-1)).toMatch(/^a OK \[CAPABILITY /);
    expect((await client.command('b', 'SELECT INBOX')).at(-1)).toMatch(/^b OK/);
    expect(clientsSeen[0]).toMatchObject({ loginName: 'alice', password: 'secret' });
    const second = await TestClient.connect(port);
    clients.push(second);
    await second.line();
    second.send('c AUTHENTICATE LOGIN\r\n');
    await second.line();
    second.send(`${Buffer.from('alice').toString('base64')}\r\n`);
    await second.line();
    second.send(`${Buffer.from('secret').toString('base64')}\r\n`);
    expect((await second.until('c')).at(-1)).toMatch(/^c OK/);
    expect(clientsSeen[1]).toMatchObject({ loginName: 'alice', password: 'secret' });
  });
});
