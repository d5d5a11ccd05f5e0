/**
 * An in-memory DirectoryStore for tests of the code around auth-core (protocols, policies) that
 * need a real Authenticator without files. Not used by production code; exported as
 * `@portcullis/auth-core/testing`.
 */
import type { DirectoryStore } from '../ports.js';
import type { AccountRecord, DomainSettings, ServerSettings } from '../settings.js';

const clone = <T>(v: T): T => structuredClone(v);

export class MemoryDirectory implements DirectoryStore {
  server: ServerSettings = {};
  domains = new Map<string, DomainSettings>();
  accounts = new Map<string, AccountRecord>();
  /** make every call throw (storage outage) */
  broken = false;

  private check(): void {
    if (this.broken) throw new Error('directory unavailable');
  }
  async getServerSettings(): Promise<ServerSettings> {
    this.check();
    return clone(this.server);
  }
  async setServerSettings(settings: ServerSettings): Promise<void> {
    this.server = clone(settings);
  }
  async getDomain(name: string): Promise<DomainSettings | null> {
    this.check();
    const d = this.domains.get(name.toLowerCase());
    return d ? clone(d) : null;
  }
  async resolveDomain(nameOrAlias: string): Promise<DomainSettings | null> {
    this.check();
    const key = nameOrAlias.toLowerCase();
    for (const d of this.domains.values()) {
      if (d.name === key || (d.aliases ?? []).some((a) => a.toLowerCase() === key)) return clone(d);
    }
    return null;
  }
  async listDomains(): Promise<string[]> {
    return [...this.domains.keys()];
  }
  async createDomain(settings: DomainSettings): Promise<void> {
    if (this.domains.has(settings.name)) throw new Error('domain exists');
    this.domains.set(settings.name, clone(settings));
  }
  async updateDomain(settings: DomainSettings): Promise<void> {
    this.domains.set(settings.name, clone(settings));
  }
  async getAccount(domain: string, name: string): Promise<AccountRecord | null> {
    this.check();
    const a = this.accounts.get(`${domain}/${name}`);
    return a ? clone(a) : null;
  }
  async listAccounts(domain: string): Promise<string[]> {
    return [...this.accounts.values()].filter((a) => a.domain === domain).map((a) => a.name);
  }
  async createAccount(account: AccountRecord): Promise<void> {
    this.accounts.set(`${account.domain}/${account.name}`, clone(account));
  }
  async updateAccount(account: AccountRecord): Promise<void> {
    this.accounts.set(`${account.domain}/${account.name}`, clone(account));
  }
  async close(): Promise<void> {}
}
