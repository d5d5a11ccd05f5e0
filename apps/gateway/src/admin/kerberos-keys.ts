/** A domain's Kerberos service keys (the KerberosKeys right); key bytes never leave the store. */
import { deleteKeysFrom, importKeysInto, keysOf } from '../commands/kerberos.js';
import type { KeySummary } from '@portcullis/kerberos';
import { canManageKeys } from './access.js';
import type { Caller } from './caller.js';
import type { AdminDeps } from './deps.js';
import { visibleDomain } from './domains.js';
import { badRequest, guarded } from './errors.js';

export interface KeyView {
  id: string;
  principal: string;
  realm: string;
  kvno: number;
  enctype: string;
  /** when the key was issued (the keytab's timestamp), ISO 8601 */
  added: string;
}

const view = (k: KeySummary): KeyView => ({ id: k.id, principal: k.principal, realm: k.realm, kvno: k.kvno, enctype: k.enctype, added: k.issued });

export async function listKerberosKeys(deps: AdminDeps, caller: Caller, rawDomain: string): Promise<KeyView[]> {
  const domain = await visibleDomain(deps, caller, rawDomain, canManageKeys);
  return guarded(async () => (await keysOf(deps, domain)).keys.map(view));
}

export async function importKerberosKeys(deps: AdminDeps, caller: Caller, rawDomain: string, keytabBase64: string): Promise<{ imported: number; keys: KeyView[] }> {
  const domain = await visibleDomain(deps, caller, rawDomain, canManageKeys);
  const data = Buffer.from(keytabBase64, 'base64');
  if (data.length === 0) throw badRequest('keytab: expected base64 of an MIT keytab file');
  return guarded(async () => {
    const { added } = await importKeysInto(deps, domain, data, 'keytab');
    return { imported: added.length, keys: added.map(view) };
  });
}

export async function deleteKerberosKeys(deps: AdminDeps, caller: Caller, rawDomain: string, ids: readonly string[]): Promise<{ deleted: string[]; unknown: string[] }> {
  const domain = await visibleDomain(deps, caller, rawDomain, canManageKeys);
  return guarded(async () => {
    const { deleted, unknown } = await deleteKeysFrom(deps, domain, ids);
    return { deleted, unknown };
  });
}
