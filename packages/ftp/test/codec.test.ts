import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  epsvReply,
  listLine,
  mlsxLine,
  multiReply,
  parseCommand,
  parseOffset,
  pasvReply,
  quotePath,
  reply,
  resolveVirtual,
  stripTelnetPrefix,
  timeVal,
} from '../src/codec/index.js';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('parseCommand', () => {
  it('takes the argument whole: spaces and double quotes stay', () => {
    expect(parseCommand(b('stor my "file"  name.txt'))).toEqual({ ok: true, name: 'STOR', arg: 'my "file"  name.txt' });
    expect(parseCommand(b('PASS "pa ss"'))).toEqual({ ok: true, name: 'PASS', arg: '"pa ss"' });
    expect(parseCommand(b('PWD'))).toEqual({ ok: true, name: 'PWD', arg: undefined });
    expect(parseCommand(b('MKD ünïcødé'))).toEqual({ ok: true, name: 'MKD', arg: 'ünïcødé' });
  });

  it('drops the Telnet IP/Synch a client puts before ABOR', () => {
    expect(parseCommand(Buffer.from([0xff, 0xf4, 0xff, 0xf2, ...b('ABOR')]))).toEqual({ ok: true, name: 'ABOR', arg: undefined });
    expect(parseCommand(Buffer.from([0xf2, ...b('ABOR')]))).toEqual({ ok: true, name: 'ABOR', arg: undefined });
    expect(Buffer.from(stripTelnetPrefix(b('NOOP')))).toEqual(b('NOOP'));
  });

  it('refuses empty lines, NUL, invalid UTF-8 and odd keywords', () => {
    expect(parseCommand(b(''))).toEqual({ ok: false, reason: 'empty' });
    expect(parseCommand(b('RETR a\0b'))).toEqual({ ok: false, reason: 'nul' });
    expect(parseCommand(Buffer.from([0x52, 0x45, 0x54, 0x52, 0x20, 0xff]))).toEqual({ ok: false, reason: 'encoding' });
    expect(parseCommand(b('TOOLONG x'))).toEqual({ ok: false, reason: 'keyword' });
    expect(parseCommand(b('R1 x'))).toEqual({ ok: false, reason: 'keyword' });
  });

  it('never throws on random bytes', () => {
    for (let i = 0; i < 5000; i++) {
      const r = parseCommand(randomBytes(Math.floor(Math.random() * 30)));
      if (r.ok) expect(r.name).toMatch(/^[A-Z]{3,4}$/);
      else expect(['empty', 'nul', 'encoding', 'keyword']).toContain(r.reason);
    }
  });

  it('parseOffset takes decimals only', () => {
    expect(parseOffset('0')).toBe(0);
    expect(parseOffset('123')).toBe(123);
    expect(parseOffset('-1')).toBeUndefined();
    expect(parseOffset('1e3')).toBeUndefined();
    expect(parseOffset(undefined)).toBeUndefined();
  });
});

describe('resolveVirtual', () => {
  it('normalizes relative and absolute paths and never climbs above /', () => {
    expect(resolveVirtual('/', undefined)).toBe('/');
    expect(resolveVirtual('/a/b', '..')).toBe('/a');
    expect(resolveVirtual('/a/b', '../../../..')).toBe('/');
    expect(resolveVirtual('/a', 'c/./d//e')).toBe('/a/c/d/e');
    expect(resolveVirtual('/a', '/x/../../y')).toBe('/y');
    expect(resolveVirtual('/a', '..\\..\\etc\\passwd')).toBe('/etc/passwd');
  });

  it('fuzz: the result is always absolute, normalized, and free of . and .. segments', () => {
    const pieces = ['..', '.', '', 'a', 'b c', '\\', '/', '...', '..\\..', '%2e%2e'];
    for (let i = 0; i < 5000; i++) {
      const n = Math.floor(Math.random() * 8);
      const arg = Array.from({ length: n }, () => pieces[Math.floor(Math.random() * pieces.length)]).join('/');
      const cwd = resolveVirtual('/', Array.from({ length: 3 }, () => pieces[Math.floor(Math.random() * pieces.length)]).join('/'));
      const r = resolveVirtual(cwd, arg);
      expect(r.startsWith('/')).toBe(true);
      expect(r.split('/').slice(1).filter((s) => s === '..' || s === '.')).toEqual([]);
      if (r !== '/') expect(r.endsWith('/')).toBe(false);
      expect(r.includes('//')).toBe(false);
    }
  });
});

describe('replies and listings', () => {
  it('single and multi-line replies cannot be forged by control characters', () => {
    expect(reply(550, 'no\r\n230 forged')).toBe('550 no  230 forged\r\n');
    expect(multiReply(211, 'Features:', ['EPSV', 'x\r\n211 end'], 'End')).toBe('211-Features:\r\n EPSV\r\n x  211 end\r\n211 End\r\n');
  });

  it('quotes 257 paths with doubled double quotes', () => {
    expect(quotePath('/a "b"')).toBe('"/a ""b"""');
  });

  it('PASV and EPSV replies', () => {
    expect(pasvReply('192.0.2.10', 40001)).toBe('227 Entering Passive Mode (192,0,2,10,156,65)\r\n');
    expect(epsvReply(40001)).toBe('229 Entering Extended Passive Mode (|||40001|)\r\n');
  });

  it('ls -l lines, MLSx facts and time-vals', () => {
    const mtime = new Date(Date.UTC(2020, 0, 2, 3, 4, 5));
    expect(timeVal(mtime)).toBe('20200102030405');
    expect(listLine({ name: 'f.txt', type: 'file', size: 42, mtime }, new Date(Date.UTC(2020, 1, 1)))).toBe(
      '-rw-r--r-- 1 ftp ftp           42 Jan  2 03:04 f.txt',
    );
    expect(listLine({ name: 'd', type: 'dir', size: 0, mtime }, new Date(Date.UTC(2024, 1, 1)))).toMatch(/^drwxr-xr-x .* Jan {2}2 {2}2020 d$/);
    expect(mlsxLine({ name: 'f.txt', type: 'file', size: 42, mtime })).toBe('type=file;size=42;modify=20200102030405;perm=radfw; f.txt');
    expect(mlsxLine({ name: '.', type: 'dir', size: 0, mtime }, true)).toBe('type=cdir;modify=20200102030405;perm=elcmfp; .');
  });
});
