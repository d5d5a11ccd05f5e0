/**
 * Node cannot call setrlimit(2), so a process cannot raise its own open-file limit. The bench
 * starts its servers through `sh -c 'ulimit -n N; exec ...'` (see servers/processes.ts), which may
 * raise the soft limit up to the hard one, and keeps its own sockets within the limit it runs under.
 */
import { readFileSync } from 'node:fs';

/** the soft limit on open files of this process (Max open files in /proc/self/limits) */
export function openFileLimit(pid: number | 'self' = 'self'): number {
  try {
    const limits = readFileSync(`/proc/${pid}/limits`, 'utf8');
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(limits);
    return m?.[1] === undefined || m[1] === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(m[1]);
  } catch {
    return 1024;
  }
}
