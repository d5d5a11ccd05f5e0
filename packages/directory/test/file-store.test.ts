import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createFileStore } from '../src/index.js';
import { directoryStoreSuite } from './store-suite.js';

let dir: string;

const ctx = directoryStoreSuite(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portcullis-dir-'));
  const store = createFileStore(dir);
  return {
    store,
    another: () => createFileStore(dir),
    async cleanup() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('file layout', () => {
  it('writes server settings to server.yaml', async () => {
    await ctx.store.setServerSettings({ hideUnknownAccount: true, clientAddresses: ['10.0.0.0/8'] });
    const text = await readFile(join(dir, 'server.yaml'), 'utf8');
    expect(text).toContain('hideUnknownAccount: true');
  });

  it('keeps a domain in domains/<name>/domain.yaml', async () => {
    await ctx.store.createDomain({ name: 'example.test', loginMethods: ['CLRTXT'] });
    await ctx.store.updateDomain({ name: 'example.test', loginMethods: ['CRAM-MD5'] });
    const text = await readFile(join(dir, 'domains', 'example.test', 'domain.yaml'), 'utf8');
    expect(text).toMatch(/loginMethods:\n\s+- CRAM-MD5/);
  });

  describe('accounts', () => {
    beforeEach(async () => {
      await ctx.store.createDomain({ name: 'example.test' });
    });

    it('creates an account file with mode 0600', async () => {
      await ctx.store.createAccount({ name: 'alice', domain: 'example.test', settings: { password: '{clear}pw' } });
      const file = join(dir, 'domains', 'example.test', 'accounts', 'alice.yaml');
      expect((await stat(file)).mode & 0o777).toBe(0o600);
    });

    it('leaves no temporary files behind', async () => {
      await ctx.store.createAccount({ name: 'bob', domain: 'example.test', settings: {} });
      await ctx.store.updateAccount({ name: 'bob', domain: 'example.test', settings: { failedLoginLimit: 3 } });
      expect(await readdir(join(dir, 'domains', 'example.test', 'accounts'))).toEqual(['bob.yaml']);
    });

    it('names the file when it holds broken YAML', async () => {
      await ctx.store.createAccount({ name: 'eve', domain: 'example.test', settings: {} });
      await writeFile(join(dir, 'domains', 'example.test', 'accounts', 'eve.yaml'), 'a: [unclosed\n');
      await expect(ctx.store.getAccount('example.test', 'eve')).rejects.toThrow(/eve\.yaml: not valid YAML/);
    });
  });
});
