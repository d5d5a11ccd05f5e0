/**
 * FTP through real clients: Python's ftplib (FTP, and FTP_TLS with auth() and prot_p()) and curl
 * (explicit AUTH TLS with --ssl-reqd, implicit ftps://), on the built gateway.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway, MAIN_DOMAIN } from './harness/gateway.js';
import { curl, python } from './harness/run.js';
import { ALICE, UNKNOWN, WRONG_PASSWORD, createAccount, stopCleanly } from './harness/fixtures.js';

interface FtpOut {
  ok: boolean;
  error: string | null;
  welcome: string;
  login: string;
  results: unknown[];
}

const LISTENERS = {
  ftp: { service: 'ftp', tls: 'starttls' },
  ftps: { service: 'ftp', tls: 'implicit' },
} as const;

let gw: Gateway<keyof typeof LISTENERS>;

beforeAll(async () => {
  gw = await Gateway.start({ listeners: LISTENERS });
  await createAccount(gw, ALICE.address, ALICE.password);
});

afterAll(async () => {
  await stopCleanly(gw, [ALICE.password, WRONG_PASSWORD]);
});

function ftplib(args: Record<string, unknown>): Promise<FtpOut> {
  return python<FtpOut>('ftp_client.py', { host: '127.0.0.1', port: gw.ports.ftp, ...args }, 60_000);
}

const aliceRoot = (): string => path.join(gw.dataDir, 'files', MAIN_DOMAIN, 'alice');

describe('Python ftplib', () => {
  for (const security of ['plain', 'tls'] as const) {
    it(`${security}: login, mkdir, upload, list, download, rename, delete, rmdir`, async () => {
      const dir = `dir-${security}`;
      const out = await ftplib({
        security,
        user: ALICE.address,
        password: ALICE.password,
        steps: [
          ['mkdir', dir],
          ['cwd', dir],
          ['pwd'],
          ['upload', 'hello.txt', `hello over ${security} "quoted" name`],
          ['list'],
          ['nlst'],
          ['mlsd'],
          ['size', 'hello.txt'],
          ['download', 'hello.txt'],
          ['rename', 'hello.txt', 'renamed file.txt'],
          ['nlst'],
          ['delete', 'renamed file.txt'],
          ['cwd', '..'],
          ['rmdir', dir],
          ['nlst'],
        ],
      });
      expect(out.error).toBeNull();
      expect(out.welcome).toMatch(/^220 /);
      expect(out.login).toMatch(/^230 /);
      const r = out.results;
      expect(r[0]).toBe(`/${dir}`);
      expect(r[2]).toBe(`/${dir}`);
      expect(r[4]).toEqual([expect.stringMatching(/^-rw-r--r-- .* hello\.txt$/)]);
      expect(r[5]).toEqual(['hello.txt']);
      expect(r[6]).toEqual(['.', 'hello.txt']);
      expect(r[7]).toBe(`hello over ${security} "quoted" name`.length);
      expect(r[8]).toBe(`hello over ${security} "quoted" name`);
      expect(r[10]).toEqual(['renamed file.txt']);
      expect(r[14]).toEqual([]);
    });
  }

  it('the file lands in the account storage under dataDir', async () => {
    const out = await ftplib({ security: 'tls', user: ALICE.address, password: ALICE.password, steps: [['upload', 'kept.txt', 'kept']] });
    expect(out.error).toBeNull();
    expect(await fs.readFile(path.join(aliceRoot(), 'kept.txt'), 'utf8')).toBe('kept');
  });

  it('refuses a wrong password and an unknown account with 530', async () => {
    const wrong = await ftplib({ security: 'tls', user: ALICE.address, password: WRONG_PASSWORD });
    expect(wrong.ok).toBe(false);
    expect(wrong.error).toMatch(/530/);
    const unknown = await ftplib({ security: 'plain', user: UNKNOWN, password: WRONG_PASSWORD });
    expect(unknown.ok).toBe(false);
    expect(unknown.error).toMatch(/530/);
  });

  it('data connections in the clear after AUTH TLS when the client keeps PROT C', async () => {
    const out = await ftplib({ security: 'tls', prot: 'C', user: ALICE.address, password: ALICE.password, steps: [['upload', 'clear.txt', 'c'], ['download', 'clear.txt']] });
    expect(out.error).toBeNull();
    expect(out.results[1]).toBe('c');
  });
});

describe('curl', () => {
  const userArg = `${ALICE.address}:${ALICE.password}`;

  it('explicit AUTH TLS (--ssl-reqd): upload with -T, list, download', async () => {
    const src = path.join(gw.dir, 'upload-src.txt');
    await fs.writeFile(src, 'curl upload body\n');
    const up = await curl(['-k', '--ssl-reqd', '-u', userArg, '-T', src, `ftp://127.0.0.1:${gw.ports.ftp}/curl-up.txt`]);
    expect(up.code, up.stderr).toBe(0);
    const list = await curl(['-k', '--ssl-reqd', '-u', userArg, `ftp://127.0.0.1:${gw.ports.ftp}/`]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/curl-up\.txt/);
    const down = await curl(['-k', '--ssl-reqd', '-u', userArg, `ftp://127.0.0.1:${gw.ports.ftp}/curl-up.txt`]);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toBe('curl upload body\n');
  });

  it('implicit FTPS (ftps://): upload, list-only, download', async () => {
    const src = path.join(gw.dir, 'upload-src2.txt');
    await fs.writeFile(src, 'implicit body');
    const up = await curl(['-k', '-u', userArg, '-T', src, `ftps://127.0.0.1:${gw.ports.ftps}/implicit.txt`]);
    expect(up.code, up.stderr).toBe(0);
    const list = await curl(['-k', '-u', userArg, '--list-only', `ftps://127.0.0.1:${gw.ports.ftps}/`]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout.split(/\r?\n/)).toContain('implicit.txt');
    const down = await curl(['-k', '-u', userArg, `ftps://127.0.0.1:${gw.ports.ftps}/implicit.txt`]);
    expect(down.stdout).toBe('implicit body');
  });

  it('plain ftp:// without TLS works for an account without secureMethodRequired', async () => {
    const down = await curl(['-u', userArg, `ftp://127.0.0.1:${gw.ports.ftp}/implicit.txt`]);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toBe('implicit body');
  });

  it('a wrong password fails (curl exit 67: login denied)', async () => {
    const r = await curl(['-k', '--ssl-reqd', '-u', `${ALICE.address}:${WRONG_PASSWORD}`, `ftp://127.0.0.1:${gw.ports.ftp}/`]);
    expect(r.code).toBe(67);
  });
});
