import { X509Certificate } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkClientCertificate } from '@portcullis/auth-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  await writeFile(join(dir, 'portcullis.yaml'), 'mainDomain: main.test\ndataDir: state\n');
});
afterEach(() => cleanup());

describe('pki dev-ca', () => {
  it('makes a CA and client certificates that auth-core accepts, keys private', async () => {
    const r = await cli(dir, 'pki', 'dev-ca', 'ca', '--domain', 'example.test', '--client', 'alice@example.test', '--client', 'bob');
    expect(r).toMatchObject({ code: 0 });
    expect(r.out).toContain('trustedCA=@');
    const caPem = await readFile(join(dir, 'ca', 'ca.pem'), 'utf8');
    expect(new X509Certificate(caPem).ca).toBe(true);
    for (const address of ['alice@example.test', 'bob@example.test']) {
      const cert = new X509Certificate(await readFile(join(dir, 'ca', `${address}.pem`)));
      expect(cert.subjectAltName).toBe(`email:${address}`);
      expect(checkClientCertificate(cert.raw, caPem)).toMatchObject({ ok: true, email: address });
      expect((await stat(join(dir, 'ca', `${address}.key`))).mode & 0o077).toBe(0);
    }
    expect((await stat(join(dir, 'ca', 'ca.key'))).mode & 0o077).toBe(0);
  });

  it('reuses an existing CA for more clients, and defaults to the main domain', async () => {
    expect((await cli(dir, 'pki', 'dev-ca', 'ca')).code).toBe(0);
    const caPem = await readFile(join(dir, 'ca', 'ca.pem'), 'utf8');
    expect(new X509Certificate(caPem).subject).toContain('main.test');
    const r = await cli(dir, 'pki', 'dev-ca', 'ca', '--client', 'carol');
    expect(r.out).toContain('using the CA');
    expect(await readFile(join(dir, 'ca', 'ca.pem'), 'utf8')).toBe(caPem);
    const cert = new X509Certificate(await readFile(join(dir, 'ca', 'carol@main.test.pem')));
    expect(checkClientCertificate(cert.raw, caPem)).toMatchObject({ ok: true, email: 'carol@main.test' });
  });

  it('refuses bad usage with exit code 2', async () => {
    expect((await cli(dir, 'pki', 'dev-ca')).code).toBe(2);
    expect((await cli(dir, 'pki', 'other', 'x')).code).toBe(2);
    expect((await cli(dir, 'pki', 'dev-ca', 'ca', '--client', 'a b@x.test')).code).toBe(2);
    expect((await cli(dir, 'pki', 'dev-ca', 'ca', '--client', '../x@y.test')).code).toBe(2);
    expect((await cli(dir, 'pki', 'dev-ca', 'ca', '--bogus')).code).toBe(2);
  });
});
