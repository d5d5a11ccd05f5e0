/** One end-to-end measurement: a scenario against a target, with the server's CPU time around it. */
import type { LoadPool } from './loadgen/pool.js';
import { scenarioNamed } from './loadgen/scenarios.js';
import { cpuTimes } from './servers/processes.js';
import type { Target } from './servers/target.js';

export interface RunFigures {
  target: string;
  scenario: string;
  generator: string;
  concurrency: number;
  seconds: number;
  logins: number;
  errors: number;
  errorSamples: string[];
  loginsPerS: number;
  p50Ms: number;
  p99Ms: number;
  /** server CPU seconds over the run (the process tree for forking servers) */
  serverCpuS: number;
  serverCpuPerLoginUs: number;
  /** of which in the kernel (system time): sockets, syscalls */
  serverSysPerLoginUs: number;
  /** share of one core the server used: near 1 means the server was the bottleneck */
  serverCores: number;
  /** cores the load generator used (this process and its workers) */
  generatorCores: number;
}

function quantile(sorted: number[], q: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export async function measureLogins(
  target: Target,
  scenarioName: string,
  pool: LoadPool,
  o: { concurrency: number; seconds: number; warmupSeconds: number },
): Promise<RunFigures> {
  const scenario = scenarioNamed(scenarioName);
  const job = {
    host: '127.0.0.1',
    port: scenario.protocol === 'imap' ? target.imapPort : target.popPort,
    scenario: scenario.name,
    concurrency: o.concurrency,
    credentials: target.credentials,
  };
  if (o.warmupSeconds > 0) await pool.run({ ...job, seconds: o.warmupSeconds });
  const cpu0 = await cpuTimes(target.pid, target.tree);
  const gen0 = await pool.cpuSeconds();
  const result = await pool.run({ ...job, seconds: o.seconds });
  const cpu1 = await cpuTimes(target.pid, target.tree);
  const gen1 = await pool.cpuSeconds();
  const lat = result.latenciesMs.sort((a, b) => a - b);
  const serverCpuS = cpu1.userS + cpu1.systemS - cpu0.userS - cpu0.systemS;
  const perLogin = (s: number) => (result.logins > 0 ? (s / result.logins) * 1e6 : 0);
  return {
    target: target.key,
    scenario: scenario.name,
    generator: pool.label,
    concurrency: o.concurrency,
    seconds: result.elapsedS,
    logins: result.logins,
    errors: result.errors,
    errorSamples: result.errorSamples,
    loginsPerS: result.logins / result.elapsedS,
    p50Ms: quantile(lat, 0.5),
    p99Ms: quantile(lat, 0.99),
    serverCpuS,
    serverCpuPerLoginUs: perLogin(serverCpuS),
    serverSysPerLoginUs: perLogin(cpu1.systemS - cpu0.systemS),
    serverCores: serverCpuS / result.elapsedS,
    generatorCores: (gen1 - gen0) / result.elapsedS,
  };
}
