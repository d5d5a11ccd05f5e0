/**
 * `KEY=VALUE` arguments: a nested key uses dots, `KEY=` (empty) removes the key so the default
 * applies again, and a value starting with `@` is read from that file.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { SETTING_KEYS, type KeySpec, type SettingsLevel } from './setting-keys.js';
import { ValueError } from './value-parsers.js';

export interface Assignment {
  /** canonical dotted key */
  key: string;
  spec: KeySpec;
  /** undefined: remove the key */
  value: unknown;
}

const MAX_VALUE_FILE = 1024 * 1024;

async function readValueFile(file: string, cwd: string, key: string): Promise<string> {
  const path = resolve(cwd, file);
  let data: string;
  try {
    data = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`${key}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (data.length > MAX_VALUE_FILE) throw new UsageError(`${key}: ${path} is larger than 1 MiB`);
  // a file's final line break is not part of the value
  return data.replace(/\r?\n$/, '');
}

function findKey(level: SettingsLevel, key: string): [string, KeySpec] {
  const keys = SETTING_KEYS[level];
  const exact = keys[key];
  if (exact) return [key, exact];
  const folded = Object.keys(keys).find((k) => k.toLowerCase() === key.toLowerCase());
  if (folded) return [folded, keys[folded]!];
  throw new UsageError(`unknown ${level} setting '${key}'; known: ${Object.keys(keys).join(', ')}`);
}

export async function parseAssignments(level: SettingsLevel, args: readonly string[], cwd: string): Promise<Assignment[]> {
  const seen = new Set<string>();
  const out: Assignment[] = [];
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new UsageError(`expected KEY=VALUE, got '${arg.split('=')[0]}'`);
    const [key, spec] = findKey(level, arg.slice(0, eq).trim());
    if (seen.has(key)) throw new UsageError(`${key} is given twice`);
    seen.add(key);
    let raw = arg.slice(eq + 1);
    if (raw.length === 0) {
      out.push({ key, spec, value: undefined });
      continue;
    }
    if (raw.startsWith('@')) raw = await readValueFile(raw.slice(1), cwd, key);
    out.push(parsedAssignment(key, spec, raw));
  }
  return out;
}

/** One key's value from its text form, as the CLI checks it (the admin API sends the same text). */
export function parseAssignment(level: SettingsLevel, rawKey: string, raw: string | undefined): Assignment {
  const [key, spec] = findKey(level, rawKey.trim());
  return raw === undefined ? { key, spec, value: undefined } : parsedAssignment(key, spec, raw);
}

function parsedAssignment(key: string, spec: KeySpec, raw: string): Assignment {
  try {
    return { key, spec, value: spec.parse(raw) };
  } catch (err) {
    if (!(err instanceof ValueError)) throw err;
    const shown = spec.secret ? '' : ` (got '${raw.length > 60 ? `${raw.slice(0, 60)}...` : raw}')`;
    throw new UsageError(`bad value for ${key}: ${err.message}${shown}`);
  }
}

/** A copy of `settings` with the assignments applied (nested keys create their parent maps). */
export function applyAssignments<T extends object>(settings: T, assignments: readonly Assignment[]): T {
  const copy = structuredClone(settings) as Record<string, unknown>;
  for (const { key, value } of assignments) {
    const path = key.split('.');
    let node = copy;
    for (const part of path.slice(0, -1)) {
      const next = node[part];
      if (typeof next !== 'object' || next === null || Array.isArray(next)) node[part] = {};
      node = node[part] as Record<string, unknown>;
    }
    const last = path[path.length - 1]!;
    if (value === undefined) delete node[last];
    else node[last] = value;
  }
  return pruneEmpty(copy) as T;
}

/** Drop parent maps that became empty after removals. */
function pruneEmpty(obj: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      pruneEmpty(v as Record<string, unknown>);
      if (Object.keys(v).length === 0) delete obj[k];
    }
  }
  return obj;
}
