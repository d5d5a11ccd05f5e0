/**
 * One account's files, strictly confined to its root folder. Every operation takes a virtual path
 * (already normalized by resolveVirtual, so `..` cannot climb above `/`) and checks the real file
 * system too: the deepest existing part of the path must resolve (symbolic links followed) to a
 * place inside the root, new files are created with O_NOFOLLOW, and a symbolic link is never
 * replaced or written through. Messages never show real paths.
 */
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { toRealPath, type EntryFacts } from '../codec/index.js';

export type StorageErrorKind = 'not-found' | 'exists' | 'not-dir' | 'is-dir' | 'denied' | 'not-empty' | 'io';

export class StorageError extends Error {
  constructor(
    readonly kind: StorageErrorKind,
    message: string,
  ) {
    super(message);
  }
}

const MESSAGES: Record<StorageErrorKind, string> = {
  'not-found': 'No such file or directory',
  exists: 'File exists',
  'not-dir': 'Not a directory',
  'is-dir': 'Is a directory',
  denied: 'Permission denied',
  'not-empty': 'Directory not empty',
  io: 'Requested action not taken',
};

function storageError(kind: StorageErrorKind): StorageError {
  return new StorageError(kind, MESSAGES[kind]);
}

/** Node's errno codes → our kinds; anything unexpected is a generic failure. */
function fromErrno(e: unknown): StorageError {
  if (e instanceof StorageError) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return storageError('not-found');
    case 'EEXIST':
      return storageError('exists');
    case 'ENOTDIR':
      return storageError('not-dir');
    case 'EISDIR':
      return storageError('is-dir');
    case 'ENOTEMPTY':
      return storageError('not-empty');
    case 'EACCES':
    case 'EPERM':
    case 'ELOOP':
      return storageError('denied');
    default:
      return storageError('io');
  }
}

export type WriteMode = { kind: 'truncate' } | { kind: 'append' } | { kind: 'offset'; offset: number };

export class ConfinedStorage {
  private constructor(private readonly root: string) {}

  /** Create the root when missing; `root` itself is resolved so later checks compare real paths. */
  static async open(root: string): Promise<ConfinedStorage> {
    await fs.mkdir(root, { recursive: true, mode: 0o750 });
    return new ConfinedStorage(await fs.realpath(root));
  }

  private inside(real: string): boolean {
    return real === this.root || real.startsWith(this.root + path.sep);
  }

  /**
   * The real path of `virtual`, checked: the deepest existing part, symbolic links followed, must
   * lie inside the root. Returns that resolved path when the whole path exists.
   */
  private async locate(virtual: string): Promise<{ real: string; resolved: string | undefined }> {
    const real = toRealPath(this.root, virtual);
    let probe = real;
    for (;;) {
      try {
        const resolved = await fs.realpath(probe);
        if (!this.inside(resolved)) throw storageError('denied');
        return { real, resolved: probe === real ? resolved : undefined };
      } catch (e) {
        if (e instanceof StorageError) throw e;
        const code = (e as NodeJS.ErrnoException).code;
        if ((code === 'ENOENT' || code === 'ENOTDIR') && probe !== this.root) {
          probe = path.dirname(probe);
          continue;
        }
        throw fromErrno(e);
      }
    }
  }

  /** A place a new entry may be made at: its parent exists inside the root, and it is no link. */
  private async locateNew(virtual: string): Promise<string> {
    if (virtual === '/') throw storageError('denied');
    const { real } = await this.locate(virtual);
    const parent = await this.locate(path.posix.dirname(virtual));
    if (parent.resolved === undefined) throw storageError('not-found');
    try {
      if ((await fs.lstat(real)).isSymbolicLink()) throw storageError('denied');
    } catch (e) {
      if (e instanceof StorageError) throw e;
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw fromErrno(e);
    }
    return path.join(parent.resolved, path.basename(real));
  }

  private async existing(virtual: string): Promise<string> {
    const { resolved } = await this.locate(virtual);
    if (resolved === undefined) throw storageError('not-found');
    return resolved;
  }

  async stat(virtual: string): Promise<EntryFacts> {
    try {
      const st = await fs.stat(await this.existing(virtual));
      return {
        name: virtual === '/' ? '/' : path.posix.basename(virtual),
        type: st.isDirectory() ? 'dir' : 'file',
        size: st.isDirectory() ? 0 : st.size,
        mtime: st.mtime,
      };
    } catch (e) {
      throw fromErrno(e);
    }
  }

  /** The entries of a directory; links that lead outside the root (or nowhere) are left out. */
  async list(virtual: string): Promise<EntryFacts[]> {
    let names: string[];
    try {
      const dir = await this.existing(virtual);
      if (!(await fs.stat(dir)).isDirectory()) throw storageError('not-dir');
      names = await fs.readdir(dir);
    } catch (e) {
      throw fromErrno(e);
    }
    const out: EntryFacts[] = [];
    for (const name of names.sort()) {
      try {
        const st = await this.stat(path.posix.join(virtual, name));
        if (st.type === 'dir' || st.type === 'file') out.push({ ...st, name });
      } catch {
        // an entry we may not show (escaping link, vanished meanwhile) is simply not listed
      }
    }
    return out;
  }

  async isDirectory(virtual: string): Promise<boolean> {
    try {
      return (await this.stat(virtual)).type === 'dir';
    } catch {
      return false;
    }
  }

  /** An open regular file for reading, from `offset`. */
  async openRead(virtual: string): Promise<fs.FileHandle> {
    try {
      const real = await this.existing(virtual);
      const handle = await fs.open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
      if (!(await handle.stat()).isFile()) {
        await handle.close();
        throw storageError('is-dir');
      }
      return handle;
    } catch (e) {
      throw fromErrno(e);
    }
  }

  /** An open regular file for writing; `size` is its length before this write (0 when new). */
  async openWrite(virtual: string, mode: WriteMode): Promise<{ handle: fs.FileHandle; size: number; created: boolean }> {
    try {
      const real = await this.locateNew(virtual);
      let size = 0;
      let created = true;
      try {
        const st = await fs.stat(real);
        if (!st.isFile()) throw storageError('is-dir');
        size = st.size;
        created = false;
      } catch (e) {
        if (e instanceof StorageError) throw e;
      }
      const flags =
        constants.O_WRONLY |
        constants.O_CREAT |
        constants.O_NOFOLLOW |
        (mode.kind === 'truncate' ? constants.O_TRUNC : 0) |
        (mode.kind === 'append' ? constants.O_APPEND : 0);
      const handle = await fs.open(real, flags, 0o640);
      return { handle, size, created };
    } catch (e) {
      throw fromErrno(e);
    }
  }

  async remove(virtual: string): Promise<void> {
    try {
      const real = await this.locateNew(virtual);
      const st = await fs.lstat(real);
      if (st.isDirectory()) throw storageError('is-dir');
      await fs.unlink(real);
    } catch (e) {
      throw fromErrno(e);
    }
  }

  /** Undo a refused upload: remove a file made by it, or cut an existing one back to its size. */
  async restore(virtual: string, created: boolean, size: number): Promise<void> {
    try {
      const real = await this.locateNew(virtual);
      if (created) await fs.unlink(real);
      else await fs.truncate(real, size);
    } catch {
      // best effort: the upload already failed and says so
    }
  }

  async makeDirectory(virtual: string): Promise<void> {
    try {
      await fs.mkdir(await this.locateNew(virtual), { mode: 0o750 });
    } catch (e) {
      throw fromErrno(e);
    }
  }

  async removeDirectory(virtual: string): Promise<void> {
    try {
      const real = await this.locateNew(virtual);
      if (!(await fs.lstat(real)).isDirectory()) throw storageError('not-dir');
      await fs.rmdir(real);
    } catch (e) {
      throw fromErrno(e);
    }
  }

  async rename(from: string, to: string): Promise<void> {
    try {
      const source = await this.locateNew(from);
      await fs.lstat(source);
      const target = await this.locateNew(to);
      if (from !== '/' && (to === from || to.startsWith(`${from}/`))) throw storageError('denied');
      await fs.rename(source, target);
    } catch (e) {
      throw fromErrno(e);
    }
  }
}
