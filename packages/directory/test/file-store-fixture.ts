/** A file directory store in a fresh temp folder, in the shape the shared store suites take. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileStore } from '../src/index.js';

/** `tmpPrefix` names the temp folder (`portcullis-groups-`…); cleanup closes the store and removes it. */
export async function freshFileStore(tmpPrefix: string): Promise<{
  dir: string;
  store: ReturnType<typeof createFileStore>;
  another: () => ReturnType<typeof createFileStore>;
  cleanup: () => Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), tmpPrefix));
  const store = createFileStore(dir);
  return {
    dir,
    store,
    another: () => createFileStore(dir),
    async cleanup() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
