import type { ConnectionInfo } from '../connection.js';
import type { DirectoryStore } from '../ports.js';
import type { AccountRecord, DomainSettings } from '../settings.js';
import type { LoginName } from './login-name.js';

export interface ResolvedName {
  /** the domain the name points at, or null when no such domain (or alias) exists */
  domain: DomainSettings | null;
  /** the account, or null when unknown */
  account: AccountRecord | null;
  /** `user@domain` with the canonical domain name when known, else with the domain as typed */
  address: string;
}

/** The domain a name without `@domain` belongs to: the listener's, else the main domain. */
export function defaultDomainFor(conn: Pick<ConnectionInfo, 'listenerDomain'>, mainDomain: string): string {
  return (conn.listenerDomain ?? mainDomain).toLowerCase();
}

/** Find the account a parsed login name names; domain aliases name the same account. */
export async function resolveLoginName(
  directory: DirectoryStore,
  name: LoginName,
  fallbackDomain: string,
): Promise<ResolvedName> {
  const typedDomain = name.domain ?? fallbackDomain;
  const domain = await directory.resolveDomain(typedDomain);
  if (!domain) return { domain: null, account: null, address: `${name.user}@${typedDomain}` };
  const account = await directory.getAccount(domain.name, name.user);
  return { domain, account, address: `${name.user}@${domain.name}` };
}

export function addressOf(account: Pick<AccountRecord, 'name' | 'domain'>): string {
  return `${account.name}@${account.domain}`;
}
