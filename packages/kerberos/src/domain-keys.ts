/**
 * The `kerberos` admin commands' work over a directory store: add a keytab's keys to a domain,
 * list them without their key bytes, delete them by id.
 */
import type { DirectoryStore, DomainSettings } from '@portcullis/auth-core';
import { enctypeName, parseKeytab, principalName } from './keytab.js';
import { KERBEROS_KEYS_SETTING, mergeKeys, storedKeysOf, type StoredKerberosKey } from './stored-keys.js';

/** What `kerberos list` shows of a key: everything but the key. */
export interface KeySummary {
  id: string;
  realm: string;
  principal: string;
  /** ISO 8601 */
  issued: string;
  kvno: number;
  enctype: string;
}

function withKeys(domain: DomainSettings, keys: StoredKerberosKey[]): DomainSettings {
  const copy: Record<string, unknown> = { ...domain };
  if (keys.length > 0) copy[KERBEROS_KEYS_SETTING] = keys;
  else delete copy[KERBEROS_KEYS_SETTING];
  return copy as unknown as DomainSettings;
}

export function summarize(k: StoredKerberosKey): KeySummary {
  return {
    id: k.id,
    realm: k.realm,
    principal: principalName(k),
    issued: new Date(k.timestamp * 1000).toISOString(),
    kvno: k.kvno,
    enctype: enctypeName(k.enctype),
  };
}

/** Adds the keytab's keys to `domain` (a re-imported key replaces itself); returns the added ones. */
export async function importKeytab(store: DirectoryStore, domain: DomainSettings, keytab: Buffer): Promise<KeySummary[]> {
  const entries = parseKeytab(keytab);
  const keys = mergeKeys(storedKeysOf(domain), entries);
  await store.updateDomain(withKeys(domain, keys));
  const added = new Set(mergeKeys([], entries).map((k) => k.id));
  return keys.filter((k) => added.has(k.id)).map(summarize);
}

export function listKeys(domain: DomainSettings): KeySummary[] {
  return storedKeysOf(domain).map(summarize);
}

/** Deletes keys by id; ids that name no key are returned so the caller can report them. */
export async function deleteKeys(
  store: DirectoryStore,
  domain: DomainSettings,
  ids: readonly string[],
): Promise<{ deleted: string[]; unknown: string[] }> {
  const keys = storedKeysOf(domain);
  const have = new Set(keys.map((k) => k.id));
  const wanted = new Set(ids.map((i) => i.toLowerCase()));
  const unknown = [...wanted].filter((i) => !have.has(i));
  const deleted = keys.filter((k) => wanted.has(k.id)).map((k) => k.id);
  if (deleted.length > 0) await store.updateDomain(withKeys(domain, keys.filter((k) => !wanted.has(k.id))));
  return { deleted, unknown };
}
