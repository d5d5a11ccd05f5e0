import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccountMailboxes, MailboxStore } from '@portcullis/auth-core';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileMailboxStore, createRedisMailboxStore, DirectoryError } from '../src/index.js';
import { useRedisServer } from './redis-fixture.js';

interface Fixture {
  store: MailboxStore;
  /** a second store over the same data: another worker or instance */
  another(): MailboxStore;
  corrupt(owner: string): Promise<void>;
  cleanup(): Promise<void>;
}

/** Adds mailbox `name` with the next UIDVALIDITY; the result is that UIDVALIDITY. */
function addMailbox(name: string) {
  return (doc: AccountMailboxes) => {
    const uidValidity = doc.nextUidValidity;
    return {
      next: { nextUidValidity: uidValidity + 1, mailboxes: { ...doc.mailboxes, [name]: { uidValidity, acl: {} } } },
      result: uidValidity,
    };
  };
}

function suite(name: string, make: () => Promise<Fixture>): void {
  describe(`${name} mailbox store`, () => {
    let fx: Fixture;
    const extra: MailboxStore[] = [];
    afterEach(async () => {
      await Promise.all(extra.splice(0).map((s) => s.close()));
      await fx?.cleanup();
    });

    it('starts empty and keeps what update writes', async () => {
      fx = await make();
      const empty = await fx.store.getMailboxes('joe@example.test');
      expect(empty.mailboxes).toEqual({});
      expect(empty.nextUidValidity).toBeGreaterThan(1);
      const uv = await fx.store.updateMailboxes('joe@example.test', addMailbox('Projects'));
      const doc = await fx.store.getMailboxes('joe@example.test');
      expect(doc.mailboxes).toEqual({ Projects: { uidValidity: uv, acl: {} } });
      expect(doc.nextUidValidity).toBe(uv + 1);
      expect((await fx.store.getMailboxes('sam@example.test')).mailboxes).toEqual({});
    });

    it('loses no update when two stores write the same account at once', async () => {
      fx = await make();
      const other = fx.another();
      extra.push(other);
      const names = Array.from({ length: 16 }, (_, i) => `box${i}`);
      const uvs = await Promise.all(names.map((n, i) => (i % 2 ? other : fx.store).updateMailboxes('joe@example.test', addMailbox(n))));
      expect(new Set(uvs).size).toBe(names.length);
      const doc = await fx.store.getMailboxes('joe@example.test');
      expect(Object.keys(doc.mailboxes).sort()).toEqual([...names].sort());
    });

    it('writes nothing when the change answers null, and returns its result', async () => {
      fx = await make();
      const result = await fx.store.updateMailboxes('joe@example.test', () => ({ next: null, result: 'refused' }));
      expect(result).toBe('refused');
      expect(await fx.store.listSharingOwners()).toEqual([]);
    });

    it('lists only owners whose mailboxes carry an ACL entry', async () => {
      fx = await make();
      await fx.store.updateMailboxes('joe@example.test', addMailbox('Private'));
      await fx.store.updateMailboxes('ann@other.test', (doc) => ({
        next: { ...doc, mailboxes: { Shared: { uidValidity: 7, acl: { sam: 'lr', '-bob@example.test': 'r' } } } },
        result: null,
      }));
      expect(await fx.store.listSharingOwners()).toEqual(['ann@other.test']);
      expect((await fx.store.getMailboxes('ann@other.test')).mailboxes.Shared!.acl).toEqual({ sam: 'lr', '-bob@example.test': 'r' });
      // the last entry removed: no longer a sharer
      await fx.store.updateMailboxes('ann@other.test', (doc) => ({
        next: { ...doc, mailboxes: { Shared: { uidValidity: 7, acl: {} } } },
        result: null,
      }));
      expect(await fx.store.listSharingOwners()).toEqual([]);
    });

    it('refuses owners that are not account@domain and documents of the wrong shape', async () => {
      fx = await make();
      for (const bad of ['joe', '../x@example.test', 'joe@example.test/..', 'Joe@Example.test', '']) {
        await expect(fx.store.getMailboxes(bad)).rejects.toBeInstanceOf(DirectoryError);
      }
      const wrong = { mailboxes: { X: { uidValidity: 0, acl: {} } }, nextUidValidity: 5 };
      await expect(fx.store.updateMailboxes('joe@example.test', () => ({ next: wrong, result: 1 }))).rejects.toMatchObject({ code: 'invalid-name' });
      await fx.corrupt('joe@example.test');
      await expect(fx.store.getMailboxes('joe@example.test')).rejects.toMatchObject({ code: 'corrupt' });
    });
  });
}

suite('file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mbx-'));
  const store = createFileMailboxStore(dir);
  return {
    store,
    another: () => createFileMailboxStore(dir),
    async corrupt(owner) {
      const [a, d] = owner.split('@') as [string, string];
      await mkdir(join(dir, 'domains', d, 'mailboxes'), { recursive: true });
      await writeFile(join(dir, 'domains', d, 'mailboxes', `${a}.yaml`), 'mailboxes: [1, 2\n');
    },
    async cleanup() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('file mailbox store layout', () => {
  it('keeps one YAML file per account beside accounts/, and no lock file afterwards', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mbx-'));
    try {
      const store = createFileMailboxStore(dir);
      await store.updateMailboxes('joe@example.test', (doc) => ({
        next: { ...doc, mailboxes: { Projects: { uidValidity: 9, acl: { '#sales': 'lrs' } } } },
        result: null,
      }));
      const text = await readFile(join(dir, 'domains', 'example.test', 'mailboxes', 'joe.yaml'), 'utf8');
      expect(text).toContain('Projects:');
      expect(text).toContain('"#sales": lrs');
      const { readdir } = await import('node:fs/promises');
      expect(await readdir(join(dir, 'domains', 'example.test', 'mailboxes'))).toEqual(['joe.yaml']);
      expect(await store.listSharingOwners()).toEqual(['joe@example.test']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

const redis = useRedisServer('m');

suite('redis', async () => {
  const keyPrefix = redis.freshPrefix();
  const store = createRedisMailboxStore(redis.url, { keyPrefix });
  return {
    store,
    another: () => createRedisMailboxStore(redis.url, { keyPrefix }),
    async corrupt(owner) {
      const [a, d] = owner.split('@') as [string, string];
      await redis.probe.set(`${keyPrefix}{dir}:mailboxes:${d}:${a}`, '{"mailboxes": 3');
    },
    async cleanup() {
      await store.close();
    },
  };
});
