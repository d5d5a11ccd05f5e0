/**
 * Private temporary keytab files: a domain's stored keys are written to one for exactly one
 * accept call (MIT reads keytabs only from files or its own MEMORY: type, which is process-wide
 * by name), mode 0600 in a 0700 directory, and removed right after.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeKeytab, type KeytabEntry } from './keytab.js';

export async function withTempKeytab<T>(
  entries: readonly KeytabEntry[],
  body: (path: string) => Promise<T>,
  baseDir: string = tmpdir(),
): Promise<T> {
  const dir = await mkdtemp(join(baseDir, 'portcullis-kt-'));
  const path = join(dir, `${randomBytes(6).toString('hex')}.keytab`);
  try {
    await writeFile(path, writeKeytab(entries), { mode: 0o600, flag: 'wx' });
    return await body(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
