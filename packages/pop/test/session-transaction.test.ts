import { afterEach, describe, expect, it } from 'vitest';
import { FakeAuthenticator, PASSWORD } from './support/fake-authenticator.js';
import { PopClient } from './support/pop-client.js';
import { startPopServer, type TestServer } from './support/server.js';

let server: TestServer | undefined;
let client: PopClient | undefined;

afterEach(async () => {
  client?.close();
  await server?.close();
});

async function loggedIn(): Promise<PopClient> {
  server = await startPopServer({ authenticator: new FakeAuthenticator(), serverName: 'pop.test' });
  client = await PopClient.connect(server.port);
  await client.line();
  await client.command('USER alice');
  expect(await client.command(`PASS ${PASSWORD}`)).toMatch(/^\+OK/);
  return client;
}

describe('TRANSACTION with the built-in empty maildrop', () => {
  it('STAT, LIST and UIDL show no messages', async () => {
    const c = await loggedIn();
    expect(await c.command('STAT')).toBe('+OK 0 0');
    expect(await c.multi('LIST')).toEqual({ status: '+OK 0 messages (0 octets)', lines: [] });
    expect(await c.multi('uidl')).toEqual({ status: '+OK 0 messages (0 octets)', lines: [] });
  });

  it('message commands answer no such message', async () => {
    const c = await loggedIn();
    for (const cmd of ['LIST 1', 'UIDL 1', 'RETR 1', 'DELE 1', 'TOP 1 10', 'top 1 0']) {
      expect(await c.command(cmd)).toBe('-ERR no such message');
    }
  });

  it('malformed message numbers are refused', async () => {
    const c = await loggedIn();
    for (const cmd of ['RETR', 'RETR x', 'LIST 0', 'DELE -1', 'TOP 1', 'TOP 1 x', 'LIST 1 2']) {
      expect(await c.command(cmd)).toBe('-ERR invalid message number');
    }
  });

  it('NOOP and RSET succeed', async () => {
    const c = await loggedIn();
    expect(await c.command('NOOP')).toBe('+OK');
    expect(await c.command('RSET')).toMatch(/^\+OK/);
  });

  it('login commands are refused once logged in', async () => {
    const c = await loggedIn();
    expect(await c.command('USER alice')).toBe('-ERR already logged in');
    expect(await c.command('AUTH PLAIN')).toBe('-ERR already logged in');
    expect(await c.command('STLS')).toBe('-ERR already logged in');
  });

  it('QUIT enters UPDATE, signs off and closes', async () => {
    const c = await loggedIn();
    expect(await c.command('QUIT')).toBe('+OK pop.test POP3 server signing off');
    expect(await c.closedByServer()).toBe(true);
  });

  it('QUIT before login signs off too', async () => {
    server = await startPopServer({ authenticator: new FakeAuthenticator(), serverName: 'pop.test' });
    client = await PopClient.connect(server.port);
    await client.line();
    expect(await client.command('quit')).toBe('+OK pop.test POP3 server signing off');
    expect(await client.closedByServer()).toBe(true);
  });

  it('answers pipelined commands in order', async () => {
    const c = await loggedIn();
    c.send(Buffer.from('STAT\r\nNOOP\r\nRETR 1\r\nQUIT\r\n'));
    expect([await c.line(), await c.line(), await c.line(), await c.line()]).toEqual([
      '+OK 0 0',
      '+OK',
      '-ERR no such message',
      '+OK pop.test POP3 server signing off',
    ]);
  });
});
