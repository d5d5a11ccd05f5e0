/** An in-memory DirectoryStore, so the tests run the real auth-core without files. */
import type { AccountRecord, DirectoryStore, DomainSettings, ServerSettings } from '@portcullis/auth-core';

const clone = <T>(v: T): T => structuredClone(v);

export class MemoryDirectory implements DirectoryStore {
  server: ServerSettings = {};
  domains = new Map<string, DomainSettings>();
  accounts = new Map<string, AccountRecord>();

  async getServerSettings(): Promise<ServerSettings> {
    return clone(this.server);
  }
  async setServerSettings(settings: ServerSettings): Promise<void> {
    this.server = clone(settings);
  }
  async getDomain(name: string): Promise<DomainSettings | null> {
    const d = this.domains.get(name.toLowerCase());
    return d ? clone(d) : null;
  }
  async resolveDomain(nameOrAlias: string): Promise<DomainSettings | null> {
    const key = nameOrAlias.toLowerCase();
    for (const d of this.domains.values()) {
      if (d.name === key || (d.aliases ?? []).includes(key)) return clone(d);
    }
    return null;
  }
  async listDomains(): Promise<string[]> {
    return [...this.domains.keys()];
  }
  async createDomain(settings: DomainSettings): Promise<void> {
    this.domains.set(settings.name, clone(settings));
  }
  async updateDomain(settings: DomainSettings): Promise<void> {
    this.domains.set(settings.name, clone(settings));
  }
  async getAccount(domain: string, name: string): Promise<AccountRecord | null> {
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
