import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KeytabFormatError, parseKeytab, principalName, writeKeytab } from '../src/keytab.js';
import { fromStored, mergeKeys, storedKeysOf, toStored } from '../src/stored-keys.js';

const dir = mkdtempSync(join(tmpdir(), 'kt-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A keytab made by MIT ktutil, and what MIT's klist says is in it (kvno, enctype, key hex). */
function ktutilKeytab(name: string, kvno: number): { file: string; listed: string[] } {
  const file = join(dir, name);
  const script = [
    `addent -password -p imap/mail.example.com@EXAMPLE.TEST -k ${kvno} -e aes256-cts-hmac-sha1-96`,
    'secret',
    `addent -password -p imap/mail.example.com@EXAMPLE.TEST -k ${kvno} -e aes128-cts-hmac-sha1-96`,
    'secret',
    `wkt ${file}`,
    'quit',
    '',
  ].join('\n');
  execFileSync('ktutil', [], { input: script, stdio: ['pipe', 'ignore', 'ignore'] });
  const out = execFileSync('klist', ['-k', '-e', '-K', file], { encoding: 'utf8' });
  const listed = [...out.matchAll(/^\s*(\d+)\s+(\S+)\s+\((\S+)\)\s+\(0x([0-9a-f]+)\)/gm)].map(
    (m) => `${m[1]} ${m[2]} ${m[3]} ${m[4]}`,
  );
  return { file, listed };
}

describe('parseKeytab', () => {
  it('reads the principal, kvno, enctype and key bytes of a keytab ktutil made', () => {
    const { file, listed } = ktutilKeytab('a.keytab', 3);
    const entries = parseKeytab(readFileSync(file));
    expect(entries).toHaveLength(2);
    const names: Record<number, string> = { 17: 'aes128-cts-hmac-sha1-96', 18: 'aes256-cts-hmac-sha1-96' };
    const mine = entries.map((e) => `${e.kvno} ${principalName(e)} ${names[e.enctype]} ${e.key.toString('hex')}`);
    expect(mine).toEqual(listed);
    expect(entries[0]!.components).toEqual(['imap', 'mail.example.com']);
    expect(entries[0]!.realm).toBe('EXAMPLE.TEST');
    expect(entries[0]!.key).toHaveLength(32);
    expect(Math.abs(entries[0]!.timestamp - Date.now() / 1000)).toBeLessThan(600);
  });

  it('writes keytabs that MIT klist reads back key for key (a kvno above 255 too)', () => {
    const { file } = ktutilKeytab('b.keytab', 7);
    const entries = parseKeytab(readFileSync(file));
    const big = { ...entries[0]!, kvno: 300 };
    const out = join(dir, 'written.keytab');
    writeFileSync(out, writeKeytab([...entries, big]), { mode: 0o600 });
    const { listed } = { listed: execFileSync('klist', ['-k', '-K', out], { encoding: 'utf8' }) };
    expect(listed).toContain(`imap/mail.example.com@EXAMPLE.TEST (0x${entries[0]!.key.toString('hex')})`);
    expect(listed).toMatch(/^\s*300 imap\/mail\.example\.com@EXAMPLE\.TEST/m);
    expect(parseKeytab(readFileSync(out))).toEqual([...entries, big]);
  });

  it('refuses files that are not 0x0502 keytabs and truncated entries', () => {
    expect(() => parseKeytab(Buffer.from('hello world'))).toThrow(KeytabFormatError);
    expect(() => parseKeytab(Buffer.from([0x05, 0x01, 0, 0, 0, 0]))).toThrow(/0x0501/);
    const { file } = ktutilKeytab('c.keytab', 1);
    const data = readFileSync(file);
    expect(() => parseKeytab(data.subarray(0, data.length - 10))).toThrow(/truncated/);
    const huge = Buffer.from([0x05, 0x02, 0x7f, 0xff, 0xff, 0xff]);
    expect(() => parseKeytab(huge)).toThrow(KeytabFormatError);
  });

  it('skips holes left by deleted entries', () => {
    const { file } = ktutilKeytab('d.keytab', 2);
    const data = readFileSync(file);
    const hole = Buffer.alloc(4 + 8);
    hole.writeInt32BE(-8);
    const withHole = Buffer.concat([data.subarray(0, 2), hole, data.subarray(2)]);
    expect(parseKeytab(withHole)).toEqual(parseKeytab(data));
  });
});

describe('stored keys', () => {
  it('round-trip through the domain setting and replace a re-imported key by id', () => {
    const { file } = ktutilKeytab('e.keytab', 5);
    const entries = parseKeytab(readFileSync(file));
    const stored = mergeKeys([], entries);
    expect(stored).toHaveLength(2);
    expect(new Set(stored.map((s) => s.id)).size).toBe(2);
    expect(mergeKeys(stored, entries)).toHaveLength(2);
    expect(storedKeysOf({ kerberosKeys: [...stored, { junk: 1 }] }).map(fromStored)).toEqual(entries);
    expect(toStored(entries[0]!).key).toBe(entries[0]!.key.toString('base64'));
  });
});
