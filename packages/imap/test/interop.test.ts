/** A real, independent client: Python's imaplib drives the handler. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImapHandler } from '../src/index.js';
import { FakeAuthenticator } from './support/fake-authenticator.js';
import { startTestServer, type TestServer } from './support/socket-connection.js';

const run = promisify(execFile);

const SCRIPT = String.raw`
import imaplib, sys, base64
port = int(sys.argv[1])
m = imaplib.IMAP4('127.0.0.1', port)
print('caps', ' '.join(m.capabilities))
try:
    m.login('alice', 'wrong')
except imaplib.IMAP4.error as e:
    print('fail', e)
print('login', m.login('alice', 'secret')[0])
print('list', m.list()[1])
typ, data = m.select('INBOX')
print('select', typ, data)
print('status', m.status('INBOX', '(MESSAGES UIDNEXT)')[1])
print('close', m.close()[0])
print('logout', m.logout()[0])
m = imaplib.IMAP4('127.0.0.1', port)
print('auth', m.authenticate('PLAIN', lambda _: b'\0alice\0secret')[0])
m.logout()
`;

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer(
    createImapHandler({ authenticator: new FakeAuthenticator(), serverName: 'mail.example.test' }),
  );
});

afterAll(async () => {
  await server.close();
});

describe('Python imaplib', () => {
  it('logs in (LOGIN and AUTHENTICATE PLAIN), lists, selects and logs out', async () => {
    const { stdout } = await run('python3', ['-c', SCRIPT, String(server.port)], { timeout: 20000 });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toContain('IMAP4REV1');
    expect(lines[0]).toContain('AUTH=PLAIN');
    expect(lines[1]).toBe("fail b'[AUTHENTICATIONFAILED] incorrect user name or password'");
    expect(lines).toContain('login OK');
    expect(lines).toContain(`list [b'(\\\\HasNoChildren) "/" INBOX']`);
    expect(lines).toContain("select OK [b'0']");
    expect(lines).toContain("status [b'INBOX (MESSAGES 0 UIDNEXT 1)']");
    expect(lines).toContain('close OK');
    expect(lines).toContain('logout BYE');
    expect(lines).toContain('auth OK');
    await server.handlersDone();
    expect(server.handlerErrors).toEqual([]);
  });
});
