import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { tempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(() => cleanup());

async function configFile(text: string, name = 'portcullis.yaml'): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

describe('config loading', () => {
  it('uses the embedded defaults without a file, relative to the working folder', async () => {
    const c = await loadConfig(undefined, dir);
    expect(c.source).toBeUndefined();
    expect(c.dataDir).toBe(join(dir, 'data'));
    expect(c.mainDomain).toBe('example.test');
    expect(c.hostname).toBe('example.test');
    expect(c.cache).toBe('memory');
    expect(c.tls).toEqual({ cert: 'auto' });
    expect(c.logLevel).toBe('info');
    expect(c.listeners.map((l) => `${l.service}:${l.port}:${l.tls}`)).toEqual([
      'imap:1143:starttls',
      'imap:1993:implicit',
      'pop:1110:starttls',
      'pop:1995:implicit',
      'smtp:1587:starttls',
      'smtp:1465:implicit',
      'ldap:1389:starttls',
      'ldap:1636:implicit',
      'ftp:2121:starttls',
      'xmpp:5222:starttls',
      'pwd:1106:undefined',
      'http:8100:undefined',
    ]);
  });

  it('picks ./portcullis.yaml up when present and resolves paths against its folder', async () => {
    await configFile('dataDir: state\nmainDomain: Corp.Test\ntls: { cert: certs/c.pem, key: certs/k.pem }\n');
    const c = await loadConfig(undefined, dir);
    expect(c.source).toBe(join(dir, 'portcullis.yaml'));
    expect(c.dataDir).toBe(join(dir, 'state'));
    expect(c.mainDomain).toBe('corp.test');
    expect(c.hostname).toBe('corp.test');
    expect(c.tls).toEqual({ cert: join(dir, 'certs/c.pem'), key: join(dir, 'certs/k.pem') });
  });

  it('resolves --config relative to the working folder and paths relative to the file', async () => {
    await mkdir(join(dir, 'etc'));
    await configFile('dataDir: ../var\nhostname: mail.corp.test\n', 'etc/gw.yaml');
    const c = await loadConfig('etc/gw.yaml', dir);
    expect(c.dataDir).toBe(join(dir, 'var'));
    expect(c.hostname).toBe('mail.corp.test');
  });

  it('refuses a missing --config file, naming it', async () => {
    await expect(loadConfig('nope.yaml', dir)).rejects.toThrow(`config ${join(dir, 'nope.yaml')}: no such file`);
  });

  it.each([
    ['listeners:\n  - { service: imap, port: 99999 }\n', 'listeners[0].port'],
    ['listeners:\n  - { service: gopher, port: 70 }\n', 'listeners[0].service'],
    ['listeners:\n  - { service: imap, port: 143, tls: maybe }\n', 'listeners[0].tls'],
    ['listeners:\n  - { service: imap, port: 143, grant: [10.0.0.0/33] }\n', 'listeners[0].grant[0]'],
    ['listeners:\n  - { service: imap, port: 143, address: localhost }\n', 'listeners[0].address'],
    ['listeners:\n  - { service: imap, port: 143, colour: red }\n', 'listeners[0].colour: unknown key'],
    ['mainDomain: "not a domain"\n', 'mainDomain'],
    ['cache: memcached\n', 'cache'],
    ['tls: { cert: /etc/c.pem }\n', 'tls.key: required when cert is a file'],
    ['logLevel: loud\n', 'logLevel'],
    ['dataDirectory: /x\n', 'dataDirectory: unknown key'],
  ])('names the bad key and the file: %j', async (text, key) => {
    const file = await configFile(text);
    const err = (await loadConfig(file, dir).then(
      () => new Error('accepted'),
      (e: unknown) => e,
    )) as Error & { exitCode?: number };
    expect(err.message).not.toBe('accepted');
    expect(err.message).toContain(`config ${file}:`);
    expect(err.message).toContain(key);
    expect(err.exitCode).toBe(2);
  });

  it('refuses YAML that does not parse, naming the file', async () => {
    const file = await configFile('listeners: [\n');
    await expect(loadConfig(file, dir)).rejects.toThrow(`config ${file}:`);
  });

  it('accepts every listener of DESIGN.md (deploy/portcullis.example.yaml)', async () => {
    const c = await loadConfig(join(import.meta.dirname, '../../../deploy/portcullis.example.yaml'), dir);
    expect(new Set(c.listeners.map((l) => l.service))).toEqual(new Set(['imap', 'pop', 'smtp', 'ldap', 'ftp', 'xmpp', 'pwd', 'http']));
  });
});
