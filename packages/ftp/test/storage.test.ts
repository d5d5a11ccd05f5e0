import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfinedStorage, StorageError } from '../src/index.js';

let dir: string;
let root: string;
let storage: ConfinedStorage;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ftp-storage-'));
  root = path.join(dir, 'files', 'example.test', 'alice');
  storage = await ConfinedStorage.open(root);
  await fs.writeFile(path.join(dir, 'secret.txt'), 'secret');
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const kind = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return e instanceof StorageError ? e.kind : `other: ${String(e)}`;
  }
};

describe('ConfinedStorage', () => {
  it('creates its root, makes, lists, renames and removes entries', async () => {
    await storage.makeDirectory('/d');
    const { handle } = await storage.openWrite('/d/f.txt', { kind: 'truncate' });
    await handle.writeFile('hello');
    await handle.close();
    expect((await storage.list('/d')).map((e) => [e.name, e.type, e.size])).toEqual([['f.txt', 'file', 5]]);
    await storage.rename('/d/f.txt', '/g.txt');
    expect((await storage.stat('/g.txt')).size).toBe(5);
    expect(await kind(storage.removeDirectory('/g.txt'))).toBe('not-dir');
    expect(await kind(storage.remove('/d'))).toBe('is-dir');
    await storage.remove('/g.txt');
    await storage.removeDirectory('/d');
    expect(await storage.list('/')).toEqual([]);
  });

  it('maps missing entries and conflicts to kinds', async () => {
    expect(await kind(storage.stat('/nope'))).toBe('not-found');
    expect(await kind(storage.openRead('/nope'))).toBe('not-found');
    await storage.makeDirectory('/d');
    expect(await kind(storage.makeDirectory('/d'))).toBe('exists');
    expect(await kind(storage.openWrite('/missing/f', { kind: 'truncate' }))).toBe('not-found');
    expect(await kind(storage.openRead('/d'))).toBe('is-dir');
    expect(await kind(storage.rename('/d', '/d/inside'))).toBe('denied');
    expect(await kind(storage.removeDirectory('/'))).toBe('denied');
  });

  it('refuses symbolic links that lead out of the root, for reading, listing and writing', async () => {
    await fs.symlink(dir, path.join(root, 'up'));
    await fs.symlink(path.join(dir, 'secret.txt'), path.join(root, 'secret-link'));
    await fs.symlink(path.join(dir, 'created-outside.txt'), path.join(root, 'dangling'));
    expect(await kind(storage.stat('/up'))).toBe('denied');
    expect(await kind(storage.list('/up'))).toBe('denied');
    expect(await kind(storage.openRead('/up/secret.txt'))).toBe('denied');
    expect(await kind(storage.openRead('/secret-link'))).toBe('denied');
    expect(await kind(storage.openWrite('/secret-link', { kind: 'truncate' }))).toBe('denied');
    expect(await kind(storage.openWrite('/dangling', { kind: 'truncate' }))).toBe('denied');
    expect(await kind(storage.openWrite('/up/new.txt', { kind: 'truncate' }))).toBe('denied');
    expect(await kind(storage.makeDirectory('/up/newdir'))).toBe('denied');
    expect(await kind(storage.rename('/secret-link', '/x'))).toBe('denied');
    expect(await storage.list('/')).toEqual([]);
    await expect(fs.stat(path.join(dir, 'created-outside.txt'))).rejects.toThrow();
    expect(await fs.readFile(path.join(dir, 'secret.txt'), 'utf8')).toBe('secret');
  });

  it('follows links that stay inside the root', async () => {
    await storage.makeDirectory('/real');
    await fs.symlink(path.join(root, 'real'), path.join(root, 'alias'));
    expect((await storage.stat('/alias')).type).toBe('dir');
  });

  it('restore undoes a refused upload', async () => {
    const made = await storage.openWrite('/new.bin', { kind: 'truncate' });
    await made.handle.close();
    await storage.restore('/new.bin', made.created, made.size);
    expect(await kind(storage.stat('/new.bin'))).toBe('not-found');
    await fs.writeFile(path.join(root, 'old.bin'), 'abc');
    const appended = await storage.openWrite('/old.bin', { kind: 'append' });
    await appended.handle.write('defgh');
    await appended.handle.close();
    await storage.restore('/old.bin', appended.created, appended.size);
    expect(await fs.readFile(path.join(root, 'old.bin'), 'utf8')).toBe('abc');
  });
});
