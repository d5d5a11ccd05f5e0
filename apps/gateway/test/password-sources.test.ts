import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DirectoryStore } from '@portcullis/auth-core';
import { openDirectoryStore } from '@portcullis/directory';
import { withExternalProvisioning } from '../src/serve/external-provisioning.js';
import { passwordSources } from '../src/serve/password-sources.js';

const silent = { info: () => undefined, warn: () => undefined, debug: () => undefined };

describe('passwordSources', () => {
  it('checks own, then OS, then the Authentication URI, then the External helper', () => {
    expect(passwordSources({ logger: silent }).map((c) => c.source)).toEqual(['own', 'os', 'uri', 'external']);
  });
});

describe('withExternalProvisioning', () => {
  let dir: string;
  let store: DirectoryStore;
  let asked: string[];
  const knows = new Set(['newbie@ext.test']);

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gw-provision-'));
    store = openDirectoryStore('file', { dataDir: dir });
    asked = [];
    await store.createDomain({ name: 'ext.test', defaultAccountSettings: { useExtPassword: true } });
    await store.createDomain({ name: 'plain.test' });
    await store.createAccount({ name: 'joe', domain: 'ext.test', settings: { password: '{clear}x' } });
  });
  afterEach(async () => {
    await store.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const provisioner = { provision: async (address: string) => (asked.push(address), knows.has(address)) };

  it('creates an unknown account the helper knows, with no own password', async () => {
    const wrapped = withExternalProvisioning(store, provisioner);
    const account = await wrapped.getAccount('ext.test', 'newbie');
    expect(account).toMatchObject({ name: 'newbie', domain: 'ext.test' });
    expect(account?.settings.password).toBeUndefined();
    expect(await store.getAccount('ext.test', 'newbie')).not.toBeNull();
    expect(asked).toEqual(['newbie@ext.test']);
  });

  it('asks nothing for existing accounts, other domains, or odd names; refuses what the helper does not know', async () => {
    const wrapped = withExternalProvisioning(store, provisioner);
    expect(await wrapped.getAccount('ext.test', 'joe')).not.toBeNull();
    expect(await wrapped.getAccount('plain.test', 'newbie')).toBeNull();
    expect(await wrapped.getAccount('ext.test', '../etc')).toBeNull();
    expect(asked).toEqual([]);
    expect(await wrapped.getAccount('ext.test', 'stranger')).toBeNull();
    expect(asked).toEqual(['stranger@ext.test']);
    expect(await store.getAccount('ext.test', 'stranger')).toBeNull();
  });

  it('passes every other method to the store itself', async () => {
    const wrapped = withExternalProvisioning(store, provisioner);
    expect(await wrapped.listDomains()).toEqual(expect.arrayContaining(['ext.test', 'plain.test']));
    expect((await wrapped.getDomain('ext.test'))?.defaultAccountSettings?.useExtPassword).toBe(true);
  });
});
