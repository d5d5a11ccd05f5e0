import { open } from 'node:fs/promises';
import { parse, stringify } from 'yaml';
import { DirectoryError } from './errors.js';

type Mapping = Record<string, unknown>;

interface CachedFile {
  ino: number;
  mtimeMs: number;
  size: number;
  value: Mapping;
}

/**
 * Reads YAML mappings, re-parsing a file only when it changed. Another process (the CLI) replaces
 * files by rename, which gives them a new inode, so (inode, mtime, size) spots every change even
 * within one mtime tick.
 */
export class YamlFileReader {
  private readonly cache = new Map<string, CachedFile>();

  constructor(private readonly maxCached = 10_000) {}

  /** The mapping in `path` (a fresh copy the caller may change), or null when there is no file. */
  async read(path: string): Promise<Mapping | null> {
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        this.cache.delete(path);
        return null;
      }
      throw err;
    }
    try {
      const st = await handle.stat();
      const hit = this.cache.get(path);
      if (hit && hit.ino === st.ino && hit.mtimeMs === st.mtimeMs && hit.size === st.size) {
        return structuredClone(hit.value);
      }
      const text = await handle.readFile('utf8');
      const value = parseMapping(text, path);
      if (this.cache.size >= this.maxCached) this.cache.clear();
      this.cache.set(path, { ino: st.ino, mtimeMs: st.mtimeMs, size: st.size, value });
      return structuredClone(value);
    } finally {
      await handle.close();
    }
  }

  forget(path: string): void {
    this.cache.delete(path);
  }

  clear(): void {
    this.cache.clear();
  }
}

export function parseMapping(text: string, path: string): Mapping {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new DirectoryError('corrupt', `${path}: not valid YAML: ${(err as Error).message}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new DirectoryError('corrupt', `${path}: expected a mapping of settings`);
  }
  return doc as Mapping;
}

export function renderMapping(header: string, value: object): string {
  const body = Object.keys(value).length === 0 ? '{}\n' : stringify(value, { lineWidth: 0 });
  return `# ${header}\n${body}`;
}
