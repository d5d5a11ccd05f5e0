import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { FakeAuthenticator, PASSWORD } from './support/fake-authenticator.js';
import { PopClient } from './support/pop-client.js';
import { startPopServer, type TestServer } from './support/server.js';

let server: TestServer | undefined;
const clients: PopClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.close();
  server = undefined;
});

async function connect(
  opts: { maxBadCommands?: number; idleTimeoutMs?: number; throwOnLogin?: boolean } = {},
): Promise<PopClient> {
  server ??= await startPopServer(
    {
      authenticator: new FakeAuthenticator({ throwOnLogin: opts.throwOnLogin }),
      serverName: 'pop.test',
      maxBadCommands: opts.maxBadCommands,
    },
    opts.idleTimeoutMs ? { idleTimeoutMs: opts.idleTimeoutMs } : {},
  );
  const client = await PopClient.connect(server.port);
  clients.push(client);
  await client.line();
  return client;
}

describe('robustness', () => {
  it('answers an over-long line and keeps going', async () => {
    const c = await connect();
    expect(await c.command(`USER ${'x'.repeat(20000)}`)).toBe('-ERR line too long');
    expect(await c.command('USER alice')).toMatch(/^\+OK/);
    expect(await c.command(`PASS ${PASSWORD}`)).toMatch(/^\+OK/);
  });

  it('refuses NUL bytes, bad UTF-8, empty lines and unknown commands', async () => {
    const c = await connect();
    c.send(Buffer.from('USER al\0ice\r\n'));
    expect(await c.line()).toBe('-ERR NUL bytes are not allowed');
    c.send(Buffer.from([0x50, 0x41, 0x53, 0x53, 0x20, 0xc3, 0x28, 0x0d, 0x0a]));
    expect(await c.line()).toBe('-ERR command is not valid UTF-8');
    expect(await c.command('')).toBe('-ERR empty command');
    expect(await c.command('FROB')).toBe('-ERR unknown command');
    expect(await c.command('STAT')).toBe('-ERR not valid before login');
    expect(await c.command('USER')).toMatch(/^-ERR/);
  });

  it('closes after too many bad commands', async () => {
    const c = await connect({ maxBadCommands: 3 });
    for (let i = 0; i < 3; i++) expect(await c.command('FROB')).toBe('-ERR unknown command');
    expect(await c.command('FROB')).toBe('-ERR too many bad commands');
    expect(await c.closedByServer()).toBe(true);
  });

  it('does not count failed logins as bad commands', async () => {
    const c = await connect({ maxBadCommands: 1 });
    for (let i = 0; i < 3; i++) {
      await c.command('USER alice');
      expect(await c.command('PASS wrong')).toMatch(/^-ERR \[AUTH\]/);
    }
    await c.command('USER alice');
    expect(await c.command(`PASS ${PASSWORD}`)).toMatch(/^\+OK/);
  });

  it('says autologout and closes an idle connection', async () => {
    const c = await connect({ idleTimeoutMs: 200 });
    expect(await c.line()).toBe('-ERR autologout');
    expect(await c.closedByServer()).toBe(true);
  });

  it('survives abrupt disconnects mid-exchange and serves the next client', async () => {
    const first = await connect();
    first.send('AUTH LOGIN');
    expect(await first.line()).toMatch(/^\+ /);
    first.close();
    const second = await connect();
    second.send(Buffer.from('USER alice\r\nPASS ' + PASSWORD.slice(0, 2)));
    expect(await second.line()).toMatch(/^\+OK/);
    second.close();
    const third = await connect();
    await third.command('USER alice');
    expect(await third.command(`PASS ${PASSWORD}`)).toMatch(/^\+OK/);
  });

  it('answers pipelined garbage line by line without dying', async () => {
    const c = await connect({ maxBadCommands: 1000 });
    const junk: Buffer[] = [];
    for (let i = 0; i < 50; i++) {
      junk.push(Buffer.from(randomBytes(20).map((x) => (x === 0x0a || x === 0x0d ? 0x41 : x))), Buffer.from('\r\n'));
    }
    c.send(Buffer.concat(junk));
    for (let i = 0; i < 50; i++) expect(await c.line()).toMatch(/^(-ERR|\+OK)/);
    expect(await c.command('QUIT')).toMatch(/^\+OK/);
  });

  it('answers an authenticator crash with [SYS/TEMP], closes, and keeps serving', async () => {
    const c = await connect({ throwOnLogin: true });
    await c.command('USER alice');
    expect(await c.command(`PASS ${PASSWORD}`)).toBe('-ERR [SYS/TEMP] internal server error');
    expect(await c.closedByServer()).toBe(true);
    const next = await connect();
    expect(await next.command('CAPA')).toMatch(/^\+OK/);
    expect(server?.logs.join('\n')).not.toContain(PASSWORD);
  });
});
