import { execFileSync } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;

/** A keytab made by MIT ktutil with one aes256 and one aes128 key, and the aes256 key's hex. */
function makeKeytab(file: string, principal: string, kvno: number): string {
  const script = [
    `addent -password -p ${principal} -k ${kvno} -e aes256-cts-hmac-sha1-96`, 'pw',
    `addent -password -p ${principal} -k ${kvno} -e aes128-cts-hmac-sha1-96`, 'pw',
    `wkt ${file}`, 'quit', '',
  ].join('\n');
  execFileSync('ktutil', [], { input: script, stdio: ['pipe', 'ignore', 'ignore'] });
  const listed = execFileSync('klist', ['-k', '-K', file], { encoding: 'utf8' });
  return /\(0x([0-9a-f]{64})\)/.exec(listed)![1]!;
}

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  await writeFile(join(dir, 'portcullis.yaml'), 'mainDomain: main.test\ndataDir: state\n');
  expect((await cli(dir, 'domain', 'create', 'krb.test', 'aliases=mail.krb.test')).code).toBe(0);
});
afterEach(() => cleanup());

describe('kerberos import|list|delete', () => {
  it('imports a keytab, lists it without key bytes, and domain show prints no key', async () => {
    const keyHex = makeKeytab(join(dir, 'a.keytab'), 'imap/mail.krb.test@KRB.TEST', 4);
    const imported = await cli(dir, 'kerberos', 'import', 'mail.krb.test', 'a.keytab');
    expect(imported, imported.err).toMatchObject({ code: 0 });
    expect(imported.out).toContain('imported 2 key(s) into krb.test');
    const list = await cli(dir, 'kerberos', 'list', 'krb.test');
    expect(list.out).toMatch(/^[0-9a-f]{12}\s+imap\/mail\.krb\.test@KRB\.TEST\s+\d{4}-\d\d-\d\dT\S+\s+4\s+aes256-cts-hmac-sha1-96$/m);
    expect(list.out).toMatch(/\s4\s+aes128-cts-hmac-sha1-96$/m);
    const keyB64 = Buffer.from(keyHex, 'hex').toString('base64');
    const show = await cli(dir, 'domain', 'show', 'krb.test');
    for (const out of [imported.out, list.out, show.out]) {
      expect(out).not.toContain(keyB64);
      expect(out).not.toContain(keyHex);
    }
    expect(show.out).toContain('kerberosKeys: (2 keys, see kerberos list)');
    // stored with the domain's settings
    const files = await readdir(join(dir, 'state', 'domains', 'krb.test'));
    const stored = await Promise.all(files.filter((f) => f.endsWith('.yaml')).map((f) => readFile(join(dir, 'state', 'domains', 'krb.test', f), 'utf8')));
    expect(stored.join('\n')).toContain(keyB64);
  });

  it('re-importing the same keys adds nothing; delete removes by id and names unknown ids', async () => {
    makeKeytab(join(dir, 'a.keytab'), 'imap/mail.krb.test@KRB.TEST', 4);
    await cli(dir, 'kerberos', 'import', 'krb.test', 'a.keytab');
    await cli(dir, 'kerberos', 'import', 'krb.test', 'a.keytab');
    const ids = [...(await cli(dir, 'kerberos', 'list', 'krb.test')).out.matchAll(/^([0-9a-f]{12})\s/gm)].map((m) => m[1]!);
    expect(ids).toHaveLength(2);
    expect(await cli(dir, 'kerberos', 'delete', 'krb.test', ids[0]!)).toMatchObject({ code: 0, out: 'deleted 1 key(s) from krb.test\n' });
    const after = (await cli(dir, 'kerberos', 'list', 'krb.test')).out;
    expect(after).not.toContain(ids[0]!);
    expect(after).toContain(ids[1]!);
    const bad = await cli(dir, 'kerberos', 'delete', 'krb.test', 'feedfeedfeed');
    expect(bad.code).not.toBe(0);
    expect(bad.err).toContain('no such key in krb.test: feedfeedfeed');
    await cli(dir, 'kerberos', 'delete', 'krb.test', ids[1]!);
    expect((await cli(dir, 'kerberos', 'list', 'krb.test')).out).toBe('no Kerberos keys in krb.test\n');
  });

  it('refuses a file that is not a keytab, a missing file, and an unknown domain', async () => {
    await writeFile(join(dir, 'junk'), 'not a keytab');
    const junk = await cli(dir, 'kerberos', 'import', 'krb.test', 'junk');
    expect(junk.code).toBe(2);
    expect(junk.err).toContain('unsupported keytab version');
    expect((await cli(dir, 'kerberos', 'import', 'krb.test', 'missing.keytab')).code).not.toBe(0);
    makeKeytab(join(dir, 'a.keytab'), 'imap/x@KRB.TEST', 1);
    const unknown = await cli(dir, 'kerberos', 'import', 'nope.test', 'a.keytab');
    expect(unknown.code).not.toBe(0);
    expect(unknown.err).toContain('does not exist');
    expect((await cli(dir, 'kerberos', 'list')).code).toBe(2);
  });
});
