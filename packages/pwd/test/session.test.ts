/** The PWD session behind the real listener over the real auth-core. */
import { afterEach, describe, expect, it } from 'vitest';
import { LineClient } from './support/line-client.js';
import { DOMAIN, startPwdServer, type TestServer } from './support/server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(opts: Parameters<typeof startPwdServer>[0] = {}): Promise<TestServer> {
  server = await startPwdServer({
    ...opts,
    setup: (d) => {
      d.accounts.set(`${DOMAIN}/alice`, { name: 'alice', domain: DOMAIN, settings: { password: '{clear}old pass' } });
      opts.setup?.(d);
    },
  });
  return server;
}

async function login(s: TestServer, user = 'alice', password = 'old pass'): Promise<LineClient> {
  const c = await LineClient.connect(s.port);
  expect(await c.line()).toMatch(/^200 mail\.example\.test PWD server ready/);
  expect(await c.command(`USER ${user}`)).toMatch(/^200 /);
  expect(await c.command(`PASS ${password}`)).toBe('200 Your new password please.');
  return c;
}

describe('PWD session', () => {
  it('greets with the APOP timestamp when APOP is advertised, and without when it is not', async () => {
    const s = await start();
    const c = await LineClient.connect(s.port);
    expect(await c.line()).toMatch(/^200 mail\.example\.test PWD server ready <.+@mail\.example\.test>$/);
    c.close();
    s.directory.domains.set(DOMAIN, { name: DOMAIN, loginMethods: ['CLRTXT'] });
    const d = await LineClient.connect(s.port);
    expect(await d.line()).toBe('200 mail.example.test PWD server ready');
    d.close();
  });

  it('changes the password per the effective passwordEncryption; the old one stops working', async () => {
    const s = await start();
    s.directory.server = { defaultAccountSettings: { passwordEncryption: 'U-crpt' } };
    const c = await login(s);
    expect(await c.command('NEWPASS new pass 2')).toBe('200 Password changed, thank-you.');
    expect(await c.command('QUIT')).toBe('200 Bye.');
    const stored = s.directory.accounts.get(`${DOMAIN}/alice`)!.settings.password!;
    expect(stored.startsWith('{U-crpt}')).toBe(true);
    const info = { service: 'pwd' as const, id: 't', remoteAddress: '127.0.0.1', remotePort: 1, localAddress: '127.0.0.1', localPort: 2, secure: true, serverName: 'x' };
    expect((await s.authenticator.loginPlaintext('alice', 'new pass 2', info)).ok).toBe(true);
    expect((await s.authenticator.loginPlaintext('alice', 'old pass', info)).ok).toBe(false);
    expect(s.logs.join('')).not.toContain('new pass 2');
    expect(s.logs.join('')).not.toContain('old pass');
  });

  it('a tag-password login changes that tag password only', async () => {
    const s = await start({
      setup: (d) =>
        d.accounts.set(`${DOMAIN}/bob`, {
          name: 'bob',
          domain: DOMAIN,
          settings: { password: '{clear}main', tagPasswords: { phone: '{clear}tagpw' } },
        }),
    });
    const c = await login(s, 'bob$phone', 'tagpw');
    expect(await c.command('NEWPASS tag2')).toMatch(/^200 /);
    c.close();
    const bob = s.directory.accounts.get(`${DOMAIN}/bob`)!;
    expect(bob.settings.password).toBe('{clear}main');
    expect(bob.settings.tagPasswords!.phone).toBe('{clear}tag2');
  });

  it('refuses NEWPASS before login, an empty NEWPASS, PASS without USER', async () => {
    const s = await start();
    const c = await LineClient.connect(s.port);
    await c.line();
    expect(await c.command('NEWPASS x')).toMatch(/^500 /);
    expect(await c.command('PASS x')).toMatch(/^500 USER first/);
    expect(await c.command('USER alice')).toMatch(/^200 /);
    expect(await c.command('PASS wrong')).toMatch(/^500 /);
    expect(await c.command('NEWPASS x')).toMatch(/^500 /);
    c.close();
    const d = await login(s);
    expect(await d.command('NEWPASS')).toMatch(/^500 /);
    expect(await d.command('NEWPASS ')).toMatch(/^500 /);
    d.close();
    expect(s.directory.accounts.get(`${DOMAIN}/alice`)!.settings.password).toBe('{clear}old pass');
  });

  it('secureMethodRequired refuses PASS in the clear and accepts it after STLS', async () => {
    const s = await start({ tls: 'starttls' });
    s.directory.server = { defaultAccountSettings: { secureMethodRequired: true } };
    const c = await LineClient.connect(s.port);
    await c.line();
    expect(await c.command('USER alice')).toMatch(/^200 /);
    expect(await c.command('PASS old pass')).toMatch(/^500 /);
    expect(await c.command('STLS')).toMatch(/^200 /);
    await c.startTls();
    expect(await c.command('USER alice')).toMatch(/^200 /);
    expect(await c.command('PASS old pass')).toMatch(/^200 /);
    c.close();
  });

  it('AUTH answers unsupported without a session-ID login, and uses it when one is given', async () => {
    const s = await start();
    const c = await LineClient.connect(s.port);
    await c.line();
    expect(await c.command('AUTH SESSIONID alice 1234')).toBe('500 unsupported');
    expect(await c.command('AUTH PLAIN')).toBe('500 unsupported');
    c.close();
    await s.close();
    const seen: string[] = [];
    const t = await start({
      options: {
        sessionIdLogin: async (user, id) => {
          seen.push(`${user}/${id}`);
          return id === 'good'
            ? { ok: true, success: { authcid: 'alice@example.test', authzid: 'alice@example.test', mechanism: 'SESSIONID', account: { name: 'alice', domain: DOMAIN, settings: {} } } }
            : { ok: false, failure: { code: 'bad-credentials', message: 'no such session' } };
        },
      },
    });
    const d = await LineClient.connect(t.port);
    await d.line();
    expect(await d.command('AUTH SESSIONID alice bad')).toBe('500 no such session');
    expect(await d.command('AUTH SESSIONID alice good')).toMatch(/^200 /);
    expect(await d.command('NEWPASS via-session')).toMatch(/^200 /);
    d.close();
    expect(seen).toEqual(['alice/bad', 'alice/good']);
  });

  it('closes after too many bad commands, and survives garbage and over-long lines', async () => {
    const s = await start();
    const c = await LineClient.connect(s.port);
    await c.line();
    c.send(Buffer.from([0xff, 0x00, 0x0d, 0x0a]));
    expect(await c.line()).toMatch(/^500 /);
    c.send('A'.repeat(20_000));
    expect(await c.line()).toBe('500 line too long');
    for (let i = 0; i < 8; i++) expect(await c.command('BOGUS')).toMatch(/^500 /);
    expect(await c.command('BOGUS')).toBe('500 too many bad commands');
    expect(await c.closedByServer()).toBe(true);
    const d = await login(s);
    d.close();
  });

  it('refuses a non-client address at connect when loginsFromNonClients=prohibit', async () => {
    const s = await start();
    s.directory.server = { loginsFromNonClients: 'prohibit', clientAddresses: ['10.0.0.0/8'] };
    const c = await LineClient.connect(s.port);
    // loopback is always a client
    expect(await c.line()).toMatch(/^200 /);
    c.close();
  });
});
