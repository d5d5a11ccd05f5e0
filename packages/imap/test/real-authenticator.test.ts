/**
 * The handler over auth-core's real Authenticator (in-memory stores written here): real
 * advertising, CRAM-MD5, SCRAM-style success handling and policy failures reach the client as
 * the right IMAP replies.
 */
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createAuthenticator,
  createDefaultMechanisms,
  type AccountRecord,
  type DirectoryStore,
  type DomainSettings,
  type LockoutState,
  type SessionCache,
} from '@portcullis/auth-core';
import { createImapHandler } from '../src/index.js';
import { TestClient } from './support/client.js';
import { startTestServer, type TestServer } from './support/socket-connection.js';

const DOMAIN: DomainSettings = { name: 'example.test', loginMethods: ['CLRTXT', 'CRAM-MD5'] };
const ACCOUNTS: AccountRecord[] = [
  { name: 'alice', domain: 'example.test', settings: { password: '{clear}secret' } },
  { name: 'carol', domain: 'example.test', settings: { password: '{clear}secret', secureMethodRequired: true } },
];

const unused = (): never => {
  throw new Error('not used by these tests');
};

const directory: DirectoryStore = {
  getServerSettings: async () => ({}),
  setServerSettings: unused,
  getDomain: async (name) => (name === DOMAIN.name ? DOMAIN : null),
  resolveDomain: async (name) => (name.toLowerCase() === DOMAIN.name ? DOMAIN : null),
  listDomains: async () => [DOMAIN.name],
  createDomain: unused,
  updateDomain: unused,
  getAccount: async (domain, name) => ACCOUNTS.find((a) => a.domain === domain && a.name === name) ?? null,
  listAccounts: async () => ACCOUNTS.map((a) => a.name),
  createAccount: unused,
  updateAccount: unused,
  close: async () => undefined,
};

function memoryCache(): SessionCache {
  const nonces = new Set<string>();
  const failures = new Map<string, number>();
  return {
    recordFailure: async (key): Promise<LockoutState> => {
      const count = (failures.get(key) ?? 0) + 1;
      failures.set(key, count);
      return { count, locked: false };
    },
    isLocked: async () => false,
    clearFailures: async (key) => {
      failures.delete(key);
    },
    putNonce: async (n) => {
      nonces.add(n);
    },
    takeNonce: async (n) => nonces.delete(n),
    putSession: unused,
    getSession: async () => null,
    deleteSession: async () => undefined,
    close: async () => undefined,
  };
}

let server: TestServer | undefined;
let client: TestClient | undefined;

afterEach(async () => {
  client?.end();
  await server?.close();
});

async function open(): Promise<TestClient> {
  const authenticator = createAuthenticator({
    directory,
    cache: memoryCache(),
    mainDomain: DOMAIN.name,
    mechanisms: createDefaultMechanisms(),
    failureDelayMs: 0,
  });
  server = await startTestServer(createImapHandler({ authenticator, serverName: 'mail.example.test' }));
  client = await TestClient.connect(server.port);
  return client;
}

describe('with the real auth-core Authenticator', () => {
  it('advertises the domain Login Methods', async () => {
    const c = await open();
    const greeting = await c.line();
    expect(greeting).toContain('AUTH=PLAIN');
    expect(greeting).toContain('AUTH=CRAM-MD5');
    expect(greeting).not.toContain('AUTH=DIGEST-MD5');
    expect(greeting).not.toContain('LOGINDISABLED');
  });

  it('LOGIN succeeds and fails with AUTHENTICATIONFAILED', async () => {
    const c = await open();
    await c.line();
    expect((await c.command('a', 'LOGIN alice wrong')).at(-1)).toMatch(/^a NO \[AUTHENTICATIONFAILED\] /);
    const ok = await c.command('b', 'LOGIN alice@example.test secret');
    expect(ok.at(-1)).toMatch(/^b OK \[CAPABILITY .*\] LOGIN completed$/);
  });

  it('secure method required refuses a cleartext password on a plain link', async () => {
    const c = await open();
    await c.line();
    expect((await c.command('a', 'LOGIN carol secret')).at(-1)).toMatch(/^a NO \[PRIVACYREQUIRED\] /);
  });

  it('CRAM-MD5 through a continuation', async () => {
    const c = await open();
    await c.line();
    c.send('a AUTHENTICATE CRAM-MD5\r\n');
    const challengeLine = await c.line();
    expect(challengeLine).toMatch(/^\+ [A-Za-z0-9+/=]+$/);
    const challenge = Buffer.from(challengeLine.slice(2), 'base64').toString('latin1');
    const digest = createHmac('md5', 'secret').update(challenge).digest('hex');
    c.send(`${Buffer.from(`alice ${digest}`).toString('base64')}\r\n`);
    expect((await c.until('a')).at(-1)).toMatch(/^a OK \[CAPABILITY .*\] AUTHENTICATE completed$/);
  });
});
