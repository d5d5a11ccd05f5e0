/**
 * The per-test store of the suites for one per-domain document (groups, access rights), run
 * against both stores: a fresh store with the given domains before each test; after it, the
 * stores another() opened are closed and the fixture cleaned up.
 */
import type { DirectoryStore, DomainSettings } from '@portcullis/auth-core';
import { afterEach, beforeEach } from 'vitest';

export interface DocumentFixture<S extends DirectoryStore> {
  store: S;
  /** another store over the same data, as another process would open it */
  another(): S;
  /** store, behind the store's back, a document for `domain` of the wrong shape */
  writeDamaged(domain: string): Promise<void>;
  cleanup(): Promise<void>;
}

/** The current test's fixture; its another() stores are closed after the test. */
export function perTestDocumentStore<S extends DirectoryStore>(
  setup: () => Promise<DocumentFixture<S>>,
  domains: readonly DomainSettings[],
): Omit<DocumentFixture<S>, 'cleanup'> {
  let f: DocumentFixture<S>;
  const opened: S[] = [];
  beforeEach(async () => {
    f = await setup();
    for (const d of domains) await f.store.createDomain(d);
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
    await f.cleanup();
  });
  return {
    get store() {
      return f.store;
    },
    another() {
      const s = f.another();
      opened.push(s);
      return s;
    },
    writeDamaged: (domain) => f.writeDamaged(domain),
  };
}
