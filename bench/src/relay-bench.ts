/**
 * The relayed case (issue 9): FETCH of a ~10 MB message from a real Dovecot, directly and through
 * the gateway's IMAP relay (master-user login, then bytes copied without parsing), printed as a
 * throughput ratio (target: at least 0.9). Each side gets the same rounds, alternated, so that
 * other load on the machine falls on both; the median round counts.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fixed, formatTable, ratio } from './report/table.js';
import { findExecutable } from './servers/redis.js';
import { GATEWAY_CLI } from './servers/gateway.js';
import { cpuSeconds, cpuTimes, freePort, startProcess, stopProcess, type CpuTimes } from './servers/processes.js';

const run = promisify(execFile);
/** enough of the received bytes' end to hold a whole tagged reply (a login's carries the capabilities) */
const TAIL = 8192;
/** a command that has not ended by then fails the bench instead of hanging it */
const COMMAND_TIMEOUT_MS = 60_000;
const USER = 'relay@bench.test';
const GATEWAY_PASSWORD = 'relay-Gateway-1';
const UPSTREAM_PASSWORD = 'relay-Upstream-1';
const MASTER_USER = 'benchmaster';
const MASTER_PASSWORD = 'bench-Master-1';

/** one path's figures: MB/s of its median round, CPU per MB over all its rounds */
export interface RelayPath {
  MBps: number;
  /** MB/s of every round, in order */
  roundsMBps: number[];
  /** CPU milliseconds per MB (1e6 bytes) of the process in the middle: the gateway or the bare proxy */
  relayCpuMsPerMB?: number;
  /** of which in the kernel (system time) */
  relaySysMsPerMB?: number;
  /** of Dovecot (its whole process tree: the session's imap process does the work) */
  dovecotCpuMsPerMB: number;
  /** of the FETCH client (the bench process) */
  clientCpuMsPerMB: number;
  /** cores each process kept busy during the FETCHes: near 1, that process was the bottleneck */
  relayCores?: number;
  dovecotCores: number;
  clientCores: number;
}

export interface RelayFigures {
  messageBytes: number;
  fetchesPerRound: number;
  rounds: number;
  /** every path plain TCP on loopback: no TLS anywhere */
  transport: string;
  /** how the gateway copied (PORTCULLIS_RELAY_PATH): auto is splice(2) here, every hop being plain TCP */
  relayPath: 'auto' | 'js' | 'splice';
  direct: RelayPath;
  gateway: RelayPath;
  /** a bare `pipe()` proxy in its own Node process: the least a Node relay costs on this machine */
  bareProxy: RelayPath;
  /** MB/s through the gateway / MB/s direct (the figure) */
  ratio: number;
  bareProxyRatio: number;
  /** gateway MB/s / bare proxy MB/s */
  gatewayToBareProxy: number;
  /** the gateway's CPU per MB / the bare proxy's: what the relay code adds per byte, steady under load */
  gatewayCpuToBareProxy: number;
  /**
   * the direct path's CPU per MB (client + Dovecot) / the relayed path's (client + gateway +
   * Dovecot): the MB/s ratio when the cores, not the hops' latency, are what limits
   */
  directToGatewayPathCpu: number;
  /** the load average (1 min) before and after the case: other work on the machine */
  loadAverage: [number, number];
  target: number;
}

export const RELAY_TARGET_RATIO = 0.9;

function uidOf(user: string): number | undefined {
  try {
    return Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
  } catch {
    return undefined;
  }
}

function bigMessage(bytes: number): string {
  const line = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/ABCDEFGHIJKL\r\n';
  const head = `From: <bench@bench.test>\r\nTo: <${USER}>\r\nSubject: large\r\nMessage-ID: <large@bench.test>\r\n\r\n`;
  return head + line.repeat(Math.ceil(bytes / line.length));
}

/**
 * An IMAP client on a raw socket: login, SELECT, then timed FETCHes of message 1. Per chunk it only
 * adds up the length and keeps a reference; it looks for the tagged reply only when a chunk ends
 * in LF, so that its own CPU stays small next to the servers' (its CPU per MB is reported).
 */
class FetchClient {
  private received = 0;
  /** the last chunks, at least TAIL bytes of them when there are that many */
  private recent: Buffer[] = [];
  private recentBytes = 0;
  private onLine: (() => void) | undefined;
  private tag = 0;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.received += d.length;
      this.recent.push(d);
      this.recentBytes += d.length;
      while (this.recent.length > 1 && this.recentBytes - this.recent[0]!.length >= TAIL) this.recentBytes -= this.recent.shift()!.length;
      if (d[d.length - 1] === 0x0a) this.onLine?.();
    });
    socket.on('close', () => this.onLine?.());
  }

  static async open(port: number): Promise<FetchClient> {
    const socket = net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.setNoDelay(true);
    const c = new FetchClient(socket);
    await c.until((tail) => tail.includes('\r\n'));
    return c;
  }

  private tail(): string {
    const joined = this.recent.length === 1 ? this.recent[0]! : Buffer.concat(this.recent);
    return joined.subarray(Math.max(0, joined.length - TAIL)).toString('latin1');
  }

  /** wait until the received bytes' tail satisfies `done`; answers the bytes received since the call */
  private until(done: (tail: string) => boolean): Promise<number> {
    const from = this.received;
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`no reply in time; last: ${this.tail().slice(-200)}`)), COMMAND_TIMEOUT_MS);
      const finish = (err?: Error): void => {
        clearTimeout(timer);
        this.onLine = undefined;
        if (err) reject(err);
        else resolve(this.received - from);
      };
      this.onLine = () => {
        if (done(this.tail())) finish();
        else if (this.socket.destroyed) finish(new Error(`connection closed; last: ${this.tail().slice(-200)}`));
      };
      // what has arrived already (the greeting, before the first wait) counts too
      if (this.recentBytes > 0 && this.recent[this.recent.length - 1]!.at(-1) === 0x0a) this.onLine();
    });
  }

  async command(text: string): Promise<number> {
    const tag = `b${++this.tag}`;
    this.recent = [];
    this.recentBytes = 0;
    const ended = new RegExp(`(^|\\r\\n)${tag} (OK|NO|BAD)[^\\r\\n]*\\r\\n$`);
    const reply = this.until((tail) => ended.test(tail));
    this.socket.write(`${tag} ${text}\r\n`);
    return reply;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** a process whose CPU time is watched during the FETCHes */
interface Watched {
  pid: number;
  /** with its children (Dovecot's imap process is a child of the master) */
  tree: boolean;
}

interface Round {
  seconds: number;
  bytes: number;
  /** CPU seconds during the FETCHes: the relay in the middle (none when direct), Dovecot, the client */
  relayCpuS: number;
  /** of which in the kernel: the socket reads and writes */
  relaySysS: number;
  dovecotCpuS: number;
  clientCpuS: number;
}

async function fetchRound(port: number, login: string, fetches: number, dovecot: Watched, relay?: Watched): Promise<Round> {
  const c = await FetchClient.open(port);
  try {
    await c.command(login);
    await c.command('SELECT INBOX');
    // CPU read right around the FETCHes: the logins and their processes stay out of the figures
    const none: CpuTimes = { userS: 0, systemS: 0 };
    const [relay0, dovecot0] = await Promise.all([relay ? cpuTimes(relay.pid, relay.tree) : none, cpuSeconds(dovecot.pid, dovecot.tree)]);
    const client0 = process.cpuUsage();
    const started = process.hrtime.bigint();
    let bytes = 0;
    for (let i = 0; i < fetches; i++) bytes += await c.command('FETCH 1 BODY.PEEK[]');
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const client = process.cpuUsage(client0);
    const [relay1, dovecot1] = await Promise.all([relay ? cpuTimes(relay.pid, relay.tree) : none, cpuSeconds(dovecot.pid, dovecot.tree)]);
    await c.command('LOGOUT').catch(() => 0);
    return {
      seconds,
      bytes,
      relayCpuS: relay1.userS + relay1.systemS - relay0.userS - relay0.systemS,
      relaySysS: relay1.systemS - relay0.systemS,
      dovecotCpuS: dovecot1 - dovecot0,
      clientCpuS: (client.user + client.system) / 1e6,
    };
  } finally {
    c.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** undefined when Dovecot is not installed */
export async function relayBench(
  options: { messageBytes?: number; rounds?: number; fetches?: number; nodeArgs?: string[]; relayPath?: 'auto' | 'js' | 'splice' } = {},
): Promise<RelayFigures | undefined> {
  const relayPath = options.relayPath ?? 'auto';
  const bin = findExecutable('dovecot');
  const mailUid = uidOf('dovecot');
  if (!bin || mailUid === undefined || uidOf('dovenull') === undefined) return undefined;
  const messageBytes = options.messageBytes ?? 10 * 1024 * 1024;
  const rounds = options.rounds ?? 5;
  const fetches = options.fetches ?? 4;
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-bench-relay-'));
  await chmod(dir, 0o755);
  const children: Parameters<typeof stopProcess>[0][] = [];
  try {
    const maildir = join(dir, 'mail', USER, 'Maildir');
    for (const sub of ['cur', 'new', 'tmp']) await mkdir(join(maildir, sub), { recursive: true });
    await writeFile(join(maildir, 'cur', '1700000000.M1P1.bench:2,S'), bigMessage(messageBytes));
    execFileSync('chown', ['-R', 'dovecot:dovecot', join(dir, 'mail')]);
    const passwd = join(dir, 'passwd');
    await writeFile(passwd, `${USER}:{PLAIN}${UPSTREAM_PASSWORD}:${mailUid}:${mailUid}::${join(dir, 'mail', USER)}::\n`, { mode: 0o644 });
    await writeFile(join(dir, 'masters'), `${MASTER_USER}:{PLAIN}${MASTER_PASSWORD}\n`, { mode: 0o644 });
    const dovecotPort = await freePort();
    const conf = [
      `base_dir = ${join(dir, 'run')}`,
      `state_dir = ${join(dir, 'state')}`,
      `log_path = ${join(dir, 'dovecot.log')}`,
      'protocols = imap',
      'listen = 127.0.0.1',
      'ssl = no',
      'disable_plaintext_auth = no',
      `first_valid_uid = ${mailUid}`,
      'mail_location = maildir:~/Maildir',
      'login_trusted_networks = 127.0.0.0/8',
      `passdb {\n  driver = passwd-file\n  args = ${join(dir, 'masters')}\n  master = yes\n  result_success = continue\n}`,
      `passdb {\n  driver = passwd-file\n  args = ${passwd}\n}`,
      `userdb {\n  driver = passwd-file\n  args = ${passwd}\n}`,
      `service imap-login {\n  inet_listener imap {\n    address = 127.0.0.1\n    port = ${dovecotPort}\n  }\n  inet_listener imaps {\n    port = 0\n  }\n}`,
      '',
    ].join('\n');
    await writeFile(join(dir, 'dovecot.conf'), conf);
    children.push(await startProcess(bin, ['-F', '-c', join(dir, 'dovecot.conf')], {}));
    await waitForGreeting(dovecotPort);

    const gatewayPort = await freePort();
    const config = join(dir, 'portcullis.yaml');
    await writeFile(
      config,
      [
        `dataDir: ${join(dir, 'gw')}`,
        'mainDomain: bench.test',
        'cache: memory',
        'logLevel: warn',
        'listeners:',
        `  - { service: imap, port: ${gatewayPort}, address: 127.0.0.1, tls: none }`,
        '',
      ].join('\n'),
    );
    const cli = (...args: string[]) => run(process.execPath, [GATEWAY_CLI, ...args, '--config', config]);
    await cli('account', 'create', USER, '--password', GATEWAY_PASSWORD);
    await cli(
      'domain', 'set', 'bench.test', 'upstream.imap.host=127.0.0.1', `upstream.imap.port=${dovecotPort}`, 'upstream.imap.tls=none',
      `upstream.imap.masterUser=${MASTER_USER}`, `upstream.imap.masterPassword=${MASTER_PASSWORD}`,
    );
    children.push(
      await startProcess(process.execPath, [...(options.nodeArgs ?? []), GATEWAY_CLI, 'serve', '--config', config], {
        readyText: 'portcullis ready',
        env: { ...process.env, PORTCULLIS_RELAY_PATH: relayPath },
      }),
    );

    // the reference: net.Server + socket.pipe both ways, nothing else, as its own process
    const proxyPort = await freePort();
    const proxyCode = `const net=require('net');net.createServer(c=>{const u=net.connect(${dovecotPort},'127.0.0.1');c.pipe(u);u.pipe(c);c.on('error',()=>u.destroy());u.on('error',()=>c.destroy());}).listen(${proxyPort},'127.0.0.1',()=>console.log('proxy ready'));`;
    children.push(await startProcess(process.execPath, ['-e', proxyCode], { readyText: 'proxy ready' }));

    const dovecot: Watched = { pid: children[0]!.pid!, tree: true };
    const gateway: Watched = { pid: children[1]!.pid!, tree: true };
    const proxy: Watched = { pid: children[2]!.pid!, tree: false };
    const paths = {
      direct: { port: dovecotPort, login: `LOGIN ${USER} ${UPSTREAM_PASSWORD}`, relay: undefined },
      gateway: { port: gatewayPort, login: `LOGIN ${USER} ${GATEWAY_PASSWORD}`, relay: gateway },
      bareProxy: { port: proxyPort, login: `LOGIN ${USER} ${UPSTREAM_PASSWORD}`, relay: proxy },
    };
    const load0 = loadavg()[0]!;
    // one unmeasured round each: Dovecot's first FETCH builds its index, Node warms up
    for (const p of Object.values(paths)) await fetchRound(p.port, p.login, 1, dovecot, p.relay);
    const measured: Record<keyof typeof paths, Round[]> = { direct: [], gateway: [], bareProxy: [] };
    for (let i = 0; i < rounds; i++) {
      // alternated, so that other load on the machine falls on every path alike
      for (const [name, p] of Object.entries(paths) as [keyof typeof paths, (typeof paths)[keyof typeof paths]][]) {
        measured[name].push(await fetchRound(p.port, p.login, fetches, dovecot, p.relay));
      }
    }
    const figures = (list: Round[], middle: boolean): RelayPath => {
      const bytes = list.reduce((n, r) => n + r.bytes, 0);
      const seconds = list.reduce((n, r) => n + r.seconds, 0);
      const perMB = (cpu: (r: Round) => number) => (list.reduce((n, r) => n + cpu(r), 0) * 1000) / (bytes / 1e6);
      const cores = (cpu: (r: Round) => number) => list.reduce((n, r) => n + cpu(r), 0) / seconds;
      const roundsMBps = list.map((r) => r.bytes / r.seconds / 1e6);
      return {
        MBps: median(roundsMBps),
        roundsMBps,
        ...(middle ? { relayCpuMsPerMB: perMB((r) => r.relayCpuS), relaySysMsPerMB: perMB((r) => r.relaySysS), relayCores: cores((r) => r.relayCpuS) } : {}),
        dovecotCpuMsPerMB: perMB((r) => r.dovecotCpuS),
        clientCpuMsPerMB: perMB((r) => r.clientCpuS),
        dovecotCores: cores((r) => r.dovecotCpuS),
        clientCores: cores((r) => r.clientCpuS),
      };
    };
    const direct = figures(measured.direct, false);
    const gw = figures(measured.gateway, true);
    const bare = figures(measured.bareProxy, true);
    return {
      messageBytes,
      fetchesPerRound: fetches,
      rounds,
      transport: 'plain TCP on 127.0.0.1 for every hop (Dovecot ssl = no, gateway listener tls: none, upstream tls: none)',
      relayPath,
      direct,
      gateway: gw,
      bareProxy: bare,
      ratio: gw.MBps / direct.MBps,
      bareProxyRatio: bare.MBps / direct.MBps,
      gatewayToBareProxy: gw.MBps / bare.MBps,
      gatewayCpuToBareProxy: gw.relayCpuMsPerMB! / bare.relayCpuMsPerMB!,
      directToGatewayPathCpu: pathCpu(direct) / pathCpu(gw),
      loadAverage: [load0, loadavg()[0]!],
      target: RELAY_TARGET_RATIO,
    };
  } finally {
    for (const child of children.reverse()) await stopProcess(child);
    await rm(dir, { recursive: true, force: true });
  }
}

async function waitForGreeting(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('data', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`dovecot did not greet on ${port}`);
}

/** CPU per MB of every process on the path: client, relay (if any) and Dovecot */
export function pathCpu(p: RelayPath): number {
  return (p.relayCpuMsPerMB ?? 0) + p.dovecotCpuMsPerMB + p.clientCpuMsPerMB;
}

export function printRelay(f: RelayFigures): void {
  console.log(
    `## IMAP relay: FETCH of a ${(f.messageBytes / 1e6).toFixed(1)} MB message, ${f.fetchesPerRound} per round, ${f.rounds} rounds per path, ` +
      `load average ${f.loadAverage[0].toFixed(2)} -> ${f.loadAverage[1].toFixed(2)} on ${cpus().length} cores`,
  );
  console.log(`transport: ${f.transport}; gateway relay path: ${f.relayPath}`);
  const withCores = (ms: number | undefined, cores: number | undefined): string => (ms === undefined ? '-' : `${fixed(ms, 2)} (${fixed(cores, 2)})`);
  const row = (name: string, p: RelayPath): string[] => [
    name,
    fixed(p.MBps, 1),
    ratio(p.MBps / f.direct.MBps),
    withCores(p.relayCpuMsPerMB, p.relayCores),
    fixed(p.relaySysMsPerMB, 2),
    withCores(p.dovecotCpuMsPerMB, p.dovecotCores),
    withCores(p.clientCpuMsPerMB, p.clientCores),
    fixed(pathCpu(p), 2),
  ];
  console.log('CPU ms per MB of each process over all rounds, (cores it kept busy); relay: the gateway or the bare proxy');
  console.log(
    formatTable(
      ['path', 'MB/s (median)', 'x direct', 'relay ms/MB (cores)', 'of it sys', 'Dovecot ms/MB (cores)', 'client ms/MB (cores)', 'path ms/MB'],
      [row('direct from Dovecot', f.direct), row('through the gateway', f.gateway), row('bare Node pipe proxy', f.bareProxy)],
    ),
  );
  console.log(`gateway / bare proxy: ${ratio(f.gatewayToBareProxy)} MB/s, ${ratio(f.gatewayCpuToBareProxy)} CPU per MB (what the relay code adds per byte)`);
  console.log(
    `path CPU direct / through the gateway: ${ratio(f.directToGatewayPathCpu)} (the MB/s ratio a machine whose cores are all busy would show; ` +
      `bare proxy: ${ratio(pathCpu(f.direct) / pathCpu(f.bareProxy))})`,
  );
  console.log(`ratio to direct       ${f.ratio.toFixed(2)} (target >= ${f.target}: ${f.ratio >= f.target ? 'met' : 'NOT met'})\n`);
}
