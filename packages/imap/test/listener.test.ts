/** The handler behind the real @portcullis/listener: real STARTTLS and implicit TLS. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTlsMaterial, startListener, type RunningListener, type TlsMaterial } from '@portcullis/listener';
import { createImapHandler } from '../src/index.js';
import { TestClient } from './support/client.js';
import { FakeAuthenticator } from './support/fake-authenticator.js';

let dir: string;
let material: TlsMaterial;
const running: RunningListener[] = [];
const clients: TestClient[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'imap-listener-'));
  material = await ensureTlsMaterial({ cert: 'auto' }, dir, 'localhost');
});

afterAll(async () => {
  for (const c of clients) c.end();
  for (const l of running) await l.close(100);
  await rm(dir, { recursive: true, force: true });
});

async function listen(tlsMode: 'starttls' | 'implicit', auth: FakeAuthenticator): Promise<number> {
  const listener = await startListener(
    { service: 'imap', port: 0, tls: tlsMode },
    {
      handler: createImapHandler({ authenticator: auth, serverName: 'mail.example.test' }),
      logger: pino({ level: 'silent' }),
      tls: material,
    },
  );
  running.push(listener);
  return listener.port;
}

describe('behind startListener', () => {
  it('STARTTLS upgrades the link, drops STARTTLS from the capabilities and logs in securely', async () => {
    const auth = new FakeAuthenticator({ clearTextOnlySecure: true });
    const client = await TestClient.connect(await listen('starttls', auth));
    clients.push(client);
    const greeting = await client.line();
    expect(greeting).toContain(' STARTTLS');
    expect(greeting).not.toContain('AUTH=PLAIN');
    expect(await client.command('a', 'STARTTLS')).toEqual(['a OK Begin TLS negotiation now']);
    await client.startTls();
    const caps = await client.command('b', 'CAPABILITY');
    expect(caps[0]).not.toContain('STARTTLS');
    expect(caps[0]).toContain('AUTH=PLAIN');
    expect(await client.command('c', 'STARTTLS')).toEqual(['c BAD TLS is already active']);
    expect((await client.command('d', 'LOGIN alice secret')).at(-1)).toMatch(/^d OK \[CAPABILITY /);
    expect(auth.seen.find((s) => s.call === 'loginPlaintext')).toMatchObject({ secure: true, tls: true });
    expect(await client.command('e', 'LOGOUT')).toHaveLength(2);
    await client.closedByServer();
  });

  it('serves implicit TLS without STARTTLS', async () => {
    const client = await TestClient.connectTls(await listen('implicit', new FakeAuthenticator()));
    clients.push(client);
    const greeting = await client.line();
    expect(greeting).toMatch(/^\* OK \[CAPABILITY .*\] mail\.example\.test IMAP4rev1 ready$/);
    expect(greeting).not.toContain('STARTTLS');
    expect((await client.command('a', 'AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==')).at(-1)).toMatch(/^a OK /);
  });

  it('recovers from an over-long line and a refused literal', async () => {
    const client = await TestClient.connect(await listen('starttls', new FakeAuthenticator()));
    clients.push(client);
    await client.line();
    client.send(`a NOOP ${'x'.repeat(20000)}\r\n`);
    expect(await client.line()).toBe('* BAD line too long');
    client.send(`b LOGIN alice {70000+}\r\n${'y'.repeat(70000)}\r\n`);
    expect(await client.line()).toBe('b BAD [TOOBIG] literal too large');
    expect((await client.command('c', 'LOGIN alice secret')).at(-1)).toMatch(/^c OK /);
  });
});
