/** The built gateway (apps/gateway/dist/cli.js) in its own data directory, with IMAP and POP3 listeners. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort, startProcess, stopProcess } from './processes.js';
import { BENCH_PASSWORD, BENCH_USER, type Target } from './target.js';

const run = promisify(execFile);
export const GATEWAY_CLI = fileURLToPath(new URL('../../../apps/gateway/dist/cli.js', import.meta.url));

export interface GatewayOptions {
  key: string;
  label: string;
  /** `memory` or a redis:// URL */
  cache: string;
  logLevel: string;
  openFiles: number;
  /** extra node flags (--cpu-prof and its directory, for a profile) */
  nodeArgs?: string[];
}

export async function startGatewayTarget(o: GatewayOptions): Promise<Target> {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-bench-gw-'));
  const [imapPort, popPort] = [await freePort(), await freePort()];
  const config = join(dir, 'portcullis.yaml');
  // the listeners as shipped (STARTTLS offered), with a long pre-login timeout for the idle test
  const listener = (service: string, port: number) =>
    `  - { service: ${service}, port: ${port}, address: 127.0.0.1, tls: starttls, idleTimeoutPreLogin: 600 }`;
  await writeFile(
    config,
    [
      `dataDir: ${join(dir, 'data')}`,
      'mainDomain: bench.test',
      `cache: "${o.cache}"`,
      `logLevel: ${o.logLevel}`,
      'tls: { cert: auto }',
      'listeners:',
      listener('imap', imapPort),
      listener('pop', popPort),
      '',
    ].join('\n'),
  );
  try {
    await run(process.execPath, [GATEWAY_CLI, 'account', 'create', BENCH_USER, '--password', BENCH_PASSWORD, '--config', config]);
    const child = await startProcess(process.execPath, [...(o.nodeArgs ?? []), GATEWAY_CLI, 'serve', '--config', config], {
      readyText: 'portcullis ready',
      openFiles: o.openFiles,
    });
    return {
      key: o.key,
      label: o.label,
      imapPort,
      popPort,
      pid: child.pid!,
      tree: false,
      credentials: { user: BENCH_USER, password: BENCH_PASSWORD },
      async stop() {
        await stopProcess(child);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
