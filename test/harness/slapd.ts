/**
 * A private OpenLDAP slapd for a test file: its own folder, two mdb databases (one per entry
 * layout), entries loaded with slapadd before the start, a free loopback port; stop() ends it by
 * PID and removes the folder.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePorts } from './ports.js';
import { run } from './run.js';

export interface Slapd {
  port: number;
  url: string;
  stop(): Promise<void>;
}

export interface SlapdOptions {
  /** naming contexts (suffixes), one mdb database each */
  suffixes: string[];
  /** LDIF of every entry, the suffix entries included */
  ldif: string;
}

async function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

export async function startSlapd(opts: SlapdOptions, timeoutMs = 15_000): Promise<Slapd> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'portcullis-slapd-'));
  const [port] = await freePorts(1);
  const databases = await Promise.all(
    opts.suffixes.map(async (suffix, i) => {
      const db = path.join(dir, `db${i}`);
      await fs.mkdir(db);
      return `database mdb\nmaxsize 10485760\nsuffix "${suffix}"\ndirectory ${db}\n`;
    }),
  );
  const conf = path.join(dir, 'slapd.conf');
  await fs.writeFile(
    conf,
    [
      ...['core', 'cosine', 'nis', 'inetorgperson'].map((s) => `include /etc/ldap/schema/${s}.schema`),
      `pidfile ${path.join(dir, 'slapd.pid')}`,
      `argsfile ${path.join(dir, 'slapd.args')}`,
      'modulepath /usr/lib/ldap',
      'moduleload back_mdb',
      ...databases,
    ].join('\n') + '\n',
  );
  // slapadd loads one database at a time: each entry goes with the suffix its DN ends with
  const entries = opts.ldif.split(/\n\s*\n/).map((e) => e.trim()).filter(Boolean);
  for (const [i, suffix] of opts.suffixes.entries()) {
    const mine = entries.filter((e) => /^dn: (.*)$/m.exec(e)?.[1]?.toLowerCase().endsWith(suffix.toLowerCase()));
    const ldifPath = path.join(dir, `init${i}.ldif`);
    await fs.writeFile(ldifPath, mine.join('\n\n') + '\n');
    const added = await run('slapadd', ['-f', conf, '-b', suffix, '-l', ldifPath], { timeoutMs: 30_000 });
    if (added.code !== 0) throw new Error(`slapadd failed:\n${added.stdout}\n${added.stderr}`);
  }
  // -d keeps slapd in the foreground, so that its PID is the child's
  const child = spawn('slapd', ['-f', conf, '-h', `ldap://127.0.0.1:${port}/`, '-d', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const end = Date.now() + timeoutMs;
  while (!(await canConnect(port!))) {
    if (child.exitCode !== null || Date.now() > end) {
      child.kill('SIGKILL');
      await exited;
      await fs.rm(dir, { recursive: true, force: true });
      throw new Error(`slapd did not start:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port: port!,
    url: `ldap://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
