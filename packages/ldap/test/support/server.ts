/**
 * The LDAP handler behind the real listener on a free port, over auth-core's real Authenticator
 * with in-memory stores, so policies and mechanisms are the production ones.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { generate } from 'selfsigned';
import {
  createAuthenticator,
  createDefaultMechanisms,
  type AccountRecord,
  type Authenticator,
  type DirectoryStore,
  type DomainSettings,
  type LockoutState,
  type SessionCache,
} from '@portcullis/auth-core';
import { startListener, type TlsMaterial, type TlsMode } from '@portcullis/listener';
import { createLdapHandler, type LdapOptions } from '../../src/index.js';

export const DOMAIN: DomainSettings = { name: 'example.test' };
export const PASSWORD = 'Secret-Pass-1';
export const ACCOUNTS: AccountRecord[] = [
  { name: 'alice', domain: 'example.test', settings: { password: `{clear}${PASSWORD}` } },
  { name: 'bob', domain: 'example.test', settings: { password: `{clear}${PASSWORD}` } },
  { name: 'carol', domain: 'example.test', settings: { password: `{clear}${PASSWORD}`, secureMethodRequired: true } },
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
  return {
    recordFailure: async (): Promise<LockoutState> => ({ count: 1, locked: false }),
    isLocked: async () => false,
    clearFailures: async () => undefined,
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

let material: Promise<TlsMaterial> | undefined;

export function testTlsMaterial(): Promise<TlsMaterial> {
  material ??= generate([{ name: 'commonName', value: 'ldap.test' }], { keySize: 2048 }).then((p) => ({
    cert: p.cert,
    key: p.private,
  }));
  return material;
}

export interface TestServer {
  port: number;
  logs: string[];
  close(): Promise<void>;
}

export interface ServerOptions {
  tls?: TlsMode;
  idleTimeoutSec?: number;
  options?: Partial<LdapOptions>;
  /** wraps the real authenticator (to inject a refusal) */
  wrap?: (auth: Authenticator) => Authenticator;
}

export async function startLdapServer(opts: ServerOptions = {}): Promise<TestServer> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  const real = createAuthenticator({
    directory,
    cache: memoryCache(),
    mainDomain: DOMAIN.name,
    mechanisms: createDefaultMechanisms(),
    failureDelayMs: 0,
  });
  const authenticator = opts.wrap ? opts.wrap(real) : real;
  const handler = createLdapHandler({
    authenticator,
    serverName: 'mail.example.test',
    directory,
    mainDomain: DOMAIN.name,
    ...opts.options,
  });
  const tlsMode = opts.tls ?? 'none';
  const tls = tlsMode === 'none' ? undefined : await testTlsMaterial();
  const listener = await startListener(
    {
      service: 'ldap',
      port: 0,
      tls: tlsMode,
      ...(opts.idleTimeoutSec === undefined ? {} : { idleTimeoutPreLogin: opts.idleTimeoutSec, idleTimeoutPostLogin: opts.idleTimeoutSec }),
    },
    { handler, logger, ...(tls ? { tls } : {}) },
  );
  return { port: listener.port, logs, close: () => listener.close(200) };
}
