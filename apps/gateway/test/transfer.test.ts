/**
 * The `directory` config key and `export DIR` / `import DIR`, through the built bin against a
 * real redis-server.
 */
import { execFile } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { cli, tempDir } from './helpers.js';
import { startRedisServer, type RedisServerHandle as RedisServer } from '@portcullis/redis-client/testing';

const BIN = join(import.meta.dirname, '..', 'bin', 'portcullis.js');

let redis: RedisServer;
let dir: string;
let cleanup: () => Promise<void>;
let db = 0;

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(() => cleanup());

interface Run {
  code: number;
  out: string;
  err: string;
}

/** The built `portcullis ARGS` in the temp folder. */
function portcullis(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: dir, timeout: 30_000 }, (error, out, err) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, out, err });
    });
  });
}

async function ok(...args: string[]): Promise<Run> {
  const r = await portcullis(...args);
  if (r.code !== 0) throw new Error(`portcullis ${args.join(' ')} exited ${r.code}\n${r.out}\n${r.err}`);
  return r;
}

/** A config file naming a directory (a fresh Redis database, or `files` in ./NAME-data). */
async function config(name: string, directory: 'redis' | 'files'): Promise<string> {
  const spec = directory === 'redis' ? `redis://127.0.0.1:${redis.port}/${++db}` : 'files';
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, `mainDomain: main.test\ndataDir: ${name}-data\ndirectory: "${spec}"\n`);
  return file;
}

async function populate(cfg: string): Promise<void> {
  await ok('domain', 'create', 'corp.test', 'aliases=corp.example,mail.corp.test', 'loginMethods=CLRTXT,CRAM-MD5', '--config', cfg);
  await ok('account', 'create', 'alice@corp.test', '--password', 'Alice-Secret-1', 'passwordEncryption=U-crpt', '--config', cfg);
  await ok('account', 'create', 'bob', '--password', 'Bob-Secret-2', 'tagPasswords=app:Tag-Secret-3', 'failedLoginLimit=3', '--config', cfg);
  await ok('server', 'set', 'hideUnknownAccount=yes', 'defaultAccountSettings.failedLoginPeriod=60', '--config', cfg);
}

/** What the show commands print, in-process (faster than five processes; same code). */
async function showAll(cfg: string): Promise<string[]> {
  const show = async (...args: string[]): Promise<string> => {
    const r = await cli(dir, ...args, '--config', cfg);
    if (r.code !== 0) throw new Error(`${args.join(' ')}: ${r.err}`);
    return r.out;
  };
  return [
    (await show('server', 'show')).replace(/dataDir: .*\n/, ''),
    await show('domain', 'show', 'corp.test'),
    await show('domain', 'show', 'main.test'),
    await show('account', 'show', 'alice@corp.example'),
    await show('account', 'show', 'bob'),
  ];
}

describe('the directory config key', () => {
  it('defaults to files and takes a Redis URL', async () => {
    await writeFile(join(dir, 'a.yaml'), 'mainDomain: main.test\n');
    expect((await loadConfig('a.yaml', dir)).directory).toBe('files');
    await writeFile(join(dir, 'b.yaml'), 'directory: redis+sentinel://s1:26379,s2/mymaster/2\n');
    expect((await loadConfig('b.yaml', dir)).directory).toBe('redis+sentinel://s1:26379,s2/mymaster/2');
  });

  it.each(['mysql://db/x', 'file', 'redis://:Hunter2@host:notaport/0'])('refuses %j naming the key, never the password', async (spec) => {
    await writeFile(join(dir, 'c.yaml'), `directory: "${spec}"\n`);
    const err = (await loadConfig('c.yaml', dir).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/directory: /);
    expect(err.message).not.toContain('Hunter2');
  });

  it('keeps what the CLI writes in Redis, not in the data folder', async () => {
    const cfg = await config('r', 'redis');
    await populate(cfg);
    expect((await ok('account', 'show', 'alice@corp.test', '--config', cfg)).out).toContain('passwordEncryption: U-crpt');
    await expect(stat(join(dir, 'r-data'))).rejects.toMatchObject({ code: 'ENOENT' });
    const again = await portcullis('domain', 'create', 'corp.test', '--config', cfg);
    expect(again.code).toBe(1);
    expect(again.err).toContain('domain corp.test already exists');
  }, 60_000);
});

describe('export DIR and import DIR', () => {
  it('round-trip Redis -> files -> Redis and files -> files, passwords never printed', async () => {
    const redisA = await config('a', 'redis');
    await populate(redisA);
    const before = await showAll(redisA);

    const exported = await ok('export', 'dump', '--config', redisA);
    expect(exported.out).toMatch(/exported 2 domain\(s\) and 2 account\(s\)/);
    const alice = parse(await readFile(join(dir, 'dump', 'domains', 'corp.test', 'accounts', 'alice.yaml'), 'utf8')) as { password: string };
    expect(alice.password).toMatch(/^\{U-crpt\}/);

    const redisB = await config('b', 'redis');
    const imported = await ok('import', 'dump', '--config', redisB);
    expect(imported.out).toMatch(/imported 2 domain\(s\) and 2 account\(s\)/);
    expect(await showAll(redisB)).toEqual(before);

    const files = await config('f', 'files');
    await ok('import', 'dump', '--config', files);
    expect(await showAll(files)).toEqual(before);
    const stored = parse(await readFile(join(dir, 'f-data', 'domains', 'corp.test', 'accounts', 'alice.yaml'), 'utf8')) as { password: string };
    expect(stored.password).toBe(alice.password);

    await ok('export', 'dump2', '--config', files);
    const files2 = await config('g', 'files');
    await ok('import', 'dump2', '--config', files2);
    expect(await showAll(files2)).toEqual(before);

    for (const r of [exported, imported]) {
      for (const secret of ['Alice-Secret-1', 'Bob-Secret-2', 'Tag-Secret-3', alice.password]) {
        expect(r.out + r.err).not.toContain(secret);
      }
    }
  }, 180_000);

  it('refuses a missing DIR, an extra argument, the data folder itself, and a folder with no export', async () => {
    const files = await config('f', 'files');
    expect((await portcullis('export', '--config', files)).code).toBe(2);
    expect((await portcullis('import', 'a', 'b', '--config', files)).code).toBe(2);
    const self = await portcullis('import', 'f-data', '--config', files);
    expect(self.code).toBe(2);
    expect(self.err).toContain('is the data directory');
    const empty = await portcullis('import', 'nothing-here', '--config', files);
    expect(empty.code).toBe(1);
    expect(empty.err).toContain('holds no exported directory');
  }, 60_000);

  it('reports an unreachable Redis as a failure, not a crash', async () => {
    await writeFile(join(dir, 'down.yaml'), 'mainDomain: main.test\ndirectory: "redis://127.0.0.1:1/0"\n');
    const r = await portcullis('export', 'dump', '--config', 'down.yaml');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^portcullis: directory: redis:\/\/127\.0\.0\.1:1\/0 is not reachable/);
  }, 60_000);
});
