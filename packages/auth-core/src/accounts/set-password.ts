import { encodePassword } from '../passwords/stored-password.js';
import type { DirectoryStore } from '../ports.js';
import type { AccountRecord } from '../settings.js';
import { effectiveAccountSettings } from './effective-settings.js';
import { parseLoginName } from './login-name.js';
import { resolveLoginName } from './resolve.js';

/**
 * The stored form of `plain` for `account` as its effective passwordEncryption says (account,
 * then domain, then server defaults). The account need not exist yet: a CLI `account create` can
 * call this with the record it is about to create, settings from the same command included.
 */
export async function encodeAccountPassword(
  directory: DirectoryStore,
  account: AccountRecord,
  plain: string,
): Promise<string> {
  const [domain, server] = await Promise.all([directory.getDomain(account.domain), directory.getServerSettings()]);
  const { passwordEncryption } = effectiveAccountSettings(account.settings, domain, server);
  return encodePassword(plain, passwordEncryption);
}

/**
 * Set an existing account's own password (or a tag password with `user$tag@domain`), encoded per
 * the account's effective passwordEncryption. `defaultDomain` serves a name without `@domain`.
 * Returns the updated record.
 */
export async function setAccountPassword(
  directory: DirectoryStore,
  address: string,
  plain: string,
  defaultDomain?: string,
): Promise<AccountRecord> {
  const name = parseLoginName(address);
  if (!name) throw new Error(`not an account name: ${address}`);
  const fallback = name.domain ?? defaultDomain;
  if (!fallback) throw new Error(`account name without a domain: ${address}`);
  const { account, address: canonical } = await resolveLoginName(directory, name, fallback);
  if (!account) throw new Error(`unknown account: ${canonical}`);
  const stored = await encodeAccountPassword(directory, account, plain);
  const settings = { ...account.settings };
  if (name.tag !== undefined) settings.tagPasswords = { ...(settings.tagPasswords ?? {}), [name.tag]: stored };
  else settings.password = stored;
  const updated: AccountRecord = { ...account, settings };
  await directory.updateAccount(updated);
  return updated;
}
