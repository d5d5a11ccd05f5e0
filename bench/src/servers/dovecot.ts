/**
 * Dovecot doing the same logins, when it is installed: its own config, base_dir, state and log in a
 * temp dir, a passwd-file with the bench user, plaintext allowed, loopback ports. `performance`
 * mode keeps login processes alive (service_count = 0), the high-performance mode of its docs;
 * `default` forks a login process per connection.
 */
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { freePort, startProcess, stopProcess } from './processes.js';
import { findExecutable } from './redis.js';
import { BENCH_PASSWORD, BENCH_USER, type Target } from './target.js';

export type DovecotMode = 'default' | 'performance';

function uidOf(user: string): number | undefined {
  try {
    return Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
  } catch {
    return undefined;
  }
}

export async function startDovecot(mode: DovecotMode, openFiles: number): Promise<Target | undefined> {
  const bin = findExecutable('dovecot');
  const mailUid = uidOf('dovecot');
  if (!bin || mailUid === undefined || uidOf('dovenull') === undefined) return undefined;
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-bench-dovecot-'));
  const [imapPort, popPort] = [await freePort(), await freePort()];
  // mkdtemp makes the directory 0700; Dovecot's auth and mail processes run as its own users
  await chmod(dir, 0o755);
  const mail = join(dir, 'mail');
  await mkdir(mail, { recursive: true });
  execFileSync('chown', ['dovecot:dovecot', mail]);
  await writeFile(join(dir, 'passwd'), `${BENCH_USER}:{PLAIN}${BENCH_PASSWORD}:${mailUid}:${mailUid}::${mail}/%u::\n`, { mode: 0o644 });
  const loginService = (name: string, port: number) =>
    [
      `service ${name}-login {`,
      `  inet_listener ${name} {`,
      `    address = 127.0.0.1`,
      `    port = ${port}`,
      '  }',
      ...(name === 'imap' ? ['  inet_listener imaps {', '    port = 0', '  }'] : ['  inet_listener pop3s {', '    port = 0', '  }']),
      ...(mode === 'performance' ? ['  service_count = 0', '  process_min_avail = 2', '  client_limit = 1000'] : []),
      '}',
    ].join('\n');
  const conf = [
    `base_dir = ${join(dir, 'run')}`,
    `state_dir = ${join(dir, 'state')}`,
    `log_path = ${join(dir, 'dovecot.log')}`,
    `info_log_path = ${join(dir, 'dovecot.log')}`,
    'protocols = imap pop3',
    'listen = 127.0.0.1',
    'ssl = no',
    ...(process.env.BENCH_DOVECOT_DEBUG ? ['auth_debug = yes', 'auth_verbose = yes', 'log_debug = category=auth'] : []),
    'disable_plaintext_auth = no',
    'auth_mechanisms = plain login cram-md5 apop',
    `first_valid_uid = ${mailUid}`,
    `mail_location = maildir:${mail}/%u`,
    'default_process_limit = 1000',
    'default_client_limit = 10000',
    'protocol imap {\n  mail_max_userip_connections = 100000\n}',
    'protocol pop3 {\n  mail_max_userip_connections = 100000\n}',
    'passdb {\n  driver = passwd-file\n  args = ' + join(dir, 'passwd') + '\n}',
    'userdb {\n  driver = passwd-file\n  args = ' + join(dir, 'passwd') + '\n}',
    loginService('imap', imapPort),
    loginService('pop3', popPort),
    '',
  ].join('\n');
  const confFile = join(dir, 'dovecot.conf');
  await writeFile(confFile, conf);
  try {
    const child = await startProcess(bin, ['-F', '-c', confFile], { openFiles });
    // -F stays in the foreground and prints nothing: wait for the listener instead
    await waitForPort(imapPort);
    return {
      key: `dovecot-${mode}`,
      label: `Dovecot (${mode === 'performance' ? 'high-performance mode' : 'default'})`,
      imapPort,
      popPort,
      pid: child.pid!,
      tree: true,
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

async function waitForPort(port: number): Promise<void> {
  const { connect } = await import('node:net');
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('data', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`dovecot did not listen on ${port}`);
}
