/** MAIL / RCPT / DATA after AUTH, the spool, limits and hostile input, over the real listener. */
import { afterEach, describe, expect, it } from 'vitest';
import { ALICE, PASSWORD, testAuth } from './support/auth.js';
import { b64, SmtpClient } from './support/client.js';
import { readSpool, spoolTmp, startSmtpServer, type ServerExtras, type TestServer } from './support/server.js';

let server: TestServer | undefined;
let client: SmtpClient | undefined;

afterEach(async () => {
  client?.end();
  client = undefined;
  await server?.close();
  server = undefined;
});

async function start(extra: ServerExtras = {}, limits: { maxMessageSize?: number; maxRecipients?: number } = {}): Promise<TestServer> {
  server = await startSmtpServer({ authenticator: testAuth().authenticator, maxMessageSize: 4096, ...limits }, extra);
  return server;
}

async function connect(login = true): Promise<SmtpClient> {
  const c = await SmtpClient.connect(server!.port);
  client ??= c;
  expect((await c.reply()).code).toBe(220);
  expect((await c.cmd('EHLO client.test')).code).toBe(250);
  if (login) expect((await c.cmd(`AUTH PLAIN ${b64(`\0${ALICE}\0${PASSWORD}`)}`)).code).toBe(235);
  return c;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('mail transaction', () => {
  it('needs AUTH before MAIL: 530 5.7.0', async () => {
    await start();
    const c = await connect(false);
    expect(await c.cmd('MAIL FROM:<alice@example.test>')).toMatchObject({ code: 530, text: '5.7.0 authentication required' });
    expect((await c.cmd('RCPT TO:<bob@example.test>')).code).toBe(503);
    expect((await c.cmd('DATA')).code).toBe(503);
  });

  it('spools a message with a Received header naming the account and the client', async () => {
    await start();
    const c = await connect();
    expect(await c.cmd('MAIL FROM:<alice@example.test> BODY=8BITMIME SIZE=100')).toMatchObject({ code: 250, text: '2.1.0 sender OK' });
    expect((await c.cmd('RCPT TO:<bob@example.test>')).code).toBe(250);
    expect((await c.cmd('DATA')).code).toBe(354);
    const done = await c.cmd('Subject: hello\r\n\r\n..dot line\r\nbody ü\r\n.');
    expect(done.code).toBe(250);
    const id = /queued as (\S+)/.exec(done.text)?.[1];
    const spool = await readSpool(server!.spoolDir);
    expect([...spool.keys()]).toEqual([id]);
    const { eml, envelope } = spool.get(id!)!;
    expect(eml).toMatch(/^Received: from client\.test \(\[127\.0\.0\.1\]\)\r\n\t\(authenticated as alice@example\.test\)\r\n\tby mail\.example\.test \(Portcullis\) with ESMTPA\r\n/);
    expect(eml.endsWith('Subject: hello\r\n\r\n.dot line\r\nbody ü\r\n')).toBe(true);
    expect(envelope).toMatchObject({ id, from: 'alice@example.test', to: ['bob@example.test'], account: ALICE, clientAddress: '127.0.0.1', body: '8BITMIME' });
    expect(await spoolTmp(server!.spoolDir)).toEqual([]);
    // the transaction is over: a new one starts with MAIL
    expect((await c.cmd('RCPT TO:<bob@example.test>')).code).toBe(503);
  });

  it('answers pipelined commands in order (RFC 2920)', async () => {
    await start();
    const c = await connect();
    c.raw('MAIL FROM:<>\r\nRCPT TO:<a@example.test>\r\nRCPT TO:<b@example.test>\r\nRCPT TO:<bad>\r\nDATA\r\n');
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push((await c.reply()).code);
    expect(codes).toEqual([250, 250, 250, 501, 354]);
    c.raw('x\r\n.\r\nNOOP\r\nQUIT\r\n');
    expect((await c.reply()).code).toBe(250);
    expect((await c.reply()).code).toBe(250);
    expect((await c.reply()).code).toBe(221);
    const [message] = [...(await readSpool(server!.spoolDir)).values()];
    expect(message?.envelope.to).toEqual(['a@example.test', 'b@example.test']);
    expect(message?.eml).not.toContain('\tfor <');
  });

  it('RSET, NOOP, VRFY 252, nested MAIL 503, RCPT limit 452', async () => {
    await start({}, { maxRecipients: 2 });
    const c = await connect();
    expect((await c.cmd('MAIL FROM:<alice@example.test>')).code).toBe(250);
    expect((await c.cmd('MAIL FROM:<alice@example.test>')).code).toBe(503);
    expect((await c.cmd('RCPT TO:<a@example.test>')).code).toBe(250);
    expect((await c.cmd('RCPT TO:<b@example.test>')).code).toBe(250);
    expect(await c.cmd('RCPT TO:<c@example.test>')).toMatchObject({ code: 452, text: expect.stringMatching(/^4\.5\.3 /) });
    expect((await c.cmd('RSET')).code).toBe(250);
    expect((await c.cmd('RCPT TO:<a@example.test>')).code).toBe(503);
    expect((await c.cmd('NOOP')).code).toBe(250);
    expect((await c.cmd('VRFY bob')).code).toBe(252);
    expect((await c.cmd('MAIL FROM:<alice@example.test> FOO=BAR')).code).toBe(555);
    expect((await c.cmd('MAIL FROM:<alice@example.test> BODY=BINARYMIME')).code).toBe(555);
  });

  it('SMTPUTF8: a UTF-8 address needs the parameter', async () => {
    await start();
    const c = await connect();
    expect(await c.cmd('MAIL FROM:<jürgen@example.test>')).toMatchObject({ code: 553, text: expect.stringMatching(/^5\.6\.7 /) });
    expect((await c.cmd('MAIL FROM:<jürgen@example.test> SMTPUTF8')).code).toBe(250);
    expect((await c.cmd('RCPT TO:<zoë@bücher.test>')).code).toBe(250);
    expect((await c.cmd('DATA')).code).toBe(354);
    expect((await c.cmd('Subject: ü\r\n\r\nhi\r\n.')).code).toBe(250);
    const [message] = [...(await readSpool(server!.spoolDir)).values()];
    expect(message?.eml).toContain('with UTF8SMTPA');
    expect(message?.envelope).toMatchObject({ smtputf8: true, to: ['zoë@bücher.test'] });
  });

  it('refuses SIZE= over the limit at MAIL, and an over-size DATA with 552 5.3.4 after reading it all', async () => {
    await start();
    const c = await connect();
    expect(await c.cmd('MAIL FROM:<alice@example.test> SIZE=5000')).toMatchObject({ code: 552, text: expect.stringMatching(/^5\.3\.4 /) });
    expect((await c.cmd('MAIL FROM:<alice@example.test>')).code).toBe(250);
    expect((await c.cmd('RCPT TO:<bob@example.test>')).code).toBe(250);
    expect((await c.cmd('DATA')).code).toBe(354);
    const line = `${'x'.repeat(998)}\r\n`;
    // 100 KiB against a 4 KiB limit, and one very long line on the way
    c.raw(line.repeat(100) + 'y'.repeat(200_000) + '\r\n' + '.\r\n');
    expect(await c.reply()).toMatchObject({ code: 552, text: expect.stringMatching(/^5\.3\.4 /) });
    expect((await c.cmd('NOOP')).code).toBe(250);
    expect((await readSpool(server!.spoolDir)).size).toBe(0);
    expect(await spoolTmp(server!.spoolDir)).toEqual([]);
  });

  it('refuses a message with bare LF (no smuggling through <LF>.<LF>)', async () => {
    await start();
    const c = await connect();
    await c.cmd('MAIL FROM:<alice@example.test>');
    await c.cmd('RCPT TO:<bob@example.test>');
    expect((await c.cmd('DATA')).code).toBe(354);
    c.raw('Subject: a\r\n\r\nfirst\n.\nMAIL FROM:<evil@example.test>\r\n.\r\n');
    expect(await c.reply()).toMatchObject({ code: 554, text: expect.stringMatching(/^5\.6\.0 /) });
    expect((await c.cmd('NOOP')).code).toBe(250);
    expect((await readSpool(server!.spoolDir)).size).toBe(0);
  });

  it('leaves no partial file when the client disconnects mid-DATA', async () => {
    await start();
    const c = await connect();
    await c.cmd('MAIL FROM:<alice@example.test>');
    await c.cmd('RCPT TO:<bob@example.test>');
    expect((await c.cmd('DATA')).code).toBe(354);
    c.raw('Subject: cut\r\n\r\nhalf a message');
    await sleep(100);
    c.end();
    await sleep(200);
    expect(await spoolTmp(server!.spoolDir)).toEqual([]);
    expect((await readSpool(server!.spoolDir)).size).toBe(0);
    const again = await connect();
    expect((await again.cmd('QUIT')).code).toBe(221);
    again.end();
  });
});

describe('robustness', () => {
  it('an over-long command line gets 500 5.5.2 and the connection goes on', async () => {
    await start();
    const c = await connect(false);
    c.send(`NOOP ${'a'.repeat(40_000)}`);
    expect(await c.reply()).toMatchObject({ code: 500, text: expect.stringMatching(/^5\.5\.2 /) });
    expect((await c.cmd('NOOP')).code).toBe(250);
  });

  it('NUL bytes and garbage are 500s; too many bad commands close with 421', async () => {
    await start();
    const c = await connect(false);
    c.raw(Buffer.from('NO\0OP\r\n'));
    expect((await c.reply()).code).toBe(500);
    for (let i = 0; i < 9; i++) expect((await c.cmd(`GARBAGE${i}`)).code).toBe(500);
    expect(await c.cmd('STILL-GARBAGE')).toMatchObject({ code: 421, text: expect.stringMatching(/^4\.7\.0 /) });
    expect(await c.waitClosed()).toBe(true);
  });

  it('an idle client gets 421 4.4.2 and is disconnected', async () => {
    await start({ idleTimeoutSec: 1 });
    const c = await SmtpClient.connect(server!.port);
    client = c;
    expect((await c.reply()).code).toBe(220);
    expect(await c.reply(3000)).toMatchObject({ code: 421, text: expect.stringMatching(/^4\.4\.2 /) });
    expect(await c.waitClosed()).toBe(true);
  });

  it('STARTTLS resets the session: EHLO again, and plaintext pipelined after it is dropped', async () => {
    await start({ tls: 'starttls' });
    const c = await SmtpClient.connect(server!.port);
    client = c;
    await c.reply();
    await c.cmd('EHLO client.test');
    c.raw('STARTTLS\r\nAUTH PLAIN injected\r\n');
    expect((await c.reply()).code).toBe(220);
    await c.startTls();
    expect((await c.cmd(`AUTH PLAIN ${b64(`\0${ALICE}\0${PASSWORD}`)}`)).code).toBe(503);
    expect((await c.cmd('EHLO client.test')).code).toBe(250);
    expect((await c.cmd('STARTTLS')).code).toBe(503);
    expect((await c.cmd(`AUTH PLAIN ${b64(`\0${ALICE}\0${PASSWORD}`)}`)).code).toBe(235);
    expect((await c.cmd('MAIL FROM:<alice@example.test>')).code).toBe(250);
    expect((await c.cmd('RCPT TO:<bob@example.test>')).code).toBe(250);
    await c.cmd('DATA');
    expect((await c.cmd('Subject: tls\r\n\r\nx\r\n.')).code).toBe(250);
    const [message] = [...(await readSpool(server!.spoolDir)).values()];
    expect(message?.eml).toContain('with ESMTPSA');
  });

  it('random bytes never kill the server; a good session works afterwards', async () => {
    await start();
    for (let i = 0; i < 20; i++) {
      const c = await SmtpClient.connect(server!.port);
      const junk = Buffer.alloc(2000);
      for (let j = 0; j < junk.length; j++) junk[j] = Math.floor(Math.random() * 256);
      c.raw(junk);
      await sleep(10);
      c.end();
    }
    const c = await connect();
    client = c;
    await c.cmd('MAIL FROM:<alice@example.test>');
    await c.cmd('RCPT TO:<bob@example.test>');
    await c.cmd('DATA');
    expect((await c.cmd('Subject: after\r\n\r\nok\r\n.')).code).toBe(250);
  });
});
