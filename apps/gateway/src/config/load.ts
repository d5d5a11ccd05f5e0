import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import type { z } from 'zod';
import { UsageError } from '../errors.js';
import { configSchema, type ListenerConfig, type RawConfig } from './schema.js';

export const DEFAULT_CONFIG_FILE = 'portcullis.yaml';

export interface GatewayConfig extends Omit<RawConfig, 'hostname'> {
  /** absolute */
  dataDir: string;
  hostname: string;
  listeners: ListenerConfig[];
  /** the file it came from; undefined for the embedded defaults */
  source: string | undefined;
}

function formatPath(path: PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    const at = formatPath(issue.path);
    return issue.keys.map((k) => `${at ? `${at}.` : ''}${k}: unknown key`).join('; ');
  }
  const at = formatPath(issue.path);
  return `${at || '(top level)'}: ${issue.message}`;
}

/** Validate an already-parsed config document; `where` names it in errors. */
export function validateConfig(doc: unknown, where: string, baseDir: string): GatewayConfig {
  const result = configSchema.safeParse(doc ?? {});
  if (!result.success) {
    const lines = result.error.issues.map(describeIssue);
    throw new UsageError(`config ${where}: ${lines.join('; ')}`);
  }
  const c = result.data;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  return {
    ...c,
    dataDir: abs(c.dataDir),
    hostname: c.hostname ?? c.mainDomain,
    tls:
      c.tls.cert === 'auto'
        ? { cert: 'auto', ...(c.tls.ca ? { ca: abs(c.tls.ca) } : {}) }
        : { cert: abs(c.tls.cert), ...(c.tls.key ? { key: abs(c.tls.key) } : {}), ...(c.tls.ca ? { ca: abs(c.tls.ca) } : {}) },
    source: where === 'embedded defaults' ? undefined : where,
  };
}

/**
 * `--config FILE` when given (it must exist), else ./portcullis.yaml when present, else the
 * embedded defaults. Relative paths in a file are relative to the file's folder.
 */
export async function loadConfig(configFile: string | undefined, cwd: string): Promise<GatewayConfig> {
  let file: string | undefined;
  if (configFile !== undefined) {
    file = resolve(cwd, configFile);
    if (!existsSync(file)) throw new UsageError(`config ${file}: no such file`);
  } else if (existsSync(resolve(cwd, DEFAULT_CONFIG_FILE))) {
    file = resolve(cwd, DEFAULT_CONFIG_FILE);
  }
  if (file === undefined) return validateConfig({}, 'embedded defaults', cwd);
  let doc: unknown;
  try {
    doc = parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`config ${file}: ${(err as Error).message}`);
  }
  if (doc !== null && doc !== undefined && (typeof doc !== 'object' || Array.isArray(doc))) {
    throw new UsageError(`config ${file}: expected a mapping of keys at the top level`);
  }
  return validateConfig(doc, file, dirname(file));
}
