/**
 * Account provisioning through the External Authentication helper (its NEW command): a login
 * that names an account which does not exist, in a domain whose default account settings (or the
 * server's) switch useExtPassword on, asks the helper; when the helper knows the user, the
 * account is created with no own password and the login goes on to check the password (VRFY).
 * Only the authenticator sees this store; the CLI and the admin side see the plain one.
 */
import { effectiveAccountSettings, type AccountRecord, type DirectoryStore } from '@portcullis/auth-core';
import type { ExternalAuthService } from '@portcullis/ext-auth';

/** the one thing provisioning needs of the helper */
export type Provisioner = Pick<ExternalAuthService, 'provision'>;

/** what a helper may provision: a plain local part (the login name rules keep it lower-case) */
const PROVISIONABLE_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export function withExternalProvisioning(store: DirectoryStore, externalAuth: Provisioner): DirectoryStore {
  const getAccount = async (domain: string, name: string): Promise<AccountRecord | null> => {
    const found = await store.getAccount(domain, name);
    if (found || !PROVISIONABLE_NAME.test(name)) return found;
    const [domainSettings, server] = await Promise.all([store.getDomain(domain), store.getServerSettings()]);
    if (!domainSettings || !effectiveAccountSettings({}, domainSettings, server).useExtPassword) return null;
    if (!(await externalAuth.provision(`${name}@${domain}`))) return null;
    const account: AccountRecord = { name, domain, settings: {} };
    try {
      await store.createAccount(account);
    } catch {
      // created meanwhile by another login or process: use that one
    }
    return store.getAccount(domain, name);
  };
  // a Proxy rather than a copy: the store's methods keep their own `this` (private fields)
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'getAccount') return getAccount;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
