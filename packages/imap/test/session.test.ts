import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createImapHandler, type ImapOptions } from '../src/index.js';
import { TestClient } from './support/client.js';
import { FakeAuthenticator, type FakeOptions } from './support/fake-authenticator.js';
import { startTestServer, type AdapterOptions, type TestServer } from './support/socket-connection.js';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

interface Harness {
  server: TestServer;
  auth: FakeAuthenticator;
  client: TestClient;
  greeting: string;
  logs: string[];
}

let current: Harness | undefined;

afterEach(async () => {
  current?.client.end();
  await current?.server.close();
  current = undefined;
});

async function open(
  opts: { fake?: FakeOptions; adapter?: AdapterOptions; imap?: Partial<ImapOptions> } = {},
): Promise<Harness> {
  const auth = new FakeAuthenticator(opts.fake);
  const logs: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => logs.push(s) });
  const server = await startTestServer(
    createImapHandler({ authenticator: auth, serverName: 'mail.example.test', ...opts.imap }),
    { logger, ...opts.adapter },
  );
  const client = await TestClient.connect(server.port);
  const greeting = await client.line();
  current = { server, auth, client, greeting, logs };
  return current;
}

async function login(client: TestClient): Promise<void> {
  const reply = await client.command('L', 'LOGIN alice secret');
  expect(reply.at(-1)).toMatch(/^L OK /);
}

describe('greeting and capabilities', () => {
  it('greets with the pre-login capabilities and server name', async () => {
    const { greeting } = await open();
    expect(greeting).toMatch(/^\* OK \[CAPABILITY IMAP4rev1 IMAP4rev2 .*\] mail\.example\.test IMAP4rev1 ready$/);
    expect(greeting).toContain('SASL-IR');
    expect(greeting).toContain('LITERAL+');
    expect(greeting).toContain('AUTH=PLAIN AUTH=LOGIN AUTH=CRAM-MD5');
    expect(greeting).not.toContain('LOGINDISABLED');
    expect(greeting).not.toContain('STARTTLS');
  });

  it('refuses a non-client address with BYE before any greeting', async () => {
    const { greeting, client } = await open({ fake: { refuseAddress: true } });
    expect(greeting).toBe('* BYE logins from this address are prohibited');
    await client.closedByServer();
  });

  it('answers CAPABILITY, NOOP, ID and LOGOUT', async () => {
    const { client, server } = await open();
    const caps = await client.command('a', 'CAPABILITY');
    expect(caps[0]).toMatch(/^\* CAPABILITY IMAP4rev1 IMAP4rev2 /);
    expect(caps[1]).toBe('a OK CAPABILITY completed');
    expect(await client.command('b', 'NOOP')).toEqual(['b OK NOOP completed']);
    expect(await client.command('c', 'ID ("name" "test" "version" NIL)')).toEqual([
      '* ID ("name" "Portcullis")',
      'c OK ID completed',
    ]);
    expect(await client.command('d', 'ID NIL')).toHaveLength(2);
    expect((await client.command('e', 'ID "x"')).at(-1)).toMatch(/^e BAD /);
    expect(await client.command('f', 'LOGOUT')).toEqual([
      '* BYE mail.example.test IMAP4rev1 server logging out',
      'f OK LOGOUT completed',
    ]);
    await client.closedByServer();
    await server.handlersDone();
    expect(server.handlerErrors).toEqual([]);
  });
});

describe('STARTTLS', () => {
  it('is advertised only while possible, then the capabilities follow the secure link', async () => {
    const { client, greeting, server, auth } = await open({
      adapter: { canStartTls: true },
      fake: { clearTextOnlySecure: true },
    });
    expect(greeting).toContain(' STARTTLS');
    expect(greeting).not.toContain('AUTH=PLAIN');
    expect(await client.command('a', 'STARTTLS')).toEqual(['a OK Begin TLS negotiation now']);
    expect(server.connections[0]!.startTlsCalls).toBe(1);
    const caps = await client.command('b', 'CAPABILITY');
    expect(caps[0]).not.toContain('STARTTLS');
    expect(caps[0]).toContain('AUTH=PLAIN');
    expect((await client.command('c', 'STARTTLS')).at(-1)).toMatch(/^c BAD /);
    await login(client);
    expect(auth.seen.find((s) => s.call === 'loginPlaintext')?.secure).toBe(true);
  });

  it('is BAD where the listener cannot do it', async () => {
    const { client } = await open();
    expect((await client.command('a', 'STARTTLS')).at(-1)).toBe('a BAD STARTTLS is not available here');
  });
});

describe('LOGIN', () => {
  it('logs in with quoted strings and reports post-login capabilities', async () => {
    const { client, server, logs } = await open();
    const reply = await client.command('a', 'LOGIN "alice" "secret"');
    expect(reply).toHaveLength(1);
    expect(reply[0]).toMatch(/^a OK \[CAPABILITY IMAP4rev1 IMAP4rev2 .*NAMESPACE.*\] LOGIN completed$/);
    expect(reply[0]).not.toContain('AUTH=');
    expect(server.connections[0]!.loggedIn).toBe(true);
    const line = logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'login');
    expect(line).toMatchObject({ account: 'alice@example.test', mechanism: 'LOGIN' });
    expect(logs.join('\n')).not.toContain('secret');
  });

  it('logs in with synchronising and non-synchronising literals', async () => {
    const { client, auth } = await open();
    client.send('a LOGIN {5}\r\n');
    expect(await client.line()).toBe('+ Ready for literal data');
    client.send('alice {6+}\r\nsecret\r\n');
    expect((await client.until('a')).at(-1)).toMatch(/^a OK /);
    expect(auth.passwords).toEqual(['secret']);
  });

  it('passes a password with quotes, spaces and CRLF in a literal intact', async () => {
    const { client, auth } = await open();
    client.send('a LOGIN alice {8+}\r\np "w\r\n d\r\n');
    expect((await client.until('a')).at(-1)).toMatch(/^a NO \[AUTHENTICATIONFAILED\] /);
    expect(auth.passwords).toEqual(['p "w\r\n d']);
  });

  it('maps a wrong password to AUTHENTICATIONFAILED and never logs it', async () => {
    const { client, logs } = await open();
    expect(await client.command('a', 'LOGIN alice hunter2')).toEqual([
      'a NO [AUTHENTICATIONFAILED] incorrect user name or password',
    ]);
    expect(await client.command('b', 'LOGIN nobody x')).toEqual([
      'b NO [AUTHENTICATIONFAILED] incorrect user name or password',
    ]);
    expect(logs.join('\n')).not.toContain('hunter2');
    await login(client);
  });

  it.each([
    ['locked', 'NO [UNAVAILABLE] account is temporarily locked'],
    ['temp', 'NO [UNAVAILABLE] temporary failure, try again later'],
    ['disabled', 'NO [CONTACTADMIN] IMAP is disabled for this account'],
    ['needs-tls', 'NO [PRIVACYREQUIRED] a secure method is required'],
  ])('maps the failure of %s', async (user, expected) => {
    const { client } = await open();
    expect(await client.command('a', `LOGIN ${user} secret`)).toEqual([`a ${expected}`]);
  });

  it('closes with BYE for a client-address failure at login', async () => {
    const { client } = await open();
    client.send('a LOGIN remote secret\r\n');
    expect(await client.line()).toBe('* BYE logins from this address are prohibited');
    await client.closedByServer();
  });

  it('is BAD with wrong arguments and after login', async () => {
    const { client } = await open();
    expect((await client.command('a', 'LOGIN alice')).at(-1)).toMatch(/^a BAD /);
    expect((await client.command('b', 'LOGIN (alice) secret')).at(-1)).toMatch(/^b BAD /);
    await login(client);
    expect(await client.command('c', 'LOGIN alice secret')).toEqual(['c BAD already logged in']);
    expect((await client.command('d', 'AUTHENTICATE PLAIN')).at(-1)).toBe('d BAD already logged in');
  });
});

describe('AUTHENTICATE', () => {
  it('PLAIN with an initial response (SASL-IR)', async () => {
    const { client, logs } = await open();
    const reply = await client.command('a', `AUTHENTICATE PLAIN ${b64('\0alice\0secret')}`);
    expect(reply).toHaveLength(1);
    expect(reply[0]).toMatch(/^a OK \[CAPABILITY .*\] AUTHENTICATE completed$/);
    const line = logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'login');
    // debug: the authenticator's 'login succeeded' is the info line of a login
    expect(line).toMatchObject({ account: 'alice@example.test', mechanism: 'PLAIN', level: 20 });
  });

  it('PLAIN with a continuation', async () => {
    const { client } = await open();
    client.send('a AUTHENTICATE plain\r\n');
    expect(await client.line()).toBe('+ ');
    client.send(`${b64('\0alice\0secret')}\r\n`);
    expect((await client.until('a')).at(-1)).toMatch(/^a OK /);
  });

  it('`=` is an empty initial response', async () => {
    const { client } = await open();
    // PLAIN with an empty message is malformed in the fake: proves the empty buffer arrived
    expect(await client.command('a', 'AUTHENTICATE PLAIN =')).toEqual(['a BAD malformed request']);
  });

  it('LOGIN mechanism over two challenges', async () => {
    const { client } = await open();
    client.send('a AUTHENTICATE LOGIN\r\n');
    expect(await client.line()).toBe(`+ ${b64('Username:')}`);
    client.send(`${b64('alice')}\r\n`);
    expect(await client.line()).toBe(`+ ${b64('Password:')}`);
    client.send(`${b64('secret')}\r\n`);
    expect((await client.until('a')).at(-1)).toMatch(/^a OK /);
  });

  it('`*` cancels the exchange with BAD and the session goes on', async () => {
    const { client } = await open();
    client.send('a AUTHENTICATE LOGIN\r\n');
    await client.line();
    client.send('*\r\n');
    expect(await client.until('a')).toEqual(['a BAD authentication cancelled']);
    await login(client);
  });

  it('malformed base64 aborts with BAD', async () => {
    const { client } = await open();
    expect(await client.command('a', 'AUTHENTICATE PLAIN !!!!')).toEqual([
      'a BAD invalid base64 in initial response',
    ]);
    client.send('b AUTHENTICATE PLAIN\r\n');
    expect(await client.line()).toBe('+ ');
    client.send('not base64 at all\r\n');
    expect(await client.until('b')).toEqual(['b BAD invalid base64; authentication aborted']);
    await login(client);
  });

  it('an unknown mechanism is NO', async () => {
    const { client } = await open();
    expect(await client.command('a', 'AUTHENTICATE X-UNKNOWN')).toEqual([
      'a NO [CANNOT] unsupported authentication mechanism',
    ]);
  });

  it('maps mechanism failures (bad password, impersonation)', async () => {
    const { client } = await open();
    expect(await client.command('a', `AUTHENTICATE PLAIN ${b64('\0alice\0wrong')}`)).toEqual([
      'a NO [AUTHENTICATIONFAILED] incorrect user name or password',
    ]);
    expect(await client.command('b', `AUTHENTICATE PLAIN ${b64('bob\0alice\0secret')}`)).toEqual([
      'b NO [AUTHORIZATIONFAILED] impersonation not allowed',
    ]);
  });

  it('success data is sent as a final challenge and needs an empty answer', async () => {
    const { client } = await open();
    client.send('a AUTHENTICATE X-WITH-DATA\r\n');
    expect(await client.line()).toBe(`+ ${b64('hello')}`);
    client.send(`${b64('alice')}\r\n`);
    expect(await client.line()).toBe(`+ ${b64('v=server-final')}`);
    client.send('\r\n');
    expect((await client.until('a')).at(-1)).toMatch(/^a OK \[CAPABILITY .*\] AUTHENTICATE completed$/);
  });

  it('a non-empty answer to success data is BAD and does not log in', async () => {
    const { client, server } = await open();
    client.send(`a AUTHENTICATE X-WITH-DATA ${b64('alice')}\r\n`);
    expect(await client.line()).toBe(`+ ${b64('v=server-final')}`);
    client.send('Zm9v\r\n');
    expect(await client.until('a')).toEqual(['a BAD expected an empty response']);
    expect(server.connections[0]!.loggedIn).toBe(false);
  });

  it('accepts SASL lines longer than a command line but not beyond 64 KiB', async () => {
    const { client } = await open();
    client.send('a AUTHENTICATE PLAIN\r\n');
    await client.line();
    const long = b64(`\0alice\0${'x'.repeat(20000)}`);
    client.send(`${long}\r\n`);
    expect(await client.until('a')).toEqual(['a NO [AUTHENTICATIONFAILED] incorrect user name or password']);
    client.send('b AUTHENTICATE PLAIN\r\n');
    await client.line();
    client.send(`${'A'.repeat(70000)}\r\n`);
    expect(await client.until('b')).toEqual(['b BAD SASL response too long; authentication aborted']);
    await login(client);
  });
});

describe('authenticated built-in session', () => {
  it('answers NAMESPACE, LIST, LSUB and STATUS', async () => {
    const { client } = await open();
    await login(client);
    expect(await client.command('a', 'NAMESPACE')).toEqual(['* NAMESPACE (("" "/")) (("Other Users/" "/")) NIL', 'a OK NAMESPACE completed']);
    expect(await client.command('b', 'LIST "" ""')).toEqual(['* LIST (\\Noselect) "/" ""', 'b OK LIST completed']);
    expect(await client.command('c', 'LIST "" *')).toEqual(['* LIST (\\HasNoChildren) "/" INBOX', 'c OK LIST completed']);
    expect(await client.command('d', 'LIST "" %')).toHaveLength(2);
    expect(await client.command('e', 'LIST "" inb%')).toHaveLength(2);
    expect(await client.command('f', 'LIST "" Sent*')).toEqual(['f OK LIST completed']);
    expect(await client.command('g', 'LSUB "" "*"')).toEqual(['* LSUB () "/" INBOX', 'g OK LSUB completed']);
    expect(await client.command('h', 'LIST (SUBSCRIBED) "" "*" RETURN (CHILDREN)')).toHaveLength(2);
    expect(await client.command('i', 'STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY UNSEEN RECENT)')).toEqual([
      '* STATUS INBOX (MESSAGES 0 UIDNEXT 1 UIDVALIDITY 1 UNSEEN 0 RECENT 0)',
      'i OK STATUS completed',
    ]);
    expect(await client.command('j', 'STATUS Trash (MESSAGES)')).toEqual(['j NO [NONEXISTENT] mailbox does not exist']);
    expect((await client.command('k', 'STATUS INBOX (BOGUS)')).at(-1)).toMatch(/^k BAD /);
  });

  it('SELECT, EXAMINE, CHECK, CLOSE and UNSELECT on the empty INBOX', async () => {
    const { client } = await open();
    await login(client);
    expect((await client.command('z', 'CHECK')).at(-1)).toBe('z BAD no mailbox selected');
    const sel = await client.command('a', 'SELECT inbox');
    expect(sel).toContain('* 0 EXISTS');
    expect(sel).toContain('* 0 RECENT');
    expect(sel).toContain('* OK [UIDVALIDITY 1] UIDs valid');
    expect(sel).toContain('* OK [UIDNEXT 1] Predicted next UID');
    expect(sel.some((l) => l.startsWith('* FLAGS ('))).toBe(true);
    expect(sel.some((l) => l.startsWith('* OK [PERMANENTFLAGS ('))).toBe(true);
    expect(sel.at(-1)).toBe('a OK [READ-WRITE] SELECT completed');
    expect(await client.command('b', 'CHECK')).toEqual(['b OK CHECK completed']);
    expect(await client.command('c', 'UID SEARCH ALL')).toEqual(['* SEARCH', 'c OK UID SEARCH completed']);
    expect((await client.command('d', 'FETCH 1 FLAGS')).at(-1)).toMatch(/^d BAD /);
    expect(await client.command('e', 'CLOSE')).toEqual(['e OK CLOSE completed']);
    expect((await client.command('f', 'EXAMINE INBOX')).at(-1)).toBe('f OK [READ-ONLY] EXAMINE completed');
    expect(await client.command('g', 'UNSELECT')).toEqual(['g OK UNSELECT completed']);
    expect((await client.command('h', 'UNSELECT')).at(-1)).toBe('h BAD no mailbox selected');
    expect(await client.command('i', 'SELECT Archive')).toEqual(['i NO [NONEXISTENT] mailbox does not exist']);
  });

  it('a failed SELECT leaves no mailbox selected', async () => {
    const { client } = await open();
    await login(client);
    await client.command('a', 'SELECT INBOX');
    await client.command('b', 'SELECT Nope');
    expect(await client.command('c', 'CLOSE')).toEqual(['c BAD no mailbox selected']);
  });

  it('ENABLE answers with what it supports', async () => {
    const { client } = await open();
    expect((await client.command('a', 'ENABLE IMAP4rev2')).at(-1)).toMatch(/^a BAD /);
    await login(client);
    expect(await client.command('b', 'ENABLE IMAP4rev2 CONDSTORE')).toEqual(['* ENABLED IMAP4rev2', 'b OK ENABLE completed']);
  });

  it('refuses mailbox commands before login and unsupported ones after', async () => {
    const { client } = await open();
    expect(await client.command('a', 'SELECT INBOX')).toEqual(['a BAD SELECT is valid only after login']);
    expect(await client.command('b', 'FROB')).toEqual(['b BAD unknown command']);
    await login(client);
    expect(await client.command('c', 'APPEND Foo {3+}\r\nabc')).toEqual(['c NO [CANNOT] APPEND is not available in this session']);
    expect(await client.command('d', 'STARTTLS')).toEqual(['d BAD STARTTLS is valid only before login']);
    expect(await client.command('e', 'FROB')).toEqual(['e BAD unknown command']);
  });
});

describe('robustness', () => {
  it('answers an over-long line with BAD and goes on', async () => {
    const { client } = await open();
    client.send(`a NOOP ${'x'.repeat(10000)}\r\n`);
    expect(await client.line()).toBe('* BAD line too long');
    expect(await client.command('b', 'NOOP')).toEqual(['b OK NOOP completed']);
  });

  it('refuses a synchronising literal over the limit without a continuation', async () => {
    const { client } = await open({ imap: { maxLiteralSize: 100 } });
    client.send('a LOGIN {101}\r\n');
    expect(await client.line()).toBe('a NO [TOOBIG] literal too large');
    expect(await client.command('b', 'NOOP')).toEqual(['b OK NOOP completed']);
  });

  it('discards a non-synchronising literal over the limit, then BAD', async () => {
    const { client } = await open({ imap: { maxLiteralSize: 100 } });
    client.send(`a LOGIN alice {500+}\r\n${'z'.repeat(500)} {3+}\r\nabc\r\n`);
    expect(await client.line()).toBe('a BAD [TOOBIG] literal too large');
    expect(await client.command('b', 'NOOP')).toEqual(['b OK NOOP completed']);
  });

  it('closes on a huge non-synchronising literal', async () => {
    const { client } = await open({ imap: { maxLiteralSize: 100 } });
    client.send('a LOGIN alice {999999999+}\r\n');
    expect(await client.line()).toBe('* BYE literal too large');
    await client.closedByServer();
  });

  it('swallows the literal of a bad command so its bytes are not read as commands', async () => {
    const { client } = await open();
    client.send('a LOGIN "x {5+}\r\nb BYE\r\n');
    expect(await client.line()).toBe('a BAD unterminated quoted string');
    expect(await client.command('c', 'NOOP')).toEqual(['c OK NOOP completed']);
  });

  it('answers NUL bytes and garbage with BAD', async () => {
    const { client } = await open();
    client.send('a NOOP \0\r\n');
    expect(await client.line()).toBe('a BAD NUL byte in command');
    client.send('\x01\x02garbage\r\n');
    expect(await client.line()).toMatch(/^\* BAD /);
    client.send('(((\r\n');
    expect(await client.line()).toMatch(/^\* BAD /);
    expect(await client.command('b', 'NOOP')).toEqual(['b OK NOOP completed']);
  });

  it('closes after too many bad commands', async () => {
    const { client, server } = await open({ imap: { maxBadCommands: 3 } });
    client.send('x\r\ny\r\nz\r\n');
    expect(await client.line()).toMatch(/^[xyz] BAD /);
    expect(await client.line()).toMatch(/^[xyz] BAD /);
    expect(await client.line()).toMatch(/^[xyz] BAD /);
    expect(await client.line()).toBe('* BYE too many bad commands');
    await client.closedByServer();
    await server.handlersDone();
    expect(server.handlerErrors).toEqual([]);
  });

  it('says BYE on idle timeout', async () => {
    const { client } = await open({ adapter: { idleMs: 150 } });
    expect(await client.line()).toBe('* BYE autologout; idle for too long');
    await client.closedByServer();
  });

  it('ends quietly when the client disappears mid-exchange', async () => {
    const { client, server } = await open();
    client.send('a AUTHENTICATE PLAIN\r\n');
    await client.line();
    client.end();
    await server.handlersDone();
    expect(server.handlerErrors).toEqual([]);
  });

  it('ends quietly when the client disappears inside a literal', async () => {
    const { client, server } = await open();
    client.send('a LOGIN {10}\r\n');
    await client.line();
    client.send('abc');
    client.end();
    await server.handlersDone();
    expect(server.handlerErrors).toEqual([]);
  });

  it('survives pipelined garbage and still logs in', async () => {
    const { client } = await open({ imap: { maxBadCommands: 50 } });
    const junk = ['a )', 'b LOGIN {x}', 'c "', '* NOOP', 'd LIST ((', 'e AUTHENTICATE', '+ x'];
    client.send(junk.map((l) => `${l}\r\n`).join(''));
    for (let i = 0; i < junk.length; i++) expect(await client.line()).toMatch(/^(\*|[a-e]) BAD /);
    await login(client);
  });

  it('random bytes never crash the handler, and the next login works', async () => {
    const { client, server } = await open({ imap: { maxBadCommands: 1000 } });
    for (let i = 0; i < 200; i++) client.send(Buffer.concat([randomBytes(1 + (i % 97)), Buffer.from('\r\n')]));
    client.end();
    await server.handlersDone();
    expect(server.handlerErrors).toEqual([]);
    const next = await TestClient.connect(server.port);
    try {
      expect(await next.line()).toMatch(/^\* OK /);
      await login(next);
    } finally {
      next.end();
    }
  });
});
