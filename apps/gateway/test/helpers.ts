import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
