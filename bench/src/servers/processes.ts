/** Starting the measured servers as child processes, and reading their CPU time and memory. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface StartOptions {
  /** resolve once stdout (or stderr) has carried this text; absent: once spawned */
  readyText?: string;
  /** raise the soft open-file limit of the child to this (through the shell's ulimit) */
  openFiles?: number;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/**
 * Spawn `cmd args` and wait for its ready text. With `openFiles`, the command runs under
 * `sh -c 'ulimit -n N; exec "$@"'` (exec keeps the PID, so CPU and memory are the server's own).
 */
export async function startProcess(cmd: string, args: string[], options: StartOptions): Promise<ChildProcess> {
  const [file, argv] =
    options.openFiles === undefined
      ? [cmd, args]
      : ['/bin/sh', ['-c', `ulimit -n ${options.openFiles} 2>/dev/null || ulimit -n hard; exec "$@"`, 'sh', cmd, ...args]];
  const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} did not become ready: ${out.slice(-500)}`));
    }, options.timeoutMs ?? 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (options.readyText !== undefined && out.includes(options.readyText)) {
        clearTimeout(timer);
        resolve();
      }
    };
    if (options.readyText === undefined) {
      child.once('spawn', () => {
        clearTimeout(timer);
        resolve();
      });
    }
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} exited with ${code}: ${out.slice(-500)}`));
    });
  });
  // keep draining, discarding: a full pipe would stall the server
  child.stdout!.removeAllListeners('data').resume();
  child.stderr!.removeAllListeners('data').resume();
  return child;
}

export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** clock ticks per second of /proc/PID/stat (USER_HZ; 100 on Linux) */
const USER_HZ = 100;

interface Stat {
  ppid: number;
  /** utime + cutime, in ticks */
  user: number;
  /** stime + cstime, in ticks */
  system: number;
}

export interface CpuTimes {
  userS: number;
  systemS: number;
}

async function readStat(pid: number): Promise<Stat | null> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // the command name may hold spaces and parentheses: fields start after the last ')'
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // f[0] is field 3 (state): ppid is field 4, utime..cstime fields 14..17
  return { ppid: Number(f[1]), user: Number(f[11]) + Number(f[13]), system: Number(f[12]) + Number(f[14]) };
}

/**
 * CPU time used so far by a process and every live descendant, including the children they
 * have already reaped (cutime/cstime): Dovecot forks a process per login, and those count too.
 */
export async function cpuTimes(rootPid: number, tree = false): Promise<CpuTimes> {
  if (!tree) {
    const s = await readStat(rootPid);
    return { userS: (s?.user ?? 0) / USER_HZ, systemS: (s?.system ?? 0) / USER_HZ };
  }
  const pids = (await readdir('/proc')).filter((n) => /^\d+$/.test(n)).map(Number);
  const stats = new Map<number, Stat>();
  await Promise.all(
    pids.map(async (p) => {
      const s = await readStat(p);
      if (s) stats.set(p, s);
    }),
  );
  const inTree = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; hops++) {
      if (p === rootPid) return true;
      p = stats.get(p)?.ppid ?? 0;
    }
    return false;
  };
  let user = 0;
  let system = 0;
  for (const [pid, s] of stats) {
    if (!inTree(pid)) continue;
    user += s.user;
    system += s.system;
  }
  return { userS: user / USER_HZ, systemS: system / USER_HZ };
}

export async function cpuSeconds(rootPid: number, tree = false): Promise<number> {
  const t = await cpuTimes(rootPid, tree);
  return t.userS + t.systemS;
}

export async function rssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}
