/**
 * The relayed case (issue 9): FETCH of a ~10 MB message from a real Dovecot, directly and through
 * the gateway's IMAP relay (master-user login, then bytes copied without parsing), printed as a
 * throughput ratio (target: at least 0.9). Each side gets the same rounds, alternated, so that
 * other load on the machine falls on both; the median round counts.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findExecutable } from './servers/redis.js';
import { GATEWAY_CLI } from './servers/gateway.js';
import { freePort, startProcess, stopProcess } from './servers/processes.js';

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

export interface RelayFigures {
  messageBytes: number;
  fetchesPerRound: number;
  rounds: number;
  /** MB/s, median round */
  directMBps: number;
  relayedMBps: number;
  /** relayed / direct */
  ratio: number;
  /** a bare `pipe()` proxy in its own Node process: what any Node relay gets on this machine */
  bareProxyMBps: number;
  bareProxyRatio: number;
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

/** an IMAP client on a raw socket: login, SELECT, then timed FETCHes of message 1 */
class FetchClient {
  private chunks: Buffer[] = [];
  private waiter: (() => void) | undefined;
  private tag = 0;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.chunks.push(d);
      this.waiter?.();
    });
    socket.on('close', () => this.waiter?.());
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

  /** wait until the received bytes' tail satisfies `done`; answers the total bytes since the call */
  private async until(done: (tail: string) => boolean): Promise<number> {
    let total = 0;
    let tail = '';
    const deadline = Date.now() + COMMAND_TIMEOUT_MS;
    for (;;) {
      while (this.chunks.length > 0) {
        const c = this.chunks.shift()!;
        total += c.length;
        tail = (tail + c.subarray(Math.max(0, c.length - TAIL)).toString('latin1')).slice(-TAIL);
      }
      if (done(tail)) return total;
      if (this.socket.destroyed) throw new Error(`connection closed; last: ${tail}`);
      if (Date.now() > deadline) throw new Error(`no reply in time; last: ${tail.slice(-200)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
  }

  async command(text: string): Promise<number> {
    const tag = `b${++this.tag}`;
    this.socket.write(`${tag} ${text}\r\n`);
    const ended = new RegExp(`(^|\\r\\n)${tag} (OK|NO|BAD)[^\\r\\n]*\\r\\n$`);
    const bytes = await this.until((tail) => ended.test(tail));
    return bytes;
  }

  close(): void {
    this.socket.destroy();
  }
}

async function fetchRound(port: number, login: string, fetches: number): Promise<{ seconds: number; bytes: number }> {
  const c = await FetchClient.open(port);
  try {
    await c.command(login);
    await c.command('SELECT INBOX');
    const started = process.hrtime.bigint();
    let bytes = 0;
    for (let i = 0; i < fetches; i++) bytes += await c.command('FETCH 1 BODY.PEEK[]');
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await c.command('LOGOUT').catch(() => 0);
    return { seconds, bytes };
  } finally {
    c.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** undefined when Dovecot is not installed */
export async function relayBench(options: { messageBytes?: number; rounds?: number; fetches?: number } = {}): Promise<RelayFigures | undefined> {
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
    children.push(await startProcess(process.execPath, [GATEWAY_CLI, 'serve', '--config', config], { readyText: 'portcullis ready' }));

    // the reference: net.Server + socket.pipe both ways, nothing else, as its own process
    const proxyPort = await freePort();
    const proxyCode = `const net=require('net');net.createServer(c=>{const u=net.connect(${dovecotPort},'127.0.0.1');c.pipe(u);u.pipe(c);c.on('error',()=>u.destroy());u.on('error',()=>c.destroy());}).listen(${proxyPort},'127.0.0.1',()=>console.log('proxy ready'));`;
    children.push(await startProcess(process.execPath, ['-e', proxyCode], { readyText: 'proxy ready' }));

    const direct: number[] = [];
    const relayed: number[] = [];
    const bare: number[] = [];
    // one unmeasured round each: Dovecot's first FETCH builds its index, Node warms up
    await fetchRound(dovecotPort, `LOGIN ${USER} ${UPSTREAM_PASSWORD}`, 1);
    await fetchRound(gatewayPort, `LOGIN ${USER} ${GATEWAY_PASSWORD}`, 1);
    for (let i = 0; i < rounds; i++) {
      const d = await fetchRound(dovecotPort, `LOGIN ${USER} ${UPSTREAM_PASSWORD}`, fetches);
      direct.push(d.bytes / d.seconds / 1e6);
      const r = await fetchRound(gatewayPort, `LOGIN ${USER} ${GATEWAY_PASSWORD}`, fetches);
      relayed.push(r.bytes / r.seconds / 1e6);
      const b = await fetchRound(proxyPort, `LOGIN ${USER} ${UPSTREAM_PASSWORD}`, fetches);
      bare.push(b.bytes / b.seconds / 1e6);
    }
    const directMBps = median(direct);
    const relayedMBps = median(relayed);
    const bareProxyMBps = median(bare);
    return {
      messageBytes,
      fetchesPerRound: fetches,
      rounds,
      directMBps,
      relayedMBps,
      ratio: relayedMBps / directMBps,
      bareProxyMBps,
      bareProxyRatio: bareProxyMBps / directMBps,
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

export function printRelay(f: RelayFigures): void {
  console.log(`## IMAP relay: FETCH of a ${(f.messageBytes / 1e6).toFixed(1)} MB message, ${f.fetchesPerRound} per round, median of ${f.rounds} rounds`);
  console.log(`direct from Dovecot   ${f.directMBps.toFixed(1)} MB/s`);
  console.log(`through the gateway   ${f.relayedMBps.toFixed(1)} MB/s`);
  console.log(`bare Node pipe proxy  ${f.bareProxyMBps.toFixed(1)} MB/s (ratio ${f.bareProxyRatio.toFixed(2)}: the most a Node relay gets here)`);
  console.log(`ratio                 ${f.ratio.toFixed(2)} (target >= ${f.target}: ${f.ratio >= f.target ? 'met' : 'NOT met'})\n`);
}
