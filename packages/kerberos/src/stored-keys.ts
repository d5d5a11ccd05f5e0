/**
 * Kerberos keys as a domain stores them (the `kerberosKeys` domain setting): JSON-friendly, key
 * bytes in base64, each with a stable id so `kerberos delete` can name it.
 */
import { createHash } from 'node:crypto';
import type { KeytabEntry } from './keytab.js';

export interface StoredKerberosKey {
  /** short hex id derived from principal, kvno and enctype (stable across re-imports) */
  id: string;
  realm: string;
  components: string[];
  nameType: number;
  /** seconds since the epoch */
  timestamp: number;
  kvno: number;
  enctype: number;
  /** base64 key bytes: a secret, never printed */
  key: string;
}

/** The domain setting that holds the keys (additive to DomainSettings). */
export const KERBEROS_KEYS_SETTING = 'kerberosKeys';

export function keyId(e: Pick<KeytabEntry, 'realm' | 'components' | 'kvno' | 'enctype'>): string {
  return createHash('sha256')
    .update(`${e.components.join('/')}@${e.realm}\0${e.kvno}\0${e.enctype}`)
    .digest('hex')
    .slice(0, 12);
}

export function toStored(e: KeytabEntry): StoredKerberosKey {
  return {
    id: keyId(e),
    realm: e.realm,
    components: [...e.components],
    nameType: e.nameType,
    timestamp: e.timestamp,
    kvno: e.kvno,
    enctype: e.enctype,
    key: e.key.toString('base64'),
  };
}

export function fromStored(s: StoredKerberosKey): KeytabEntry {
  return {
    realm: s.realm,
    components: [...s.components],
    nameType: s.nameType,
    timestamp: s.timestamp,
    kvno: s.kvno,
    enctype: s.enctype,
    key: Buffer.from(s.key, 'base64'),
  };
}

function isStoredKey(v: unknown): v is StoredKerberosKey {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.id === 'string' &&
    typeof o.realm === 'string' &&
    Array.isArray(o.components) &&
    o.components.every((c) => typeof c === 'string') &&
    typeof o.nameType === 'number' &&
    typeof o.timestamp === 'number' &&
    typeof o.kvno === 'number' &&
    typeof o.enctype === 'number' &&
    typeof o.key === 'string'
  );
}

/** The well-formed keys in a domain's settings object (hand-edited junk is ignored). */
export function storedKeysOf(domain: object): StoredKerberosKey[] {
  const raw = (domain as Record<string, unknown>)[KERBEROS_KEYS_SETTING];
  return Array.isArray(raw) ? raw.filter(isStoredKey) : [];
}

/** Add `entries`, replacing a stored key with the same id (a re-import of the same key). */
export function mergeKeys(existing: readonly StoredKerberosKey[], entries: readonly KeytabEntry[]): StoredKerberosKey[] {
  const byId = new Map(existing.map((k) => [k.id, k]));
  for (const e of entries) {
    const s = toStored(e);
    byId.set(s.id, s);
  }
  return [...byId.values()];
}
