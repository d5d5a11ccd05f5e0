/** `npm run bench` options: command-line flags, else BENCH_* environment variables, else defaults. */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SCENARIOS } from './loadgen/scenarios.js';

export const TARGETS = ['baseline', 'gateway', 'gateway-redis', 'dovecot-default', 'dovecot-performance'] as const;
export type TargetName = (typeof TARGETS)[number];

export interface BenchOptions {
  seconds: number;
  warmupSeconds: number;
  concurrency: number;
  /** load-generator child processes; 0 runs the clients in the bench process itself */
  processes: number;
  idleConnections: number;
  scenarios: string[];
  targets: TargetName[];
  logLevel: string;
  authBench: boolean;
  /** the relayed FETCH case (gateway relaying to Dovecot vs Dovecot directly) */
  relayBench: boolean;
  /** only the relayed case: no auth-core, login or memory figures */
  relayOnly: boolean;
  /** rounds of FETCHes per path in the relayed case */
  relayRounds: number;
  /** how the gateway copies relayed bytes (its PORTCULLIS_RELAY_PATH): auto (splice on plain TCP), js, splice */
  relayPath: 'auto' | 'js' | 'splice';
  outDir: string;
  /** write V8 CPU profiles of the gateway here (node --cpu-prof) */
  profileDir?: string;
}

const HELP = `npm run bench [-- options]   (each also as an environment variable)
  --seconds N        measured seconds per scenario           BENCH_SECONDS (3)
  --warmup N         unmeasured seconds before each          BENCH_WARMUP (1)
  --concurrency N    clients at once (closed loop)           BENCH_CONCURRENCY (64)
  --processes N      load-generator processes, 0: in-process BENCH_PROCESSES (2)
  --idle N           idle IMAP connections for memory        BENCH_IDLE (5000)
  --scenarios LIST   ${SCENARIOS.map((s) => s.name).join(',')}   BENCH_SCENARIOS (all)
  --targets LIST     ${TARGETS.join(',')}   BENCH_TARGETS (all)
  --log-level L      the gateway's logLevel                  BENCH_LOG_LEVEL (info)
  --no-auth          skip the in-process auth-core figures   BENCH_AUTH=0
  --no-relay         skip the relayed 10 MB FETCH case       BENCH_RELAY=0
  --relay-only       only the relayed case (relay.json)      BENCH_RELAY=only
  --relay-rounds N   FETCH rounds per path, relayed case     BENCH_RELAY_ROUNDS (5)
  --relay-path P     gateway relay: auto, js, splice          BENCH_RELAY_PATH (auto)
  --out DIR          results directory                       BENCH_OUT (bench/results)
  --profile DIR      run the gateway under node --cpu-prof   BENCH_PROFILE
`;

function list<T extends string>(text: string, known: readonly T[], what: string): T[] {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const i of items) if (!known.includes(i as T)) throw new Error(`unknown ${what} '${i}' (known: ${known.join(', ')})`);
  return items as T[];
}

function count(text: string, name: string, min: number): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name}: expected a number >= ${min}, got '${text}'`);
  return n;
}

function relayPathOf(text: string): 'auto' | 'js' | 'splice' {
  if (text === 'auto' || text === 'js' || text === 'splice') return text;
  throw new Error(`--relay-path: expected auto, js or splice, got '${text}'`);
}

export function readOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      concurrency: { type: 'string' },
      processes: { type: 'string' },
      idle: { type: 'string' },
      scenarios: { type: 'string' },
      targets: { type: 'string' },
      'log-level': { type: 'string' },
      'no-auth': { type: 'boolean' },
      'no-relay': { type: 'boolean' },
      'relay-only': { type: 'boolean' },
      'relay-rounds': { type: 'string' },
      'relay-path': { type: 'string' },
      out: { type: 'string' },
      profile: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const profileDir = values.profile ?? env.BENCH_PROFILE;
  return {
    seconds: count(values.seconds ?? env.BENCH_SECONDS ?? '3', 'seconds', 0.1),
    warmupSeconds: count(values.warmup ?? env.BENCH_WARMUP ?? '1', 'warmup', 0),
    concurrency: Math.floor(count(values.concurrency ?? env.BENCH_CONCURRENCY ?? '64', 'concurrency', 1)),
    processes: Math.floor(count(values.processes ?? env.BENCH_PROCESSES ?? '2', 'processes', 0)),
    idleConnections: Math.floor(count(values.idle ?? env.BENCH_IDLE ?? '5000', 'idle', 0)),
    scenarios: list(values.scenarios ?? env.BENCH_SCENARIOS ?? SCENARIOS.map((s) => s.name).join(','), SCENARIOS.map((s) => s.name), 'scenario'),
    targets: list(values.targets ?? env.BENCH_TARGETS ?? TARGETS.join(','), TARGETS, 'target'),
    logLevel: values['log-level'] ?? env.BENCH_LOG_LEVEL ?? 'info',
    authBench: !(values['no-auth'] ?? env.BENCH_AUTH === '0'),
    relayBench: !(values['no-relay'] ?? env.BENCH_RELAY === '0'),
    relayOnly: values['relay-only'] ?? env.BENCH_RELAY === 'only',
    relayRounds: Math.floor(count(values['relay-rounds'] ?? env.BENCH_RELAY_ROUNDS ?? '5', 'relay-rounds', 1)),
    relayPath: relayPathOf(values['relay-path'] ?? env.BENCH_RELAY_PATH ?? 'auto'),
    outDir: values.out ?? env.BENCH_OUT ?? fileURLToPath(new URL('../results', import.meta.url)),
    ...(profileDir ? { profileDir } : {}),
  };
}

export { HELP };
