/**
 * A throwaway MIT Kerberos KDC on loopback: private krb5.conf and kdc.conf in a temp dir, a
 * database made with kdb5_util, principals with kadmin.local, krb5kdc stopped by its PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePorts } from './ports.js';
import { run, type RunResult } from './run.js';

export class MitKdc {
  private constructor(
    readonly dir: string,
    readonly realm: string,
    readonly port: number,
    private readonly child: ChildProcess,
    /** KRB5_CONFIG and KRB5_KDC_PROFILE for every tool that talks to this KDC */
    readonly env: NodeJS.ProcessEnv,
  ) {}

  static async start(realm: string): Promise<MitKdc> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'portcullis-kdc-'));
    const [port] = await freePorts(1);
    const krb5conf = `[libdefaults]
  default_realm = ${realm}
  dns_lookup_kdc = false
  dns_lookup_realm = false
  rdns = false
  dns_canonicalize_hostname = false
  udp_preference_limit = 1
  default_ccache_name = FILE:${dir}/default.ccache
[realms]
  ${realm} = {
    kdc = 127.0.0.1:${port}
  }
`;
    const kdcconf = `[kdcdefaults]
  kdc_ports = ${port}
  kdc_tcp_ports = ${port}
[realms]
  ${realm} = {
    database_name = ${dir}/principal
    key_stash_file = ${dir}/stash
    acl_file = ${dir}/kadm5.acl
    kdc_listen = 127.0.0.1:${port}
    kdc_tcp_listen = 127.0.0.1:${port}
  }
[logging]
  kdc = FILE:${dir}/kdc.log
`;
    await fs.writeFile(path.join(dir, 'krb5.conf'), krb5conf);
    await fs.writeFile(path.join(dir, 'kdc.conf'), kdcconf);
    await fs.writeFile(path.join(dir, 'kadm5.acl'), '');
    const env = { ...process.env, KRB5_CONFIG: path.join(dir, 'krb5.conf'), KRB5_KDC_PROFILE: path.join(dir, 'kdc.conf') };
    await ok(run('kdb5_util', ['create', '-s', '-r', realm, '-P', 'master-pw'], { env }), 'kdb5_util create');
    const child = spawn('krb5kdc', ['-n', '-r', realm], { env, stdio: 'ignore' });
    const kdc = new MitKdc(dir, realm, port!, child, env);
    await kdc.waitListening();
    return kdc;
  }

  private async waitListening(): Promise<void> {
    const net = await import('node:net');
    for (let i = 0; i < 100; i++) {
      const up = await new Promise<boolean>((resolve) => {
        const s = net.connect(this.port, '127.0.0.1', () => (s.end(), resolve(true)));
        s.on('error', () => resolve(false));
      });
      if (up) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('krb5kdc did not start listening');
  }

  kadmin(query: string): Promise<RunResult> {
    return ok(run('kadmin.local', ['-r', this.realm, '-q', query], { env: this.env }), `kadmin.local ${query}`);
  }

  addUser(name: string, password: string): Promise<RunResult> {
    return this.kadmin(`addprinc -pw ${password} ${name}`);
  }

  /** a service principal with a random key, written to `keytab` (its kvno goes up on each call) */
  async addService(principal: string, keytab: string): Promise<void> {
    await this.kadmin(`addprinc -randkey ${principal}`);
    await this.kadmin(`ktadd -k ${keytab} ${principal}`);
  }

  /** kinit into a fresh credentials cache; returns the env for clients using it */
  async kinit(user: string, password: string): Promise<NodeJS.ProcessEnv> {
    const ccache = path.join(this.dir, `${user.replace(/[^a-z0-9]/gi, '_')}-${Date.now()}.ccache`);
    const env = { ...this.env, KRB5CCNAME: `FILE:${ccache}` };
    await ok(run('kinit', [`${user}@${this.realm}`], { env, input: `${password}\n` }), `kinit ${user}`);
    return env;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.pid !== undefined) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (this.child.exitCode === null) this.child.kill('SIGKILL');
    }
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}

async function ok(p: Promise<RunResult>, what: string): Promise<RunResult> {
  const res = await p;
  if (res.code !== 0) throw new Error(`${what} failed (${res.code}): ${res.stdout}${res.stderr}`);
  return res;
}
