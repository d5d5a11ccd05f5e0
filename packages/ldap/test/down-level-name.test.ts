/** Active Directory `DOMAIN\user` bind names: the pure mapping, then binds through the listener. */
import { afterEach, describe, expect, it } from 'vitest';
import { domainForDownLevel, splitDownLevelName } from '../src/index.js';
import { LdapTestClient, simpleBind, whoAmI } from './support/client.js';
import { PASSWORD, startLdapServer, type TestServer } from './support/server.js';

describe('splitting DOMAIN\\user', () => {
  it.each([
    ['EXAMPLE\\alice', { domainPart: 'EXAMPLE', user: 'alice' }],
    [' example\\Alice ', { domainPart: 'example', user: 'Alice' }],
    ['example.test\\alice', { domainPart: 'example.test', user: 'alice' }],
    ['EX-1\\a.b', { domainPart: 'EX-1', user: 'a.b' }],
  ])('%s', (name, parts) => {
    expect(splitDownLevelName(name)).toEqual(parts);
  });

  it.each(['alice', 'alice@example.test', 'uid=a\\,b,dc=x', '\\alice', 'EXAMPLE\\', 'A\\B\\c', 'EXAMPLE\\alice@x.test', 'EX AMPLE\\alice', '.example\\a', 'x'.repeat(254) + '\\a'])(
    '%s is not one',
    (name) => {
      expect(splitDownLevelName(name)).toBeNull();
    },
  );
});

describe('NetBIOS domain → gateway domain', () => {
  const domains = ['example.test', 'Other.Test', 'corp.one.test', 'corp.two.test'];
  it('matches the first label case-insensitively, or a whole domain name', () => {
    expect(domainForDownLevel('EXAMPLE', domains, [])).toBe('example.test');
    expect(domainForDownLevel('other', domains, [])).toBe('other.test');
    expect(domainForDownLevel('Example.TEST', domains, [])).toBe('example.test');
    expect(domainForDownLevel('nowhere', domains, [])).toBeNull();
    expect(domainForDownLevel('example.other', domains, [])).toBeNull();
  });

  it('a first label several domains share: the listener domain, then the main domain, else none', () => {
    expect(domainForDownLevel('CORP', domains, [])).toBeNull();
    expect(domainForDownLevel('CORP', domains, [undefined, 'corp.two.test'])).toBe('corp.two.test');
    expect(domainForDownLevel('CORP', domains, ['corp.one.test', 'corp.two.test'])).toBe('corp.one.test');
    expect(domainForDownLevel('CORP', domains, ['example.test'])).toBeNull();
  });
});

describe('simple bind with DOMAIN\\user', () => {
  let server: TestServer | undefined;
  const clients: LdapTestClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.end();
    await server?.close();
    server = undefined;
  });
  const connect = async () => {
    const c = await LdapTestClient.connect(server!.port, { tls: false });
    clients.push(c);
    return c;
  };

  it('EXAMPLE\\alice binds as alice@example.test; a wrong password or an unknown domain is invalidCredentials', async () => {
    server = await startLdapServer();
    const c = await connect();
    expect(await c.one(simpleBind('EXAMPLE\\alice', PASSWORD))).toMatchObject({ op: 'bindResponse', resultCode: 0 });
    const who = await c.one(whoAmI);
    expect(String((who as { value?: Buffer }).value ?? '')).toBe('u:alice@example.test');
    expect(await c.one(simpleBind('example\\alice', 'wrong'))).toMatchObject({ resultCode: 49 });
    expect(await c.one(simpleBind('NOWHERE\\alice', PASSWORD))).toMatchObject({ resultCode: 49 });
    expect(await c.one(simpleBind('example.test\\bob', PASSWORD))).toMatchObject({ resultCode: 0 });
    expect(server.logs.join('')).not.toContain(PASSWORD);
  });

  it('without a directory that lists domains, the main domain can still be named', async () => {
    server = await startLdapServer({ options: { directory: { listAccounts: async () => ['alice'] } } });
    const c = await connect();
    expect(await c.one(simpleBind('EXAMPLE\\alice', PASSWORD))).toMatchObject({ resultCode: 0 });
  });

  it('secure-method rules apply as to any simple bind', async () => {
    server = await startLdapServer();
    const c = await connect();
    expect(await c.one(simpleBind('EXAMPLE\\carol', PASSWORD))).toMatchObject({ resultCode: 13 });
  });
});
