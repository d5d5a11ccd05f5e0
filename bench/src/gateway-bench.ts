/** End-to-end figures: IMAP logins per second and memory per idle connection, over loopback. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { measure, printTable } from './measure.js';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../../apps/gateway/dist/cli.js', import.meta.url));
const PASSWORD = 'bench-Password-1';

function freePort(): Promise<number> {
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

async function startGateway(config: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', '--config', config], { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('gateway did not become ready')), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('portcullis ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}`)));
  });
  child.stdout!.resume();
  return child;
}

async function rssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

/** Send lines one at a time and wait for the line starting with `until` after each. */
function imapLogin(port: number, user: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let buf = '';
    let stage = 0;
    sock.setEncoding('utf8');
    sock.on('error', reject);
    sock.on('data', (d: string) => {
      buf += d;
      if (stage === 0 && buf.includes('\r\n')) {
        stage = 1;
        buf = '';
        sock.write(`a LOGIN ${user} ${PASSWORD}\r\n`);
      } else if (stage === 1 && /^a (OK|NO|BAD)/m.test(buf)) {
        if (!/^a OK/m.test(buf)) return reject(new Error(`login refused: ${buf.trim()}`));
        stage = 2;
        sock.end('b LOGOUT\r\n');
      }
    });
    sock.on('close', () => (stage === 2 ? resolve() : reject(new Error('closed early'))));
  });
}

function openIdle(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    sock.once('error', reject);
    sock.once('data', () => resolve(sock));
  });
}

export async function gatewayBench(seconds: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-bench-gw-'));
  const port = await freePort();
  const config = join(dir, 'portcullis.yaml');
  await writeFile(
    config,
    [
      `dataDir: ${join(dir, 'data')}`,
      'mainDomain: bench.test',
      'cache: memory',
      'logLevel: warn',
      'tls: { cert: auto }',
      'listeners:',
      `  - { service: imap, port: ${port}, address: 127.0.0.1, tls: none, idleTimeoutPreLogin: 600 }`,
      '',
    ].join('\n'),
  );
  await run(process.execPath, [CLI, 'account', 'create', 'bench@bench.test', '--password', PASSWORD, '--config', config]);
  const gw = await startGateway(config);
  try {
    const pid = gw.pid!;
    const rssStart = await rssKiB(pid);
    console.log(`# gateway, IMAP LOGIN + LOGOUT per operation over loopback (${seconds} s each)`);
    const rows = [];
    for (const concurrency of [1, 16]) {
      rows.push(await measure(`IMAP login, ${concurrency} at once`, seconds, () => imapLogin(port, 'bench@bench.test'), concurrency));
    }
    printTable(rows);
    const rssAfterLogins = await rssKiB(pid);
    const idle: Socket[] = [];
    const count = 1000;
    const before = await rssKiB(pid);
    for (let i = 0; i < count; i++) idle.push(await openIdle(port));
    await new Promise((r) => setTimeout(r, 500));
    const after = await rssKiB(pid);
    for (const s of idle) s.destroy();
    console.log();
    console.log(`gateway RSS at start:            ${(rssStart / 1024).toFixed(1)} MiB`);
    console.log(`gateway RSS after the logins:    ${(rssAfterLogins / 1024).toFixed(1)} MiB`);
    console.log(`memory per idle IMAP connection: ${((after - before) / count).toFixed(1)} KiB (${count} connections)`);
  } finally {
    gw.kill('SIGTERM');
    await new Promise((r) => gw.once('exit', r));
    await rm(dir, { recursive: true, force: true });
  }
}
