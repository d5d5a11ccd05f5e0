/** A private redis-server on a free loopback port, when the machine has one. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { freePort, startProcess, stopProcess } from './processes.js';

export interface RunningRedis {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export function findExecutable(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/bin', '/sbin'])) {
    const p = join(dir, name);
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}

export async function startRedis(): Promise<RunningRedis | undefined> {
  const bin = findExecutable('redis-server');
  if (!bin) return undefined;
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-bench-redis-'));
  const port = await freePort();
  const child = await startProcess(
    bin,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { readyText: 'Ready to accept connections' },
  );
  return {
    url: `redis://127.0.0.1:${port}/0`,
    pid: child.pid!,
    async stop() {
      await stopProcess(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
