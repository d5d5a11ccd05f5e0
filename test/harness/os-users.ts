/**
 * Real OS users for the OS password tests (needs root): useradd + chpasswd, so /etc/shadow holds
 * what the OS itself writes ($y$ yescrypt on Debian 12 unless a method is named). Remove them with
 * `removeOsUsers` in afterAll.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { run } from './run.js';

async function mustRun(cmd: string, args: string[], input?: string): Promise<void> {
  const r = await run(cmd, args, input === undefined ? {} : { input });
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${String(r.code)} ${r.stderr}`);
}

/** a short unique user name (Unix names are at most 32 characters) */
export function osUserName(prefix: string): string {
  return `${prefix}${randomBytes(3).toString('hex')}`;
}

/** `method`: chpasswd's -c (SHA512, SHA256, MD5, YESCRYPT); default the system's (yescrypt) */
export async function createOsUser(name: string, password: string, method?: string): Promise<void> {
  await mustRun('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', name]);
  await setOsPassword(name, password, method);
}

export async function setOsPassword(name: string, password: string, method?: string): Promise<void> {
  await mustRun('chpasswd', method ? ['-c', method] : [], `${name}:${password}\n`);
}

export async function lockOsUser(name: string, locked: boolean): Promise<void> {
  await mustRun('usermod', [locked ? '-L' : '-U', name]);
}

export async function removeOsUsers(names: readonly string[]): Promise<void> {
  for (const name of names) await run('userdel', [name]);
}

/** the user's /etc/shadow hash field, '' when there is no such user */
export function shadowHash(name: string): string {
  const line = readFileSync('/etc/shadow', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  return line?.split(':')[1] ?? '';
}
