/** curl as an independent SASL client (RFC 5034 AUTH, with and without initial response). */
import { execFile } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeAuthenticator, PASSWORD } from './support/fake-authenticator.js';
import { startPopServer, type TestServer } from './support/server.js';

let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

function curl(port: number, args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile('curl', ['-s', '--max-time', '10', ...args, `pop3://127.0.0.1:${port}/`], (error, stdout) => {
      const code = error && typeof error.code === 'number' ? error.code : 0;
      resolve({ code, stdout });
    });
  });
}

describe('interoperability with curl', () => {
  for (const mechanism of ['PLAIN', 'LOGIN', 'CRAM-MD5']) {
    for (const ir of [false, true]) {
      it(`logs in with AUTH=${mechanism}${ir ? ' and an initial response' : ''}`, async () => {
        server = await startPopServer({ authenticator: new FakeAuthenticator(), serverName: 'pop.test' });
        const args = ['-u', `alice:${PASSWORD}`, '--login-options', `AUTH=${mechanism}`, ...(ir ? ['--sasl-ir'] : [])];
        const result = await curl(server.port, args);
        expect(result.code).toBe(0);
        expect(result.stdout.trim()).toBe('');
        expect(server.connections[0]?.loggedIn).toBe(true);
        expect(server.logs.find((l) => l.includes('"pop login"'))).toContain(`"mechanism":"${mechanism}"`);
      });
    }
  }

  it('fails with curl login-denied (67) on a wrong password', async () => {
    server = await startPopServer({ authenticator: new FakeAuthenticator(), serverName: 'pop.test' });
    const result = await curl(server.port, ['-u', 'alice:wrong', '--login-options', 'AUTH=PLAIN']);
    expect(result.code).toBe(67);
    expect(server.connections[0]?.loggedIn).toBe(false);
  });
});
