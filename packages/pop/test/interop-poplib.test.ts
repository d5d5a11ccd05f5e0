/** Python's poplib as an independent client: USER/PASS, APOP, STLS and CAPA as a real client does them. */
import { execFile } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeAuthenticator, PASSWORD } from './support/fake-authenticator.js';
import { startPopServer, testTlsMaterial, type TestServer } from './support/server.js';

let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

function python(script: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('python3', ['-c', script, String(port), PASSWORD], { timeout: 10000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(stdout.trim());
    });
  });
}

const PRELUDE = `
import poplib, ssl, sys
port, password = int(sys.argv[1]), sys.argv[2]
`;

describe('interoperability with Python poplib', () => {
  it('logs in with user/pass_ and reads the empty maildrop', async () => {
    server = await startPopServer({ authenticator: new FakeAuthenticator(), serverName: 'pop.test' });
    const out = await python(
      `${PRELUDE}
p = poplib.POP3('127.0.0.1', port, timeout=5)
p.user('alice'); p.pass_(password)
print(p.stat(), len(p.list()[1]), len(p.uidl()[1]))
p.quit()`,
      server.port,
    );
    expect(out).toBe('(0, 0) 0 0');
  });

  it('logs in with apop from the greeting timestamp', async () => {
    server = await startPopServer({ authenticator: new FakeAuthenticator({ apop: true }), serverName: 'pop.test' });
    const out = await python(
      `${PRELUDE}
p = poplib.POP3('127.0.0.1', port, timeout=5)
print(p.apop('alice', password).decode())
p.quit()`,
      server.port,
    );
    expect(out).toMatch(/^\+OK/);
  });

  it('upgrades with stls, then sees no STLS capability and logs in', async () => {
    server = await startPopServer(
      { authenticator: new FakeAuthenticator(), serverName: 'pop.test' },
      { tls: await testTlsMaterial() },
    );
    const out = await python(
      `${PRELUDE}
p = poplib.POP3('127.0.0.1', port, timeout=5)
before = 'STLS' in p.capa()
p.stls(ssl._create_unverified_context())
after = 'STLS' in p.capa()
p.user('alice'); p.pass_(password)
print(before, after, p.stat())
p.quit()`,
      server.port,
    );
    expect(out).toBe('True False (0, 0)');
  });

  it('surfaces a wrong password as error_proto with [AUTH]', async () => {
    server = await startPopServer({ authenticator: new FakeAuthenticator(), serverName: 'pop.test' });
    const out = await python(
      `${PRELUDE}
p = poplib.POP3('127.0.0.1', port, timeout=5)
p.user('alice')
try:
    p.pass_('wrong')
except poplib.error_proto as e:
    print(e.args[0].decode())`,
      server.port,
    );
    expect(out).toBe('-ERR [AUTH] incorrect account name or password');
  });
});
