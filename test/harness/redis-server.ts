/**
 * A private redis-server for a test file: a free loopback port, its own temporary folder, no
 * persistence; stop() ends it by PID and removes the folder.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePorts } from './ports.js';

export interface RedisServer {
  port: number;
  /** redis://127.0.0.1:PORT/DB */
  url(db?: number): string;
  stop(): Promise<void>;
}

export async function startRedisServer(timeoutMs = 10_000): Promise<RedisServer> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'portcullis-redis-'));
  const [port] = await freePorts(1);
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server not ready after ${timeoutMs} ms:\n${output}`)), timeoutMs);
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        output += d;
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited (${code}):\n${output}`));
      });
    });
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    await fs.rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    port: port!,
    url: (db = 0) => `redis://127.0.0.1:${port}/${db}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
