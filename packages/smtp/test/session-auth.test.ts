/** AUTH and the EHLO advertisement over the real listener and auth-core's real Authenticator. */
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ALICE, PASSWORD, testAuth } from './support/auth.js';
import { b64, SmtpClient } from './support/client.js';
import { startSmtpServer, type ServerExtras, type TestServer } from './support/server.js';

let server: TestServer | undefined;
let client: SmtpClient | undefined;

afterEach(async () => {
  client?.end();
  client = undefined;
  await server?.close();
  server = undefined;
});

async function open(extra: ServerExtras = {}, auth = testAuth()): Promise<SmtpClient> {
  server = await startSmtpServer({ authenticator: auth.authenticator, maxMessageSize: 1000 }, extra);
  client = await SmtpClient.connect(server.port, { tls: extra.tls === 'implicit' });
  const greeting = await client.reply();
  expect(greeting.code).toBe(220);
  expect(greeting.text).toContain('ESMTP');
  return client;
}

const plain = (user: string, password: string) => b64(`\0${user}\0${password}`);

describe('EHLO', () => {
  it('advertises AUTH from the login methods, STARTTLS while possible, and the extensions', async () => {
    const c = await open({ tls: 'starttls' });
    const r = await c.cmd('EHLO client.test');
    expect(r.code).toBe(250);
    const keywords = r.lines.slice(1).map((l) => l.slice(4));
    expect(keywords).toEqual(
      expect.arrayContaining(['PIPELINING', 'SIZE 1000', 'STARTTLS', 'ENHANCEDSTATUSCODES', '8BITMIME', 'SMTPUTF8']),
    );
    const authLine = keywords.find((k) => k.startsWith('AUTH '));
    expect(authLine?.split(' ')).toEqual(expect.arrayContaining(['PLAIN', 'LOGIN', 'CRAM-MD5', 'DIGEST-MD5']));
  });

  it('drops CLRTXT mechanisms and CRAM-MD5 from AUTH when the domain does not list them', async () => {
    const c = await open({}, testAuth(['CRAM-MD5']));
    const r = await c.cmd('EHLO client.test');
    const authLine = r.lines.map((l) => l.slice(4)).find((k) => k.startsWith('AUTH '));
    expect(authLine).toBeDefined();
    expect(authLine).toContain('CRAM-MD5');
    expect(authLine).not.toContain('PLAIN');
    // advertising never restricts: PLAIN still works
    expect((await c.cmd(`AUTH PLAIN ${plain(ALICE, PASSWORD)}`)).code).toBe(235);
  });

  it('answers HELO with one line and needs a name', async () => {
    const c = await open();
    expect((await c.cmd('HELO')).code).toBe(501);
    const r = await c.cmd('HELO client.test');
    expect(r).toMatchObject({ code: 250, lines: ['250 mail.example.test'] });
  });
});

describe('AUTH', () => {
  it('PLAIN with an initial response, then 503 for a second AUTH', async () => {
    const c = await open();
    await c.cmd('EHLO client.test');
    expect(await c.cmd(`AUTH PLAIN ${plain(ALICE, PASSWORD)}`)).toMatchObject({ code: 235, text: '2.7.0 authentication successful' });
    expect((await c.cmd(`AUTH PLAIN ${plain(ALICE, PASSWORD)}`)).code).toBe(503);
  });

  it('PLAIN without an initial response gets an empty 334', async () => {
    const c = await open();
    await c.cmd('EHLO client.test');
    c.send('AUTH PLAIN');
    expect(await c.line()).toBe('334 ');
    expect((await c.cmd(plain('alice', PASSWORD))).code).toBe(235);
  });

  it('LOGIN with its two prompts', async () => {
    const c = await open();
    await c.cmd('EHLO client.test');
    const first = await c.cmd('AUTH LOGIN');
    expect(first.code).toBe(334);
    expect(Buffer.from(first.text, 'base64').toString()).toMatch(/user/i);
    expect((await c.cmd(b64(ALICE))).code).toBe(334);
    expect((await c.cmd(b64(PASSWORD))).code).toBe(235);
  });

  it('CRAM-MD5 against the real challenge', async () => {
    const c = await open();
    await c.cmd('EHLO client.test');
    const challenge = Buffer.from((await c.cmd('AUTH CRAM-MD5')).text, 'base64').toString();
    const digest = createHmac('md5', PASSWORD).update(challenge).digest('hex');
    expect((await c.cmd(b64(`${ALICE} ${digest}`))).code).toBe(235);
  });

  it('wrong password and unknown account get 535 5.7.8; the session stays usable', async () => {
    const c = await open();
    await c.cmd('EHLO client.test');
    expect(await c.cmd(`AUTH PLAIN ${plain(ALICE, 'wrong')}`)).toMatchObject({ code: 535 });
    expect((await c.cmd(`AUTH PLAIN ${plain('nobody@example.test', 'wrong')}`)).text).toMatch(/^5\.7\.8 /);
    expect((await c.cmd(`AUTH PLAIN ${plain(ALICE, PASSWORD)}`)).code).toBe(235);
  });

  it('hideUnknownAccount gives one answer for unknown account and wrong password', async () => {
    const auth = testAuth();
    auth.server.hideUnknownAccount = true;
    const c = await open({}, auth);
    await c.cmd('EHLO client.test');
    const wrong = await c.cmd(`AUTH PLAIN ${plain(ALICE, 'wrong')}`);
    const unknown = await c.cmd(`AUTH PLAIN ${plain('nobody@example.test', 'wrong')}`);
    expect(wrong).toEqual(unknown);
  });

  it('`*` cancels with 501 5.7.0; `=` is an empty initial response', async () => {
    const c = await open();
    await c.cmd('EHLO client.test');
    expect((await c.cmd('AUTH LOGIN')).code).toBe(334);
    expect(await c.cmd('*')).toMatchObject({ code: 501, text: expect.stringMatching(/^5\.7\.0 /) });
    // an empty PLAIN message is malformed, but it must reach the mechanism as one
    expect((await c.cmd('AUTH PLAIN =')).code).toBe(501);
    expect((await c.cmd('AUTH PLAIN not*base64')).code).toBe(501);
    expect((await c.cmd('AUTH X-UNKNOWN')).code).toBe(504);
  });

  it('secureMethodRequired: 534 5.7.9 in the clear, 235 after STARTTLS', async () => {
    const c = await open({ tls: 'starttls' });
    await c.cmd('EHLO client.test');
    expect(await c.cmd(`AUTH PLAIN ${plain('carol@example.test', PASSWORD)}`)).toMatchObject({
      code: 534,
      text: expect.stringMatching(/^5\.7\.9 /),
    });
    expect((await c.cmd('STARTTLS')).code).toBe(220);
    await c.startTls();
    const ehlo = await c.cmd('EHLO client.test');
    expect(ehlo.lines.some((l) => l.includes('STARTTLS'))).toBe(false);
    expect((await c.cmd(`AUTH PLAIN ${plain('carol@example.test', PASSWORD)}`)).code).toBe(235);
  });

  it('implicit TLS works from the first byte', async () => {
    const c = await open({ tls: 'implicit' });
    const ehlo = await c.cmd('EHLO client.test');
    expect(ehlo.lines.some((l) => l.includes('STARTTLS'))).toBe(false);
    expect((await c.cmd(`AUTH PLAIN ${plain('carol@example.test', PASSWORD)}`)).code).toBe(235);
  });

  it('loginsFromNonClients=prohibit refuses AUTH, not the connection, for a non-client address', async () => {
    const auth = testAuth();
    auth.server.loginsFromNonClients = 'prohibit';
    auth.server.clientAddresses = ['10.0.0.0/8'];
    server = await startSmtpServer({ authenticator: auth.authenticator }, { proxyProtocol: true });
    const outsider = await SmtpClient.connect(server.port, { preamble: Buffer.from('PROXY TCP4 203.0.113.9 127.0.0.1 40000 587\r\n') });
    client = outsider;
    expect((await outsider.reply()).code).toBe(220);
    expect((await outsider.cmd('EHLO client.test')).code).toBe(250);
    expect(await outsider.cmd(`AUTH PLAIN ${plain(ALICE, PASSWORD)}`)).toMatchObject({ code: 535, text: expect.stringMatching(/^5\.7\.0 /) });
    expect((await outsider.cmd('MAIL FROM:<alice@example.test>')).code).toBe(530);
    const insider = await SmtpClient.connect(server.port, { preamble: Buffer.from('PROXY TCP4 10.1.2.3 127.0.0.1 40000 587\r\n') });
    try {
      await insider.reply();
      await insider.cmd('EHLO client.test');
      expect((await insider.cmd(`AUTH PLAIN ${plain(ALICE, PASSWORD)}`)).code).toBe(235);
    } finally {
      insider.end();
    }
  });

  it('never logs the password', async () => {
    const c = await open();
    await c.cmd('EHLO client.test');
    await c.cmd(`AUTH PLAIN ${plain(ALICE, PASSWORD)}`);
    c.send('AUTH LOGIN');
    await c.reply();
    const logs = server!.logs.join('\n');
    expect(logs).toContain('smtp login');
    expect(logs).not.toContain(PASSWORD);
    expect(logs).not.toContain(plain(ALICE, PASSWORD));
  });
});
