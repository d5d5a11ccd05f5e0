/**
 * A private, real Dovecot (Debian's dovecot-imapd, -pop3d, -submissiond) as the upstream of relay
 * tests: loopback only, its own base_dir, state and log in a temporary folder, a passwd-file of
 * users, a master user, a maildir holding one known message per user, and a self-signed
 * certificate (its PEM is the CA to verify Dovecot with). stop() and start() let a test take it
 * away and bring it back on the same ports; destroy() stops it and removes the folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePorts } from './ports.js';
import { run } from './run.js';

export interface DovecotUser {
  /** user@domain, as the gateway's account name */
  name: string;
  password: string;
}

export interface DovecotOptions {
  users: DovecotUser[];
  masterUser?: string;
  masterPassword?: string;
  /** where Dovecot's submission service relays to (a sink in the test); without it submission still listens */
  submissionRelay?: { host: string; port: number };
  /** more lines appended to dovecot.conf */
  extraConfig?: string;
  /** size in bytes of a second, large message in each mailbox (benchmarks); none by default */
  largeMessageBytes?: number;
}

export interface DovecotPorts {
  imap: number;
  imaps: number;
  /** IMAP expecting a PROXY header (haproxy = yes) */
  imapHaproxy: number;
  pop3: number;
  pop3s: number;
  submission: number;
  /** POP3 expecting a PROXY header (haproxy = yes) */
  pop3Haproxy: number;
  /** submission expecting a PROXY header (haproxy = yes) */
  submissionHaproxy: number;
}

export const DOVECOT_MASTER_USER = 'relaymaster';
export const DOVECOT_MASTER_PASSWORD = 'master-secret-1';
export const KNOWN_SUBJECT = 'Relay test message';
/** a line of the known message's body, unique enough to find in a FETCH/RETR */
export const KNOWN_BODY_LINE = 'The portcullis relay brought this message from Dovecot.';

export function knownMessage(user: string): string {
  return [
    'From: Sender <sender@example.test>',
    `To: <${user}>`,
    `Subject: ${KNOWN_SUBJECT}`,
    'Date: Sat, 28 Nov 2026 12:00:00 +0000',
    'Message-ID: <relay-test-1@example.test>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    KNOWN_BODY_LINE,
    '',
  ].join('\r\n');
}

/** a message of about `bytes` bytes of base64-looking lines */
export function largeMessage(user: string, bytes: number): string {
  const head = ['From: Sender <sender@example.test>', `To: <${user}>`, 'Subject: Large', 'Message-ID: <relay-large@example.test>', '', ''].join('\r\n');
  const line = `${'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.repeat(1)}0123456789AB\r\n`;
  return head + line.repeat(Math.ceil(bytes / line.length));
}

export class Dovecot {
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;

  private constructor(
    readonly dir: string,
    readonly ports: DovecotPorts,
    readonly configPath: string,
    readonly logPath: string,
    /** the self-signed certificate, PEM: the CA to verify Dovecot with */
    readonly caPem: string,
    readonly masterUser: string,
    readonly masterPassword: string,
  ) {}

  static async start(options: DovecotOptions): Promise<Dovecot> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'portcullis-dovecot-'));
    // Dovecot's unprivileged processes (dovenull, dovecot, the mail user) must reach their files
    await fs.chmod(dir, 0o755);
    const [imap, imaps, imapHaproxy, pop3, pop3s, submission, pop3Haproxy, submissionHaproxy] = (await freePorts(8)) as [
      number, number, number, number, number, number, number, number,
    ];
    const ports: DovecotPorts = { imap, imaps, imapHaproxy, pop3, pop3s, submission, pop3Haproxy, submissionHaproxy };
    const masterUser = options.masterUser ?? DOVECOT_MASTER_USER;
    const masterPassword = options.masterPassword ?? DOVECOT_MASTER_PASSWORD;
    const root = process.getuid?.() === 0;
    // Dovecot refuses uid 0 for mail: as root the mailboxes belong to nobody
    const uid = root ? 65534 : (process.getuid?.() ?? 65534);
    const gid = root ? 65534 : (process.getgid?.() ?? 65534);

    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    const made = await run('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert,
    ]);
    if (made.code !== 0) throw new Error(`openssl: ${made.stderr}`);
    const caPem = await fs.readFile(cert, 'utf8');

    const home = (user: string): string => path.join(dir, 'home', user);
    const users = options.users.map((u) => `${u.name}:{PLAIN}${u.password}:${uid}:${gid}::${home(u.name)}::`).join('\n');
    await fs.writeFile(path.join(dir, 'users'), `${users}\n`);
    await fs.writeFile(path.join(dir, 'masters'), `${masterUser}:{PLAIN}${masterPassword}\n`);
    for (const u of options.users) {
      const maildir = path.join(home(u.name), 'Maildir');
      for (const sub of ['cur', 'new', 'tmp']) await fs.mkdir(path.join(maildir, sub), { recursive: true });
      await fs.writeFile(path.join(maildir, 'cur', '1700000000.M1P1.portcullis:2,S'), knownMessage(u.name));
      if (options.largeMessageBytes) {
        await fs.writeFile(path.join(maildir, 'cur', '1700000001.M2P1.portcullis:2,S'), largeMessage(u.name, options.largeMessageBytes));
      }
      if (root) await run('chown', ['-R', `${uid}:${gid}`, home(u.name)]);
    }

    const logPath = path.join(dir, 'dovecot.log');
    const relay = options.submissionRelay;
    const conf = `
base_dir = ${dir}/run
state_dir = ${dir}/state
instance_name = portcullis-dovecot-${imap}
log_path = ${logPath}
info_log_path = ${logPath}
debug_log_path = ${logPath}
protocols = imap pop3 submission
listen = 127.0.0.1
hostname = dovecot.example.test
${root ? 'default_internal_user = dovecot\ndefault_login_user = dovenull' : `default_internal_user = ${os.userInfo().username}\ndefault_login_user = ${os.userInfo().username}`}
first_valid_uid = 1
ssl = yes
ssl_cert = <${cert}
ssl_key = <${key}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_verbose = yes
auth_master_user_separator = *
login_trusted_networks = 127.0.0.0/8
haproxy_trusted_networks = 127.0.0.0/8
mail_location = maildir:~/Maildir
mail_max_userip_connections = 1000
passdb {
  driver = passwd-file
  args = ${dir}/masters
  master = yes
  result_success = continue
}
passdb {
  driver = passwd-file
  args = ${dir}/users
}
userdb {
  driver = passwd-file
  args = ${dir}/users
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${imap}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${imaps}
    ssl = yes
  }
  inet_listener imap_haproxy {
    address = 127.0.0.1
    port = ${imapHaproxy}
    haproxy = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = ${pop3}
  }
  inet_listener pop3s {
    address = 127.0.0.1
    port = ${pop3s}
    ssl = yes
  }
  inet_listener pop3_haproxy {
    address = 127.0.0.1
    port = ${pop3Haproxy}
    haproxy = yes
  }
}
service submission-login {
  inet_listener submission {
    address = 127.0.0.1
    port = ${submission}
  }
  inet_listener submission_haproxy {
    address = 127.0.0.1
    port = ${submissionHaproxy}
    haproxy = yes
  }
}
${relay ? `submission_relay_host = ${relay.host}\nsubmission_relay_port = ${relay.port}` : 'submission_relay_host = 127.0.0.1\nsubmission_relay_port = 9'}
submission_relay_trusted = yes
${options.extraConfig ?? ''}
`;
    const configPath = path.join(dir, 'dovecot.conf');
    await fs.writeFile(configPath, conf);
    const dovecot = new Dovecot(dir, ports, configPath, logPath, caPem, masterUser, masterPassword);
    try {
      await dovecot.startProcess();
    } catch (err) {
      await dovecot.destroy();
      throw err;
    }
    return dovecot;
  }

  /** everything Dovecot logged so far */
  async log(): Promise<string> {
    return fs.readFile(this.logPath, 'utf8').catch(() => '');
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** start again after stop(), on the same ports */
  async restart(): Promise<void> {
    if (this.child) return;
    await this.startProcess();
  }

  /** stop the master process (and with it every Dovecot process) by PID */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await this.exited;
    this.child = undefined;
    // its children may take a moment to let go of the listening ports
    await waitFor(async () => !(await canConnect(this.ports.imap)), 5000);
  }

  async destroy(): Promise<void> {
    await this.stop();
    await fs.rm(this.dir, { recursive: true, force: true });
  }

  private async startProcess(timeoutMs = 15_000): Promise<void> {
    let output = '';
    const child = spawn('dovecot', ['-F', '-c', this.configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (output += d));
    const ready = await waitFor(async () => {
      if (child.exitCode !== null || child.signalCode !== null) return true;
      return greets(this.ports.imap);
    }, timeoutMs);
    if (!ready || child.exitCode !== null || child.signalCode !== null) {
      const log = await this.log();
      await this.stop().catch(() => undefined);
      throw new Error(`dovecot did not start:\n${output}\n${log.slice(-4000)}`);
    }
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** the IMAP greeting arrives: Dovecot's login process and auth are up */
function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      s.destroy();
      resolve(false);
    }, 2000);
    s.once('data', (d: Buffer) => {
      clearTimeout(timer);
      s.destroy();
      resolve(d.toString('latin1').startsWith('* OK'));
    });
    s.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}
