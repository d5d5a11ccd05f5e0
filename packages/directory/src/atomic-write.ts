import { randomBytes } from 'node:crypto';
import { link, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Write a whole file so that a reader (another process) sees either the old or the new content,
 * never a torn one, and the new content survives a crash once this resolves.
 */
async function writeTemp(target: string, data: string, mode: number): Promise<string> {
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', mode);
  try {
    await handle.writeFile(data, 'utf8');
    // the mode given to open() is reduced by the umask; set it exactly
    await handle.chmod(mode);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await handle.close();
  return temp;
}

async function syncDir(dir: string): Promise<void> {
  // a directory fsync makes the rename durable; some file systems refuse it, which is harmless
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* best effort */
  }
}

/** Replace (or create) `target`. */
export async function writeFileAtomic(target: string, data: string, mode: number): Promise<void> {
  const temp = await writeTemp(target, data, mode);
  try {
    await rename(temp, target);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await syncDir(dirname(target));
}

/**
 * Create `target` only if it does not exist yet, atomically: link(2) fails with EEXIST instead of
 * replacing, so two concurrent creators cannot both succeed. Resolves false when it existed.
 */
export async function createFileExclusive(target: string, data: string, mode: number): Promise<boolean> {
  const temp = await writeTemp(target, data, mode);
  try {
    await link(temp, target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  await syncDir(dirname(target));
  return true;
}
