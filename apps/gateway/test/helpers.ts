import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedisServer, type RedisServerHandle } from '@portcullis/redis-client/testing';
import { afterAll, beforeAll, expect } from 'vitest';
import { runCli } from '../src/run-cli.js';

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-gw-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** Run an admin command in-process, in `cwd`. */
export async function cli(cwd: string, ...argv: string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => void (out += t), err: (t) => void (err += t), cwd });
  return { code, out, err };
}

/** portcullis.yaml for the CLI tests: main domain main.test, data in state/. */
export const FILE_CONFIG = 'mainDomain: main.test\ndataDir: state\n';

/**
 * A temp folder the CLI tests run in: `config` as portcullis.yaml, the domain other.test (alias
 * alias.test) and `accounts` (password x), each made with the CLI itself.
 */
export async function cliFolder(accounts: readonly string[], config: string = FILE_CONFIG): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const folder = await tempDir();
  const { dir } = folder;
  try {
    await writeFile(join(dir, 'portcullis.yaml'), config);
    expect((await cli(dir, 'domain', 'create', 'other.test', 'aliases=alias.test')).code).toBe(0);
    for (const a of accounts) {
      expect((await cli(dir, 'account', 'create', a, '--password', 'x')).code).toBe(0);
    }
  } catch (err) {
    await folder.cleanup();
    throw err;
  }
  return folder;
}

/** A redis-server for the enclosing describe block: started in beforeAll, stopped by its handle in afterAll. */
export function useRedisServer(): { readonly port: number } {
  let server: RedisServerHandle | undefined;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });
  return {
    get port() {
      if (!server) throw new Error('the redis-server is used before its beforeAll ran');
      return server.port;
    },
  };
}
