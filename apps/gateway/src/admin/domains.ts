/** Domains: list, create, read, change, delete (the CLI's `domain` operations behind rights checks). */
import { DEFAULT_LOGIN_METHODS } from '@portcullis/auth-core';
import { createDomainWith, deleteDomainWith, domainView, updateDomainWith } from '../commands/domain.js';
import { requireDomain } from '../commands/context.js';
import { canManageDomains, canReadDomain, canWriteDomain, requireThat, visibleDomains } from './access.js';
import type { Caller } from './caller.js';
import type { AdminDeps } from './deps.js';
import { AdminError, guarded, notFound } from './errors.js';
import { jsonAssignments } from './json-settings.js';
import { closeSessionsOf } from './monitoring.js';

export interface DomainSummary {
  name: string;
  accounts: number;
}

export interface DomainDetail {
  name: string;
  main: boolean;
  accounts: number;
  settings: Record<string, unknown> & { loginMethods: string[] };
}

/**
 * The canonical name of a domain the caller may see, or 404: a domain administrator learns
 * nothing about other domains, not even whether they exist.
 */
export async function visibleDomain(deps: AdminDeps, caller: Caller, raw: string, may: (c: Caller, d: string) => boolean): Promise<string> {
  const domain = await guarded(() => requireDomain(deps.store, raw)).catch((err: unknown) => {
    if (err instanceof AdminError && err.status === 400) throw notFound(`domain ${raw.toLowerCase()} does not exist`);
    throw err;
  });
  if (!may(caller, domain.name)) {
    if (visibleDomains(caller, [domain.name]).length === 0) throw notFound(`domain ${raw.toLowerCase()} does not exist`);
    throw new AdminError(403, `access right missing for domain ${domain.name}`);
  }
  return domain.name;
}

export async function listDomains(deps: AdminDeps, caller: Caller): Promise<DomainSummary[]> {
  const names = visibleDomains(caller, await deps.store.listDomains()).sort();
  return Promise.all(names.map(async (name) => ({ name, accounts: (await deps.store.listAccounts(name)).length })));
}

export async function getDomain(deps: AdminDeps, caller: Caller, raw: string): Promise<DomainDetail> {
  const name = await visibleDomain(deps, caller, raw, canReadDomain);
  return guarded(async () => {
    const view = await domainView(deps, name);
    // key material is for the kerberos-keys routes (and the KerberosKeys right) only
    const { kerberosKeys: _keys, ...settings } = view.settings;
    return {
      name: view.domain,
      main: view.main,
      accounts: view.accounts,
      settings: { aliases: [], ...settings, loginMethods: (settings['loginMethods'] as string[] | undefined) ?? [...DEFAULT_LOGIN_METHODS] },
    };
  });
}

export async function createDomain(deps: AdminDeps, caller: Caller, name: string, settings: Record<string, unknown> = {}): Promise<{ name: string }> {
  requireThat(canManageDomains(caller), 'AllDomains (create domains)');
  return guarded(async () => ({ name: await createDomainWith(deps, name, jsonAssignments('domain', settings)) }));
}

export async function updateDomain(deps: AdminDeps, caller: Caller, raw: string, settings: Record<string, unknown>): Promise<DomainDetail> {
  const name = await visibleDomain(deps, caller, raw, canWriteDomain);
  const assignments = await guarded(async () => jsonAssignments('domain', settings));
  // another name for the domain reaches into the shared name space: not a domain administrator's call
  if (assignments.some((a) => a.key === 'aliases')) requireThat(canManageDomains(caller), 'AllDomains (domain aliases)');
  await guarded(() => updateDomainWith(deps, name, assignments));
  return getDomain(deps, caller, name);
}

/**
 * Delete a domain (AllDomains or Master): 409 while it has accounts unless `force`, and always
 * for the main domain.
 */
export async function deleteDomain(deps: AdminDeps, caller: Caller, raw: string, force = false): Promise<void> {
  requireThat(canManageDomains(caller), 'AllDomains (delete domains)');
  const name = await visibleDomain(deps, caller, raw, canReadDomain);
  const accounts = await deps.store.listAccounts(name);
  await guarded(() => deleteDomainWith(deps, name, force));
  await closeSessionsOf(
    deps,
    accounts.map((a) => `${a}@${name}`),
  );
}
