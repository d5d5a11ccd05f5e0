/**
 * Runs a load job in this process or split over several child processes (node:child_process
 * fork), so that on a small machine the generator is not what limits the figures.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cpuSeconds } from '../servers/processes.js';
import { runClosedLoop, type LoadJob, type LoadResult } from './closed-loop.js';

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));

type Reply = { ok: true; result: LoadResult } | { ok: false; error: string };

export class LoadPool {
  private readonly workers: ChildProcess[] = [];

  /** `processes` 0 runs every job in this process */
  constructor(readonly processes: number) {
    for (let i = 0; i < processes; i++) this.workers.push(fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }

  get label(): string {
    return this.processes === 0 ? 'in-process' : `${this.processes} processes`;
  }

  async run(job: LoadJob): Promise<LoadResult> {
    if (this.processes === 0) return runClosedLoop(job);
    const shares = this.workers.map((_, i) => Math.floor(job.concurrency / this.processes) + (i < job.concurrency % this.processes ? 1 : 0));
    const results = await Promise.all(
      this.workers.map((w, i) => (shares[i]! > 0 ? ask(w, { ...job, concurrency: shares[i]! }) : Promise.resolve(undefined))),
    );
    return merge(results.filter((r): r is LoadResult => r !== undefined));
  }

  /** CPU seconds used so far by the generator: this process and its workers */
  async cpuSeconds(): Promise<number> {
    const own = process.cpuUsage();
    const workers = await Promise.all(this.workers.map((w) => cpuSeconds(w.pid!)));
    return (own.user + own.system) / 1e6 + workers.reduce((a, b) => a + b, 0);
  }

  close(): void {
    for (const w of this.workers) w.disconnect();
  }
}

function ask(worker: ChildProcess, job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`load worker exited with ${code}`));
    worker.once('exit', onExit);
    worker.once('message', (reply: Reply) => {
      worker.off('exit', onExit);
      if (reply.ok) resolve(reply.result);
      else reject(new Error(reply.error));
    });
    worker.send(job);
  });
}

function merge(parts: LoadResult[]): LoadResult {
  return {
    logins: parts.reduce((n, p) => n + p.logins, 0),
    errors: parts.reduce((n, p) => n + p.errors, 0),
    errorSamples: [...new Set(parts.flatMap((p) => p.errorSamples))].slice(0, 5),
    elapsedS: Math.max(...parts.map((p) => p.elapsedS)),
    latenciesMs: parts.flatMap((p) => p.latenciesMs),
  };
}
