import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const TEST_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = path.resolve(TEST_DIR, '..');

export interface RunResult {
  /** exit code; null when killed */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface RunOptions {
  timeoutMs?: number;
  cwd?: string;
  input?: string;
  env?: NodeJS.ProcessEnv;
}

/** Run a program to completion; a hung program is killed after timeoutMs and reported as such. */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd ?? REPO_ROOT,
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
    // a program that exits without reading its input (swaks, curl) closes the pipe: EPIPE is no failure
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

/** curl with a hard time limit of its own as well as ours. */
export function curl(args: readonly string[], timeoutMs = 30_000): Promise<RunResult> {
  return run('curl', ['--silent', '--show-error', '--max-time', '20', ...args], { timeoutMs });
}

/**
 * Run test/clients/NAME.py with one JSON argument under whatever `python3` is on PATH; the script
 * prints one JSON object as its last line.
 */
export async function python<T = Record<string, unknown>>(script: string, arg: unknown, timeoutMs = 30_000): Promise<T> {
  const file = path.join(TEST_DIR, 'clients', script);
  const res = await run('python3', [file, JSON.stringify(arg)], { timeoutMs });
  const lines = res.stdout.trim().split('\n');
  const last = lines[lines.length - 1] ?? '';
  try {
    return JSON.parse(last) as T;
  } catch {
    throw new Error(`python3 ${script} gave no JSON (code ${res.code}, timedOut ${res.timedOut}):\n${res.stdout}\n${res.stderr}`);
  }
}
