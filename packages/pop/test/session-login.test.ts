import { createHash, createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeAuthenticator, PASSWORD, SERVER_FINAL, TIMESTAMP, type FakeAuthOptions } from './support/fake-authenticator.js';
import { PopClient } from './support/pop-client.js';
import { startPopServer, testTlsMaterial, type TestServer } from './support/server.js';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

let server: TestServer | undefined;
const clients: PopClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.close();
  server = undefined;
});

async function connect(
  auth: FakeAuthOptions = {},
  extra: { tls?: boolean; maxBadCommands?: number } = {},
): Promise<{ client: PopClient; greeting: string; fake: FakeAuthenticator; srv: TestServer }> {
  const fake = new FakeAuthenticator(auth);
  server = await startPopServer(
    { authenticator: fake, serverName: 'pop.test', maxBadCommands: extra.maxBadCommands },
    extra.tls ? { tls: await testTlsMaterial() } : {},
  );
  const client = await PopClient.connect(server.port);
  clients.push(client);
  const greeting = await client.line();
  return { client, greeting, fake, srv: server };
}

describe('greeting and client addresses', () => {
  it('greets without a timestamp when APOP is not advertised', async () => {
    const { greeting } = await connect({ apop: false });
    expect(greeting).toBe('+OK pop.test POP3 ready');
  });

  it('puts the APOP timestamp at the end of the greeting', async () => {
    const { greeting } = await connect({ apop: true });
    expect(greeting).toBe(`+OK pop.test POP3 ready ${TIMESTAMP}`);
  });

  it('refuses a non-client address with -ERR and closes', async () => {
    const { client, greeting } = await connect({ refuseClients: true });
    expect(greeting).toBe('-ERR logins from this address are prohibited');
    expect(await client.closedByServer()).toBe(true);
  });
});

describe('CAPA', () => {
  it('lists USER, SASL and the fixed capabilities', async () => {
    const { client } = await connect({ clearText: true, mechanisms: ['CRAM-MD5', 'PLAIN'] });
    const { status, lines } = await client.multi('CAPA');
    expect(status).toMatch(/^\+OK/);
    expect(lines).toEqual([
      'USER',
      'SASL CRAM-MD5 PLAIN',
      'RESP-CODES',
      'AUTH-RESP-CODE',
      'PIPELINING',
      'UIDL',
      'IMPLEMENTATION Portcullis',
    ]);
  });

  it('leaves out USER without CLRTXT and SASL without mechanisms', async () => {
    const { client } = await connect({ clearText: false, mechanisms: [] });
    const { lines } = await client.multi('capa');
    expect(lines).not.toContain('USER');
    expect(lines.some((l) => l.startsWith('SASL'))).toBe(false);
    expect(lines).toContain('RESP-CODES');
  });

  it('advertises STLS only while STARTTLS is possible', async () => {
    const plain = await connect();
    expect((await plain.client.multi('CAPA')).lines).not.toContain('STLS');
    expect(await plain.client.command('STLS')).toMatch(/^-ERR/);
    await server?.close();

    const { client, fake } = await connect({}, { tls: true });
    expect((await client.multi('CAPA')).lines).toContain('STLS');
    expect(await client.command('STLS')).toBe('+OK Begin TLS negotiation');
    await client.startTls();
    const after = await client.multi('CAPA');
    expect(after.lines).not.toContain('STLS');
    expect(await client.command('STLS')).toMatch(/^-ERR/);
    // the session rebuilt its ConnectionInfo: the authenticator now sees a secure link
    expect(fake.infos.at(0)?.secure).toBe(false);
    expect(fake.infos.at(-1)?.secure).toBe(true);
    expect(await client.command('USER insecure')).toMatch(/^\+OK/);
    expect(await client.command('PASS whatever')).toMatch(/^\+OK/);
  });

  it('lists no login capabilities after login', async () => {
    const { client } = await connect();
    await client.command('USER alice');
    await client.command(`PASS ${PASSWORD}`);
    const { lines } = await client.multi('CAPA');
    expect(lines).not.toContain('USER');
    expect(lines.some((l) => l.startsWith('SASL'))).toBe(false);
    expect(lines).toContain('UIDL');
  });
});

describe('USER / PASS', () => {
  it('logs in with the right password and marks the connection logged in', async () => {
    const { client, srv } = await connect();
    expect(await client.command('USER alice')).toMatch(/^\+OK/);
    expect(await client.command(`PASS ${PASSWORD}`)).toMatch(/^\+OK alice@pop\.test/);
    expect(srv.connections[0]?.loggedIn).toBe(true);
    const login = srv.logs.find((l) => l.includes('"pop login"'));
    expect(login).toContain('alice@pop.test');
    expect(login).toContain('"mechanism":"USER"');
  });

  it('is accepted even when CLRTXT is not advertised', async () => {
    const { client } = await connect({ clearText: false });
    await client.command('USER alice');
    expect(await client.command(`PASS ${PASSWORD}`)).toMatch(/^\+OK/);
  });

  it('answers a wrong password with [AUTH] and stays in AUTHORIZATION', async () => {
    const { client, srv } = await connect();
    await client.command('USER alice');
    expect(await client.command('PASS wrong')).toBe('-ERR [AUTH] incorrect account name or password');
    expect(await client.command('STAT')).toMatch(/^-ERR/);
    expect(srv.connections[0]?.loggedIn).toBe(false);
    await client.command('USER alice');
    expect(await client.command(`PASS ${PASSWORD}`)).toMatch(/^\+OK/);
    expect(await client.command('STAT')).toBe('+OK 0 0');
  });

  it('passes the whole rest of the line as the password, spaces included', async () => {
    const { client, fake } = await connect({ password: 'two words ' });
    await client.command('USER alice');
    expect(await client.command('PASS two words ')).toMatch(/^\+OK/);
    expect(fake.plaintextLogins.at(-1)?.password).toBe('two words ');
  });

  it('refuses PASS without USER, and USER not directly before PASS', async () => {
    const { client } = await connect();
    expect(await client.command(`PASS ${PASSWORD}`)).toMatch(/^-ERR/);
    await client.command('USER alice');
    await client.multi('CAPA');
    expect(await client.command(`PASS ${PASSWORD}`)).toMatch(/^-ERR/);
  });

  it('maps each failure to its response code', async () => {
    const { client } = await connect();
    const attempt = async (user: string): Promise<string> => {
      await client.command(`USER ${user}`);
      return client.command('PASS x');
    };
    expect(await attempt('nobody')).toBe('-ERR [AUTH] unknown account');
    expect(await attempt('locked')).toBe('-ERR [AUTH] account is temporarily locked');
    expect(await attempt('broken')).toBe('-ERR [SYS/TEMP] password backend unavailable');
    expect(await attempt('insecure')).toBe('-ERR [AUTH] use a secure method');
    expect(await attempt('blocked')).toBe('-ERR logins from this address are prohibited');
    expect(await client.closedByServer()).toBe(true);
  });

  it('never logs a password', async () => {
    const { client, srv } = await connect();
    await client.command('USER alice');
    await client.command('PASS hunter2-wrong');
    await client.command('USER alice');
    await client.command(`PASS ${PASSWORD}`);
    const all = srv.logs.join('\n');
    expect(all).toContain('"command":"PASS"');
    expect(all).not.toContain('hunter2-wrong');
    expect(all).not.toContain(PASSWORD);
  });
});

describe('APOP', () => {
  const digest = (secret: string): string => createHash('md5').update(TIMESTAMP + secret).digest('hex');

  it('logs in with the MD5 of the greeting timestamp and the secret', async () => {
    const { client, srv } = await connect({ apop: true });
    expect(await client.command(`APOP alice ${digest(PASSWORD)}`)).toMatch(/^\+OK/);
    expect(await client.command('STAT')).toBe('+OK 0 0');
    expect(srv.logs.find((l) => l.includes('"pop login"'))).toContain('"mechanism":"APOP"');
  });

  it('accepts an upper-case digest', async () => {
    const { client } = await connect({ apop: true });
    expect(await client.command(`APOP alice ${digest(PASSWORD).toUpperCase()}`)).toMatch(/^\+OK/);
  });

  it('refuses a wrong digest with [AUTH]', async () => {
    const { client, srv } = await connect({ apop: true });
    const bad = digest('nope');
    expect(await client.command(`APOP alice ${bad}`)).toMatch(/^-ERR \[AUTH\]/);
    expect(srv.logs.join('\n')).not.toContain(bad);
  });

  it('refuses APOP without an APOP greeting, and malformed digests', async () => {
    const off = await connect({ apop: false });
    expect(await off.client.command(`APOP alice ${digest(PASSWORD)}`)).toMatch(/^-ERR/);
    await server?.close();
    const on = await connect({ apop: true });
    expect(await on.client.command('APOP alice xyz')).toMatch(/^-ERR/);
    expect(await on.client.command('APOP alice')).toMatch(/^-ERR/);
  });
});

describe('AUTH', () => {
  it('lists mechanisms for a bare AUTH', async () => {
    const { client } = await connect({ mechanisms: ['PLAIN', 'LOGIN', 'CRAM-MD5'] });
    const { status, lines } = await client.multi('AUTH');
    expect(status).toMatch(/^\+OK/);
    expect(lines).toEqual(['PLAIN', 'LOGIN', 'CRAM-MD5']);
  });

  it('PLAIN with an initial response', async () => {
    const { client, srv } = await connect();
    expect(await client.command(`AUTH PLAIN ${b64(`\0alice\0${PASSWORD}`)}`)).toMatch(/^\+OK/);
    expect(srv.connections[0]?.loggedIn).toBe(true);
    expect(srv.logs.find((l) => l.includes('"pop login"'))).toContain('"mechanism":"PLAIN"');
    expect(srv.logs.join('\n')).not.toContain(b64(`\0alice\0${PASSWORD}`));
  });

  it('PLAIN with a continuation', async () => {
    const { client, srv } = await connect();
    expect(await client.command('auth plain')).toBe('+ ');
    expect(await client.command(b64(`\0alice\0${PASSWORD}`))).toMatch(/^\+OK/);
    expect(srv.logs.join('\n')).not.toContain(b64(`\0alice\0${PASSWORD}`));
  });

  it('PLAIN with wrong credentials stays in AUTHORIZATION', async () => {
    const { client } = await connect();
    expect(await client.command(`AUTH PLAIN ${b64('\0alice\0nope')}`)).toBe(
      '-ERR [AUTH] incorrect account name or password',
    );
    expect(await client.command(`AUTH PLAIN ${b64(`\0alice\0${PASSWORD}`)}`)).toMatch(/^\+OK/);
  });

  it('"=" is an empty initial response', async () => {
    const { client } = await connect();
    // an empty PLAIN message is malformed for the mechanism, not for the protocol
    expect(await client.command('AUTH PLAIN =')).toBe('-ERR malformed PLAIN');
  });

  it('LOGIN over two continuations', async () => {
    const { client } = await connect();
    expect(await client.command('AUTH LOGIN')).toBe(`+ ${b64('Username:')}`);
    expect(await client.command(b64('alice'))).toBe(`+ ${b64('Password:')}`);
    expect(await client.command(b64(PASSWORD))).toMatch(/^\+OK/);
  });

  it('CRAM-MD5', async () => {
    const { client } = await connect();
    const challengeLine = await client.command('AUTH CRAM-MD5');
    expect(challengeLine.startsWith('+ ')).toBe(true);
    const challenge = Buffer.from(challengeLine.slice(2), 'base64').toString();
    const digest = createHmac('md5', PASSWORD).update(challenge).digest('hex');
    expect(await client.command(b64(`alice ${digest}`))).toMatch(/^\+OK/);
  });

  it('"*" cancels the exchange with -ERR', async () => {
    const { client } = await connect();
    await client.command('AUTH LOGIN');
    expect(await client.command('*')).toBe('-ERR authentication cancelled');
    expect(await client.command('STAT')).toMatch(/^-ERR/);
    await client.command('USER alice');
    expect(await client.command(`PASS ${PASSWORD}`)).toMatch(/^\+OK/);
  });

  it('malformed base64 aborts the exchange, in the initial response or a continuation', async () => {
    const { client } = await connect();
    expect(await client.command('AUTH PLAIN not*base64')).toBe('-ERR malformed base64');
    await client.command('AUTH LOGIN');
    expect(await client.command('YWxpY2U')).toBe('-ERR malformed base64');
    // the next line is a command again, not a continuation
    expect(await client.command('NOOP')).toMatch(/^-ERR not valid before login/);
  });

  it('refuses an unknown mechanism', async () => {
    const { client } = await connect();
    expect(await client.command('AUTH X-UNKNOWN')).toMatch(/^-ERR unsupported/);
  });

  it('accepts continuation lines up to 64 KiB and refuses longer ones', async () => {
    const { client } = await connect();
    await client.command('AUTH LOGIN');
    expect(await client.command(b64('a'.repeat(40000)))).toBe(`+ ${b64('Password:')}`);
    expect(await client.command('QUFB'.repeat(16000))).toMatch(/^-ERR \[AUTH\]/);
    await client.command('AUTH LOGIN');
    expect(await client.command('QUFB'.repeat(17000) + 'QUFB'.repeat(100))).toBe('-ERR line too long');
    expect(await client.command('QUIT')).toMatch(/^\+OK/);
  });

  it('sends success data as a final continuation and needs an empty answer', async () => {
    const { client } = await connect({ mechanisms: ['X-FINAL-DATA'] });
    expect(await client.command('AUTH X-FINAL-DATA')).toBe(`+ ${SERVER_FINAL.toString('base64')}`);
    expect(await client.command('')).toMatch(/^\+OK/);
    expect(await client.command('STAT')).toBe('+OK 0 0');
  });

  it('refuses a non-empty answer to the success data', async () => {
    const { client, srv } = await connect({ mechanisms: ['X-FINAL-DATA'] });
    await client.command('AUTH X-FINAL-DATA');
    expect(await client.command(b64('x'))).toMatch(/^-ERR/);
    expect(await client.command('STAT')).toMatch(/^-ERR/);
    expect(srv.connections[0]?.loggedIn).toBe(false);
  });
});
