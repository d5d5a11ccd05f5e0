/** Accounts of a domain; never a password or a hash in an answer (redact.ts, as `account show`). */
import { accountView, createAccountWith, deleteAccountWith, passwordAssignment, updateAccountWith } from '../commands/account.js';
import { requireAccount } from '../commands/context.js';
import { rightsOf } from '../commands/rights.js';
import { canReadDomain, canWriteDomain, outranks, requireThat } from './access.js';
import type { Caller } from './caller.js';
import type { AdminDeps } from './deps.js';
import { badRequest, guarded } from './errors.js';
import { jsonAssignments } from './json-settings.js';
import { visibleDomain } from './domains.js';
import { closeSessionsOf } from './monitoring.js';
import { canonicalAccount } from '@portcullis/directory';

export interface AccountSummary {
  name: string;
  address: string;
}

export interface AccountDetail extends AccountSummary {
  settings: Record<string, unknown>;
  /** the values in force (account, then domain and server defaults, then built-in) */
  effective: Record<string, unknown>;
  passwordSet: boolean;
  /** tag names of the tag passwords, never the passwords */
  tagPasswords: string[];
  rights: string[];
}

function accountName(raw: string): string {
  const name = canonicalAccount(raw);
  if (name === null) throw badRequest(`'${raw}' is not a valid account name`);
  return name;
}

/** Drop what redact.ts leaves as markers, so the settings carry no secret-shaped keys at all. */
function withoutSecrets(settings: Record<string, unknown> | undefined): Record<string, unknown> {
  const { password: _p, tagPasswords: _t, ...rest } = settings ?? {};
  return rest;
}

export async function listAccounts(deps: AdminDeps, caller: Caller, rawDomain: string): Promise<AccountSummary[]> {
  const domain = await visibleDomain(deps, caller, rawDomain, canReadDomain);
  const names = (await deps.store.listAccounts(domain)).sort();
  return names.map((name) => ({ name, address: `${name}@${domain}` }));
}

export async function getAccount(deps: AdminDeps, caller: Caller, rawDomain: string, rawName: string): Promise<AccountDetail> {
  const domain = await visibleDomain(deps, caller, rawDomain, canReadDomain);
  const address = `${accountName(rawName)}@${domain}`;
  return guarded(async () => {
    const [account, view, rights] = await Promise.all([requireAccount(deps, address), accountView(deps, address), rightsOf(deps, address)]);
    return {
      name: account.name,
      address: view.account,
      settings: withoutSecrets(view.settings),
      effective: withoutSecrets(view.effective),
      passwordSet: account.settings.password !== undefined,
      tagPasswords: Object.keys(account.settings.tagPasswords ?? {}).sort(),
      rights: rights.rights,
    };
  });
}

export async function createAccount(
  deps: AdminDeps,
  caller: Caller,
  rawDomain: string,
  body: { name: string; password?: string | undefined; settings?: Record<string, unknown> | undefined },
): Promise<AccountSummary> {
  const domain = await visibleDomain(deps, caller, rawDomain, canWriteDomain);
  const name = accountName(body.name);
  return guarded(async () => {
    const assignments = jsonAssignments('account', body.settings ?? {});
    if (body.password !== undefined) {
      if (assignments.some((a) => a.key === 'password')) throw badRequest('give the password once: password or settings.password');
      assignments.push(passwordAssignment(body.password, 'password'));
    }
    const account = await createAccountWith(deps, `${name}@${domain}`, assignments);
    return { name: account.name, address: `${account.name}@${account.domain}` };
  });
}

/** The account, after checking the caller may change it (it holds no right the caller lacks). */
async function changeable(deps: AdminDeps, caller: Caller, rawDomain: string, rawName: string): Promise<string> {
  const domain = await visibleDomain(deps, caller, rawDomain, canWriteDomain);
  const address = `${accountName(rawName)}@${domain}`;
  const held = await guarded(async () => {
    await requireAccount(deps, address);
    return rightsOf(deps, address);
  });
  requireThat(outranks(caller, held.rights, domain), `every right ${address} holds (${held.rights.join(', ')})`);
  return address;
}

export async function updateAccount(
  deps: AdminDeps,
  caller: Caller,
  rawDomain: string,
  rawName: string,
  body: { settings?: Record<string, unknown> | undefined; password?: string | undefined },
): Promise<AccountDetail> {
  const address = await changeable(deps, caller, rawDomain, rawName);
  await guarded(async () => {
    const assignments = jsonAssignments('account', body.settings ?? {});
    if (body.password !== undefined) {
      if (assignments.some((a) => a.key === 'password')) throw badRequest('give the password once: password or settings.password');
      assignments.push(passwordAssignment(body.password, 'password'));
    }
    if (assignments.length === 0) throw badRequest('nothing to change: give settings or password');
    await updateAccountWith(deps, address, assignments);
  });
  return getAccount(deps, caller, rawDomain, rawName);
}

/**
 * Delete an account (Domain in its domain, and every right it holds): its settings, passwords,
 * rights, group memberships and mailboxes go; 409 for the main domain's postmaster.
 */
export async function deleteAccount(deps: AdminDeps, caller: Caller, rawDomain: string, rawName: string): Promise<void> {
  const address = await changeable(deps, caller, rawDomain, rawName);
  const deleted = await guarded(() => deleteAccountWith(deps, address));
  await closeSessionsOf(deps, [deleted]);
}
