/**
 * auth-core's real Authenticator over in-memory stores: alice (clear password, so every SASL
 * mechanism works), carol (secureMethodRequired), and server settings a test may change.
 */
import {
  createAuthenticator,
  createDefaultMechanisms,
  type AccountRecord,
  type Authenticator,
  type DirectoryStore,
  type DomainSettings,
  type LockoutState,
  type ServerSettings,
  type SessionCache,
} from '@portcullis/auth-core';

export const DOMAIN_NAME = 'example.test';
export const ALICE = 'alice@example.test';
export const PASSWORD = 'Secret-1 with space';

export interface TestAuth {
  authenticator: Authenticator;
  server: ServerSettings;
  domain: DomainSettings;
}

const unused = (): never => {
  throw new Error('not used by these tests');
};

export function testAuth(loginMethods: string[] = ['CLRTXT', 'CRAM-MD5', 'DIGEST-MD5']): TestAuth {
  const domain: DomainSettings = { name: DOMAIN_NAME, loginMethods: loginMethods as DomainSettings['loginMethods'] };
  const server: ServerSettings = {};
  const accounts: AccountRecord[] = [
    { name: 'alice', domain: DOMAIN_NAME, settings: { password: `{clear}${PASSWORD}` } },
    { name: 'carol', domain: DOMAIN_NAME, settings: { password: `{clear}${PASSWORD}`, secureMethodRequired: true } },
  ];
  const directory: DirectoryStore = {
    getServerSettings: async () => server,
    setServerSettings: unused,
    getDomain: async (name) => (name === DOMAIN_NAME ? domain : null),
    resolveDomain: async (name) => (name.toLowerCase() === DOMAIN_NAME ? domain : null),
    listDomains: async () => [DOMAIN_NAME],
    createDomain: unused,
    updateDomain: unused,
    getAccount: async (d, name) => accounts.find((a) => a.domain === d && a.name === name) ?? null,
    listAccounts: async () => accounts.map((a) => a.name),
    createAccount: unused,
    updateAccount: unused,
    close: async () => undefined,
  };
  const authenticator = createAuthenticator({
    directory,
    cache: memoryCache(),
    mainDomain: DOMAIN_NAME,
    mechanisms: createDefaultMechanisms(),
    failureDelayMs: 0,
  });
  return { authenticator, server, domain };
}

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
