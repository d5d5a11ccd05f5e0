/**
 * redis-server on a fixed port that can be stopped and started again (the harness's picks a new
 * port each time), and HAProxy in the foreground; both stopped by PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

export interface Proc {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

function startProcess(cmd: string, args: string[], readyWhen: (out: string) => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<Proc> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const proc: Proc = {
    child,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const poll = async (): Promise<void> => {
      if (child.exitCode !== null || child.signalCode !== null) return reject(new Error(`${cmd} exited:\n${out}`));
      if (await readyWhen(out)) return resolve(proc);
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        return reject(new Error(`${cmd} not ready after ${timeoutMs} ms:\n${out}`));
      }
      setTimeout(() => void poll(), 100);
    };
    void poll();
  });
}

export function startRedis(port: number, dir: string): Promise<Proc> {
  return startProcess(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    (out) => out.includes('Ready to accept connections'),
  );
}

export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export function startHaproxy(cfgPath: string, port: number): Promise<Proc> {
  return startProcess('haproxy', ['-f', cfgPath, '-db'], () => canConnect(port));
}

export interface BackendSpec {
  name: string;
  /** the frontend's port */
  port: number;
  /** the gateways' ports for this service */
  servers: number[];
  /** the gateways' http ports, for the /readyz check */
  checkPorts: number[];
}

/** tcp mode, round robin, send-proxy-v2, checks on /readyz with a PROXY header: the shape of deploy/haproxy. */
export function haproxyConfig(backends: BackendSpec[]): string {
  let cfg = `global\n    maxconn 1000\n\ndefaults\n    mode tcp\n    timeout connect 2s\n    timeout client 60s\n    timeout server 60s\n`;
  for (const b of backends) {
    cfg += `\nfrontend ${b.name}\n    bind 127.0.0.1:${b.port}\n    default_backend ${b.name}_gw\n\nbackend ${b.name}_gw\n    balance roundrobin\n`;
    cfg += `    option httpchk\n    http-check send meth GET uri /readyz ver HTTP/1.1 hdr Host t\n    http-check expect status 200\n`;
    b.servers.forEach((p, i) => {
      cfg += `    server gw${i + 1} 127.0.0.1:${p} send-proxy-v2 check port ${b.checkPorts[i]} check-send-proxy inter 500 fall 2 rise 1\n`;
    });
  }
  return cfg;
}
