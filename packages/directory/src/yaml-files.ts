import { statSync } from 'node:fs';
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

/** a file known not to exist (server.yaml often does not): re-checked by stat on every read */
const ABSENT = Symbol('absent');

/**
 * Reads YAML mappings, re-parsing a file only when it changed. Another process (the CLI) replaces
 * files by rename, which gives them a new inode, so (inode, mtime, size) spots every change even
 * within one mtime tick.
 */
export class YamlFileReader {
  private readonly cache = new Map<string, CachedFile | typeof ABSENT>();

  constructor(private readonly maxCached = 10_000) {}

  /** The mapping in `path` (a fresh copy the caller may change), or null when there is no file. */
  async read(path: string): Promise<Mapping | null> {
    // The common case, an unchanged (or still absent) file, costs one stat(2) and no thread-pool
    // round trip: it was open + fstat + close, several files per login, and the profile under load
    // showed those as the largest cost. A synchronous stat of a local file takes microseconds; the
    // data directory is local by design.
    const hit = this.cache.get(path);
    if (hit) {
      const st = statSync(path, { throwIfNoEntry: false });
      if (st === undefined) {
        if (hit === ABSENT) return null;
      } else if (hit !== ABSENT && hit.ino === st.ino && hit.mtimeMs === st.mtimeMs && hit.size === st.size) {
        return structuredClone(hit.value);
      }
    }
    return this.load(path);
  }

  /** Read and parse through one open handle, so that the identity cached is that of the text read. */
  private async load(path: string): Promise<Mapping | null> {
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        this.remember(path, ABSENT);
        return null;
      }
      throw err;
    }
    try {
      const st = await handle.stat();
      const text = await handle.readFile('utf8');
      const value = parseMapping(text, path);
      this.remember(path, { ino: st.ino, mtimeMs: st.mtimeMs, size: st.size, value });
      return structuredClone(value);
    } finally {
      await handle.close();
    }
  }

  private remember(path: string, entry: CachedFile | typeof ABSENT): void {
    if (this.cache.size >= this.maxCached && !this.cache.has(path)) this.cache.clear();
    this.cache.set(path, entry);
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
