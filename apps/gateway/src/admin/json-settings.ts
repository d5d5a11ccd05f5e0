/**
 * Settings as JSON (`{ "loginMethods": ["CLRTXT"], "externalAuth": { "timeout": 5 } }`) turned into
 * the CLI's assignments: each value is written as the CLI's text form and checked by the very same
 * key table and value parsers, so the API accepts exactly what `domain set` and friends accept.
 * `null` removes a key (the default applies again). No `@file` reading: that is the CLI's only.
 */
import { parseAssignment, type Assignment } from '../settings/assignments.js';
import { SETTING_KEYS, type SettingsLevel } from '../settings/setting-keys.js';
import { badRequest } from './errors.js';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function scalarText(key: string, v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw badRequest(`bad value for ${key}: expected a string, number or boolean`);
}

function textOf(key: string, v: unknown): string {
  if (Array.isArray(v)) return v.map((item) => scalarText(key, item)).join(',');
  if (isPlainObject(v)) return Object.entries(v).map(([k, item]) => `${k}:${scalarText(key, item)}`).join(',');
  return scalarText(key, v);
}

function isKnown(level: SettingsLevel, key: string): boolean {
  return Object.keys(SETTING_KEYS[level]).some((k) => k.toLowerCase() === key.toLowerCase());
}

/** Flatten nested objects into dotted keys, except where the key itself takes a map. */
function flatten(level: SettingsLevel, obj: Record<string, unknown>, prefix = ''): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isPlainObject(v) && !isKnown(level, key)) out.push(...flatten(level, v, key));
    else out.push([key, v]);
  }
  return out;
}

/** Keys holding lists, where [] (nothing) is a meaningful value. */
const LIST_KEYS = new Set(['loginmethods', 'aliases', 'enabledservices', 'clientaddresses', 'args']);

export function jsonAssignments(level: SettingsLevel, settings: Record<string, unknown>): Assignment[] {
  const seen = new Set<string>();
  return flatten(level, settings).map(([rawKey, value]) => {
    // an empty list is a value the CLI cannot type (e.g. no login methods at all)
    const empty = Array.isArray(value) && value.length === 0 && LIST_KEYS.has(rawKey.split('.').pop()!.toLowerCase());
    const a = parseAssignment(level, rawKey, value === null || empty ? undefined : textOf(rawKey, value));
    if (seen.has(a.key)) throw badRequest(`${a.key} is given twice`);
    seen.add(a.key);
    return empty ? { ...a, value: [] } : a;
  });
}
