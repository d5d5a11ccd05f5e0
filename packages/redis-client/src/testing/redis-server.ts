/**
 * Real Redis servers for tests (redis-server from Debian): a plain server, a Sentinel watching
 * one, and a 3-node Cluster, each on free loopback ports in a temporary directory, stopped by
 * PID. Not used by production code; exported as `@portcullis/redis-client/testing` so that
 * every package's tests start Redis the same way.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export interface RedisServerHandle {
  port: number;
  dir: string;
  url: string;
  pid: number;
  /** SIGTERM and wait for the exit (SIGKILL after 3 s) */
  stop(): Promise<void>;
  /** SIGKILL at once, as a crash would, and wait for the exit */
  kill(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A free TCP port on 127.0.0.1 (and `port + alsoFreeOffset` free too when given). */
export async function freePort(alsoFreeOffset?: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = alsoFreeOffset === undefined ? await ephemeralPort() : 20000 + Math.floor(Math.random() * 25000);
    if (alsoFreeOffset === undefined) return port;
    if ((await portIsFree(port)) && (await portIsFree(port + alsoFreeOffset))) return port;
  }
  throw new Error('no free port found');
}

function ephemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export interface StartRedisOptions {
  /** reuse a port (restart a stopped server on the same address) */
  port?: number;
  /** reuse a directory; default a new temporary one */
  dir?: string;
  /** more redis-server arguments, e.g. ['--cluster-enabled', 'yes'] */
  args?: string[];
}

export async function startRedisServer(options: StartRedisOptions = {}): Promise<RedisServerHandle> {
  const dir = options.dir ?? (await mkdtemp(path.join(tmpdir(), 'portcullis-redis-')));
  const port = options.port ?? (await freePort());
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...(options.args ?? [])];
  return launch('redis-server', args, port, dir, `redis://127.0.0.1:${port}`);
}

async function launch(command: string, args: string[], port: number, dir: string, url: string): Promise<RedisServerHandle> {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir });
  running.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      running.delete(child);
      resolve();
    });
  });
  const gone = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitForPing(port, 10_000, () => child.exitCode !== null);
  } catch (err) {
    await gone('SIGKILL');
    throw new Error(`${command} did not start on port ${port}: ${(err as Error).message} ${stderr}`);
  }
  return {
    port,
    dir,
    url,
    pid: child.pid ?? 0,
    stop: () => gone('SIGTERM'),
    kill: () => gone('SIGKILL'),
  };
}

/** Send PING until +PONG comes back. */
async function waitForPing(port: number, timeoutMs: number, died: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (died()) throw new Error('process exited');
    if (await ping(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no PONG');
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
  });
}

/** redis-cli with arguments; its standard output. */
export async function redisCli(args: string[]): Promise<string> {
  const { stdout } = await execFileP('redis-cli', args, { timeout: 30_000 });
  return stdout;
}

export interface SentinelHandle extends RedisServerHandle {
  masterName: string;
}

/** A Sentinel monitoring the server on `masterPort` as `masterName`; its url is redis+sentinel://. */
export async function startRedisSentinel(masterPort: number, masterName = 'mymaster'): Promise<SentinelHandle> {
  const dir = await mkdtemp(path.join(tmpdir(), 'portcullis-sentinel-'));
  const port = await freePort();
  const config = path.join(dir, 'sentinel.conf');
  await writeFile(
    config,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${masterName} 127.0.0.1 ${masterPort} 1`,
      `sentinel down-after-milliseconds ${masterName} 5000`,
      '',
    ].join('\n'),
  );
  const handle = await launch('redis-server', [config, '--sentinel'], port, dir, `redis+sentinel://127.0.0.1:${port}/${masterName}`);
  const stop = handle.stop;
  return {
    ...handle,
    masterName,
    stop: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface ClusterHandle {
  nodes: RedisServerHandle[];
  /** redis+cluster://127.0.0.1:p1,127.0.0.1:p2,... */
  url: string;
  stop(): Promise<void>;
}

/** `size` masters with cluster-enabled, joined by `redis-cli --cluster create`, no replicas. */
export async function startRedisCluster(size = 3): Promise<ClusterHandle> {
  const nodes: RedisServerHandle[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((n) => n.stop()));
    await Promise.all(nodes.map((n) => rm(n.dir, { recursive: true, force: true })));
  };
  try {
    for (let i = 0; i < size; i++) {
      // the cluster bus listens on port + 10000
      const port = await freePort(10000);
      nodes.push(
        await startRedisServer({
          port,
          args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '5000'],
        }),
      );
    }
    await redisCli(['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes']);
    const deadline = Date.now() + 20_000;
    for (const node of nodes) {
      while (!(await redisCli(['-p', String(node.port), 'cluster', 'info'])).includes('cluster_state:ok')) {
        if (Date.now() > deadline) throw new Error('cluster did not reach cluster_state:ok');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { nodes, url: `redis+cluster://${nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`, stop };
}
