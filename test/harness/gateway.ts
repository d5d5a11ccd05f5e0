/**
 * Starts the built `portcullis serve` as a separate process in a temporary directory, with a
 * generated config on free ports, and runs CLI commands against the same config.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePorts } from './ports.js';
import { REPO_ROOT, run, type RunResult } from './run.js';

export const CLI = path.join(REPO_ROOT, 'apps/gateway/dist/cli.js');
export const MAIN_DOMAIN = 'example.test';
export const SERVER_NAME = 'mail.example.test';

export interface ListenerSpec {
  /** imap, pop, and the services later packages add */
  service: string;
  tls: 'none' | 'starttls' | 'implicit';
  grant?: string[];
  deny?: string[];
  proxyProtocol?: boolean;
  proxyTrusted?: string[];
  idleTimeoutPreLogin?: number;
}

/** The listeners most test files need, by name. */
export const STANDARD_LISTENERS = {
  imap: { service: 'imap', tls: 'none' },
  imapStarttls: { service: 'imap', tls: 'starttls' },
  imaps: { service: 'imap', tls: 'implicit' },
  pop: { service: 'pop', tls: 'none' },
  popStarttls: { service: 'pop', tls: 'starttls' },
  pops: { service: 'pop', tls: 'implicit' },
} satisfies Record<string, ListenerSpec>;

export interface GatewayOptions<L extends string> {
  listeners: Record<L, ListenerSpec>;
  readyTimeoutMs?: number;
  /** more top-level config keys (cache, directory, a service's own section...) */
  config?: Record<string, unknown>;
  /** more fields for one listener, by name (merged over the spec) */
  listenerExtras?: Partial<Record<L, Record<string, unknown>>>;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class Gateway<L extends string = keyof typeof STANDARD_LISTENERS> {
  private child: ChildProcess | undefined;
  private exitStatus: ExitStatus | undefined;
  private exited: Promise<ExitStatus> | undefined;
  stdout = '';
  stderr = '';

  private constructor(
    readonly dir: string,
    readonly configPath: string,
    readonly dataDir: string,
    readonly ports: Record<L, number>,
  ) {}

  /** Write the config and start `serve`; resolves once it printed `portcullis ready`. */
  static async start<L extends string = keyof typeof STANDARD_LISTENERS>(
    opts?: GatewayOptions<L>,
  ): Promise<Gateway<L>> {
    const listeners = (opts?.listeners ?? STANDARD_LISTENERS) as Record<L, ListenerSpec>;
    const names = Object.keys(listeners) as L[];
    const portList = await freePorts(names.length);
    const ports = Object.fromEntries(names.map((n, i) => [n, portList[i]])) as Record<L, number>;
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'portcullis-it-'));
    const dataDir = path.join(dir, 'data');
    const config = {
      dataDir,
      mainDomain: MAIN_DOMAIN,
      hostname: SERVER_NAME,
      cache: 'memory',
      tls: { cert: 'auto' },
      listeners: names.map((n) => ({ ...listeners[n], port: ports[n], address: '127.0.0.1', ...opts?.listenerExtras?.[n] })),
      ...opts?.config,
    };
    // JSON is YAML 1.2, so the config needs no YAML writer.
    const configPath = path.join(dir, 'portcullis.yaml');
    await fs.writeFile(configPath, JSON.stringify(config, null, 2) + '\n');
    const gw = new Gateway<L>(dir, configPath, dataDir, ports);
    await gw.spawnServe(opts?.readyTimeoutMs ?? 30_000);
    return gw;
  }

  private spawnServe(timeoutMs: number): Promise<void> {
    const child = spawn(process.execPath, [CLI, 'serve', '--config', this.configPath], {
      cwd: this.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exitStatus = { code, signal };
        resolve(this.exitStatus);
      });
    });
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (this.stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        child.kill('SIGKILL');
        reject(new Error(`gateway not ready after ${timeoutMs} ms\n${this.describe()}`));
      }, timeoutMs);
      const check = (): void => {
        if (/^portcullis ready\s*$/m.test(this.stdout) || /^portcullis ready\s*$/m.test(this.stderr)) {
          cleanup();
          resolve();
        }
      };
      const onExit = (): void => {
        cleanup();
        reject(new Error(`gateway exited before ready: ${JSON.stringify(this.exitStatus)}\n${this.describe()}`));
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        child.stderr!.off('data', check);
        child.off('exit', onExit);
      };
      child.stdout!.on('data', check);
      child.stderr!.on('data', check);
      child.on('exit', onExit);
    });
  }

  describe(): string {
    return `--- stdout ---\n${this.stdout.slice(-4000)}\n--- stderr ---\n${this.stderr.slice(-4000)}`;
  }

  /** Throws (with the logs) when the server process has died. */
  assertAlive(): void {
    if (!this.child || this.exitStatus !== undefined || this.child.exitCode !== null) {
      throw new Error(`gateway is not running: ${JSON.stringify(this.exitStatus)}\n${this.describe()}`);
    }
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** `portcullis ARGS --config FILE` */
  cli(...args: string[]): Promise<RunResult> {
    return run(process.execPath, [CLI, ...args, '--config', this.configPath], { cwd: this.dir, timeoutMs: 30_000 });
  }

  /** Like cli, but throws with the output unless it exits 0. */
  async cliOk(...args: string[]): Promise<RunResult> {
    const res = await this.cli(...args);
    if (res.code !== 0) {
      throw new Error(`portcullis ${args.join(' ')} exited ${res.code}\n${res.stdout}\n${res.stderr}`);
    }
    return res;
  }

  /** Stop (keeping the directory) and start `serve` again on the same config and data. */
  async restart(readyTimeoutMs = 30_000): Promise<ExitStatus> {
    const status = await this.stop({ keep: true });
    this.stdout = '';
    this.stderr = '';
    this.exitStatus = undefined;
    await this.spawnServe(readyTimeoutMs);
    return status;
  }

  /** SIGTERM, wait for the exit, remove the temporary directory; returns how it exited. */
  async stop(opts: { timeoutMs?: number; keep?: boolean } = {}): Promise<ExitStatus> {
    const timeoutMs = opts.timeoutMs ?? 15_000;
    if (!this.child || !this.exited) throw new Error('not started');
    if (this.exitStatus === undefined) this.child.kill('SIGTERM');
    const timer = new Promise<ExitStatus>((resolve) =>
      setTimeout(() => resolve({ code: null, signal: null }), timeoutMs).unref(),
    );
    const status = await Promise.race([this.exited, timer]);
    if (this.exitStatus === undefined) {
      this.child.kill('SIGKILL');
      await this.exited;
      if (!opts.keep) await fs.rm(this.dir, { recursive: true, force: true });
      throw new Error(`gateway did not exit within ${timeoutMs} ms of SIGTERM\n${this.describe()}`);
    }
    if (!opts.keep) await fs.rm(this.dir, { recursive: true, force: true });
    return status;
  }
}
