/**
 * `npm run bench`: in-process auth-core figures, then end-to-end logins against the bare Node
 * baseline, the built gateway (memory cache, then Redis) and Dovecot, each started as a separate
 * process on loopback; memory per idle connection; results as tables, JSON and an SVG chart.
 * Prints; asserts nothing.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { authBench } from './auth-bench.js';
import { measureLogins, type RunFigures } from './e2e.js';
import { idleMemory, type IdleFigures } from './idle-memory.js';
import { openFileLimit } from './loadgen/fd-limit.js';
import { LoadPool } from './loadgen/pool.js';
import { scenarioNamed } from './loadgen/scenarios.js';
import { printTable } from './measure.js';
import { printRelay, relayBench, type RelayFigures } from './relay-bench.js';
import { HELP, readOptions, type BenchOptions, type TargetName } from './options.js';
import { fixed, formatTable, ratio } from './report/table.js';
import { renderChart } from './report/svg.js';
import { startBaseline } from './servers/baseline.js';
import { startDovecot } from './servers/dovecot.js';
import { startGatewayTarget } from './servers/gateway.js';
import { startRedis, type RunningRedis } from './servers/redis.js';
import type { Target } from './servers/target.js';

const COLORS: Record<TargetName, string> = {
  baseline: '#9e9e9e',
  gateway: '#1f77b4',
  'gateway-redis': '#17becf',
  'dovecot-default': '#d62728',
  'dovecot-performance': '#ff7f0e',
};
const HEADLINE = 'imap-plain';

const options = readOptions(process.argv.slice(2), process.env);
if (options === 'help') {
  process.stdout.write(HELP);
  process.exit(0);
}
await (options.relayOnly ? relayOnly(options) : main(options));

/** `--relay-only`: the relayed FETCH case alone, its figures in relay.json (latest.json stays) */
async function relayOnly(o: BenchOptions): Promise<void> {
  console.log(`# ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}\n`);
  const relay = await runRelay(o);
  if (!relay) return;
  await mkdir(o.outDir, { recursive: true });
  const machine = { cpus: cpus().length, model: cpus()[0]?.model, node: process.version };
  await writeFile(join(o.outDir, 'relay.json'), JSON.stringify({ date: new Date().toISOString(), machine, relay }, null, 2) + '\n');
  console.log(`results: ${join(o.outDir, 'relay.json')}`);
}

async function runRelay(o: BenchOptions, skipped: Record<string, string> = {}): Promise<RelayFigures | undefined> {
  const nodeArgs = o.profileDir ? ['--cpu-prof', '--cpu-prof-dir', o.profileDir, '--cpu-prof-name', `relay-gateway-${Date.now()}.cpuprofile`] : [];
  const relay = await relayBench({ rounds: o.relayRounds, nodeArgs, relayPath: o.relayPath }).catch((err: Error) => {
    skipped.relay = err.message.split('\n')[0]!.slice(0, 200);
    return undefined;
  });
  if (relay) printRelay(relay);
  else console.log(`## IMAP relay: skipped (${skipped.relay ?? 'Dovecot not installed'})\n`);
  return relay;
}

async function main(o: BenchOptions): Promise<void> {
  const limit = openFileLimit();
  // the generator holds the idle sockets itself: stay under its own limit
  const idleCount = Math.min(o.idleConnections, Math.max(0, limit - 500));
  if (idleCount < o.idleConnections) console.log(`note: open-file limit ${limit}: ${idleCount} idle connections instead of ${o.idleConnections}`);
  const serverFiles = idleCount + 1000;
  console.log(
    `# ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; ${o.seconds} s per run after ${o.warmupSeconds} s warm-up, ` +
      `concurrency ${o.concurrency}, load generator: ${o.processes === 0 ? 'in-process' : `${o.processes} processes`}\n`,
  );

  let auth: Awaited<ReturnType<typeof authBench>> = [];
  if (o.authBench) {
    console.log(`## auth-core, in process, one login per operation (${o.seconds} s each)`);
    auth = await authBench(o.seconds);
    printTable(auth);
    console.log();
  }

  const pool = new LoadPool(o.processes);
  const inProcess = o.processes === 0 ? pool : new LoadPool(0);
  const runs: RunFigures[] = [];
  const idle: Record<string, IdleFigures> = {};
  const skipped: Record<string, string> = {};
  const labels: Record<string, string> = {};
  let redis: RunningRedis | undefined;
  try {
    for (const name of o.targets) {
      let target: Target | undefined;
      try {
        target = await startTarget(name, o, serverFiles, async () => (redis ??= await startRedis()));
      } catch (err) {
        skipped[name] = (err as Error).message.split('\n')[0]!.slice(0, 200);
      }
      if (!target) {
        skipped[name] ??= 'not installed';
        console.log(`## ${name}: skipped (${skipped[name]})\n`);
        continue;
      }
      labels[name] = target.label;
      try {
        if ((name === 'baseline' || name === 'gateway') && idleCount > 0) {
          idle[name] = await idleMemory(target.pid, target.imapPort, idleCount);
        }
        const mine: RunFigures[] = [];
        for (const [i, s] of o.scenarios.entries()) {
          // a fresh Node server runs its first logins unoptimised: warm the first run longer
          mine.push(await measureLogins(target, s, pool, i === 0 ? { ...o, warmupSeconds: o.warmupSeconds * 3 } : o));
          // the generator itself may be what saturates: the headline once more from one process
          if (s === HEADLINE && o.processes > 0 && (name === 'baseline' || name === 'gateway')) {
            mine.push(await measureLogins(target, s, inProcess, o));
          }
        }
        runs.push(...mine);
        printRuns(target.label, mine, runs);
      } finally {
        await target.stop();
      }
    }
  } finally {
    pool.close();
    if (inProcess !== pool) inProcess.close();
    await redis?.stop();
  }

  printRatios(o.scenarios, runs);
  const summary = summarize(o, runs, idle);
  if (Object.keys(idle).length > 0) printIdle(idle);
  printTargets(summary.targets);
  let relay: RelayFigures | undefined;
  if (o.relayBench) relay = await runRelay(o, skipped);
  await mkdir(o.outDir, { recursive: true });
  const result = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, openFileLimit: limit },
    options: { ...o, outDir: undefined },
    runs,
    idle,
    skipped,
    targets: summary.targets,
    authCore: auth,
    ...(relay ? { relay } : {}),
  };
  await writeFile(join(o.outDir, 'latest.json'), JSON.stringify(result, null, 2) + '\n');
  const chartTargets = o.targets.filter((t) => labels[t]);
  await writeFile(
    join(o.outDir, 'latest.svg'),
    renderChart({
      title: `Logins over loopback, ${o.concurrency} clients at once (${cpus().length} cores)`,
      scenarios: o.scenarios.map((s) => ({ key: s, title: scenarioNamed(s).title.replace(' (SASL-IR)', '').replace('AUTHENTICATE ', 'AUTH ') })),
      targets: chartTargets.map((t) => ({ target: t, label: labels[t]!, color: COLORS[t] })),
      loginsPerS: (t, s) => primary(runs, t, s)?.loginsPerS,
      cpuPerLoginUs: (t, s) => primary(runs, t, s)?.serverCpuPerLoginUs,
    }),
  );
  console.log(`\nresults: ${join(o.outDir, 'latest.json')}, chart: ${join(o.outDir, 'latest.svg')}`);
}

async function startTarget(
  name: TargetName,
  o: BenchOptions,
  openFiles: number,
  redis: () => Promise<RunningRedis | undefined>,
): Promise<Target | undefined> {
  const profile = (tag: string) => (o.profileDir ? ['--cpu-prof', '--cpu-prof-dir', o.profileDir, '--cpu-prof-name', `${tag}-${Date.now()}.cpuprofile`] : []);
  switch (name) {
    case 'baseline':
      return startBaseline(openFiles);
    case 'gateway':
      return startGatewayTarget({ key: name, label: 'gateway, memory cache', cache: 'memory', logLevel: o.logLevel, openFiles, nodeArgs: profile(name) });
    case 'gateway-redis': {
      const r = await redis();
      if (!r) return undefined;
      return startGatewayTarget({ key: name, label: 'gateway, Redis cache', cache: r.url, logLevel: o.logLevel, openFiles, nodeArgs: profile(name) });
    }
    case 'dovecot-default':
      return startDovecot('default', openFiles);
    case 'dovecot-performance':
      return startDovecot('performance', openFiles);
  }
}

/** the run of a target and scenario with the configured generator (not the in-process repeat) */
function primary(runs: RunFigures[], target: string, scenario: string): RunFigures | undefined {
  return runs.find((r) => r.target === target && r.scenario === scenario && r.generator !== 'in-process') ??
    runs.find((r) => r.target === target && r.scenario === scenario);
}

function printRuns(label: string, mine: RunFigures[], all: RunFigures[]): void {
  console.log(`## ${label}`);
  const rows = mine.map((r) => {
    const base = all.find((b) => b.target === 'baseline' && b.scenario === r.scenario && b.generator === r.generator);
    const dove = primary(all, 'dovecot-default', r.scenario);
    return [
      scenarioNamed(r.scenario).title + (r.generator === 'in-process' ? ' [gen in-process]' : ''),
      fixed(r.loginsPerS),
      fixed(r.p50Ms, 2),
      fixed(r.p99Ms, 2),
      String(r.errors),
      fixed(r.serverCpuPerLoginUs),
      fixed(r.serverSysPerLoginUs),
      fixed(r.serverCores, 2),
      fixed(r.generatorCores, 2),
      base && r.target !== 'baseline' ? ratio(r.loginsPerS / base.loginsPerS) : '-',
      base && r.target !== 'baseline' ? ratio(r.serverCpuPerLoginUs / base.serverCpuPerLoginUs) : '-',
      dove && !r.target.startsWith('dovecot') ? ratio(r.loginsPerS / dove.loginsPerS) : '-',
    ];
  });
  console.log(
    formatTable(
      ['scenario', 'logins/s', 'p50 ms', 'p99 ms', 'errors', 'CPU µs/login', 'of it sys', 'srv cores', 'gen cores', 'x base /s', 'x base CPU', 'x dovecot /s'],
      rows,
    ),
  );
  for (const r of mine) if (r.errors > 0) console.log(`  ${r.scenario}: ${r.errors} errors, e.g. ${r.errorSamples.join(' | ')}`);
  console.log();
}

/** every server against the baseline and Dovecot, now that all have run */
function printRatios(scenarios: string[], runs: RunFigures[]): void {
  console.log('## ratios (logins/s and CPU per login; x base: to the bare baseline)');
  const rows: string[][] = [];
  for (const target of ['gateway', 'gateway-redis']) {
    for (const s of scenarios) {
      const r = primary(runs, target, s);
      if (!r) continue;
      const base = primary(runs, 'baseline', s);
      const dd = primary(runs, 'dovecot-default', s);
      const dp = primary(runs, 'dovecot-performance', s);
      const per = (x: RunFigures | undefined, f: (y: RunFigures) => number) => (x ? ratio(f(r) / f(x)) : '-');
      rows.push([
        `${target}: ${scenarioNamed(s).title}`,
        per(base, (y) => y.loginsPerS),
        per(base, (y) => y.serverCpuPerLoginUs),
        per(dd, (y) => y.loginsPerS),
        per(dd, (y) => y.serverCpuPerLoginUs),
        per(dp, (y) => y.loginsPerS),
        per(dp, (y) => y.serverCpuPerLoginUs),
      ]);
    }
  }
  console.log(formatTable(['server: scenario', 'x base /s', 'x base CPU', 'x dovecot /s', 'x dovecot CPU', 'x dovecot-hp /s', 'x dovecot-hp CPU'], rows));
  console.log();
}

function printIdle(idle: Record<string, IdleFigures>): void {
  console.log('## memory per idle IMAP connection (RSS, after the greeting)');
  console.log(
    formatTable(
      ['server', 'connections', 'RSS before MiB', 'RSS after MiB', 'KiB/connection'],
      Object.entries(idle).map(([k, f]) => [k, String(f.connections), fixed(f.rssBeforeKiB / 1024, 1), fixed(f.rssAfterKiB / 1024, 1), fixed(f.perConnectionKiB, 2)]),
    ),
  );
  console.log();
}

interface TargetCheck {
  goal: string;
  limit: string;
  value: number | undefined;
  met: boolean | undefined;
}

function summarize(o: BenchOptions, runs: RunFigures[], idle: Record<string, IdleFigures>): { targets: TargetCheck[] } {
  const base = primary(runs, 'baseline', HEADLINE);
  const gw = primary(runs, 'gateway', HEADLINE);
  const gr = primary(runs, 'gateway-redis', HEADLINE);
  const check = (goal: string, limit: string, value: number | undefined, ok: (v: number) => boolean): TargetCheck => ({
    goal,
    limit,
    value,
    met: value === undefined || !Number.isFinite(value) ? undefined : ok(value),
  });
  return {
    targets: [
      check(`gateway (memory) logins/s, IMAP AUTHENTICATE PLAIN at ${o.concurrency}`, '>= 0.8x baseline', gw && base ? gw.loginsPerS / base.loginsPerS : undefined, (v) => v >= 0.8),
      check('gateway (memory) CPU per login, same', '<= 2x baseline', gw && base ? gw.serverCpuPerLoginUs / base.serverCpuPerLoginUs : undefined, (v) => v <= 2),
      check('gateway (Redis) logins/s, same', '>= 0.6x baseline', gr && base ? gr.loginsPerS / base.loginsPerS : undefined, (v) => v >= 0.6),
      check(
        'memory per idle IMAP connection',
        '<= 1.5x baseline',
        idle.gateway && idle.baseline ? idle.gateway.perConnectionKiB / idle.baseline.perConnectionKiB : undefined,
        (v) => v <= 1.5,
      ),
    ],
  };
}

function printTargets(targets: TargetCheck[]): void {
  console.log('## targets (same machine, same run)');
  console.log(
    formatTable(
      ['target', 'goal', 'measured', 'met'],
      targets.map((t) => [t.goal, t.limit, ratio(t.value), t.met === undefined ? 'not measured' : t.met ? 'yes' : 'NO']),
    ),
  );
}
