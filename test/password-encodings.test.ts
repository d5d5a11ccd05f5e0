/**
 * Password encodings end to end: a legacy list imported with `account import` (hashes stored as
 * U-crpt with their prefixes, $y$ checked by the gateway's libcrypt), and A-crpt (argon2id), each
 * logging in through IMAP LOGIN. One-way encodings give CRAM-MD5 nothing to work with.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway } from './harness/gateway.js';
import { imapAuthenticate, imapConnect, imapLoginWorks } from './harness/imap.js';
import { stopCleanly } from './harness/fixtures.js';

// hashes made by libxcrypt ($y$, $2y$), `openssl passwd -1` and `openssl dgst` ({SSHA}), and the
// SHA-crypt specification's vector ($6$)
const LEGACY = [
  { user: 'yes', password: 'Yes-Crypt-1', hash: '$y$j9T$abcdefghijklmnopqrstu.$Lpr8jxb5kG7UD.dtfXf.pqs1NehFfsH7jcNDCL1jljC' },
  { user: 'blow', password: 'Blow-Fish-2', hash: '$2y$05$abcdefghijklmnopqrstuuBCsoAbwczdQv8D7.CsvKYek/qyhuix2' },
  { user: 'md5', password: 'Md5-Crypt-3', hash: '$1$Xy12Ab34$Pvlxi/QEETA4IZByxaJwR.' },
  { user: 'ssha', password: 'Salted-Sha-4', hash: '{SSHA}0VFI8llILlfNxEqgyh2Kvc/mI9twZXBwZXIxMg==' },
  { user: 'sha512', password: 'Hello world!', hash: '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1' },
];
const ARGON = { address: 'argon@example.test', password: 'Argon-Two-5' };

let gw: Gateway<'imap'>;

beforeAll(async () => {
  gw = await Gateway.start({ listeners: { imap: { service: 'imap', tls: 'none' } } });
  const list = path.join(gw.dir, 'legacy-users');
  await writeFile(list, `# from the old server\n${LEGACY.map((l) => `${l.user}@example.test:${l.hash}:1000:1000::/home/${l.user}:/bin/sh`).join('\n')}\n`);
  const r = await gw.cliOk('account', 'import', list);
  expect(r.stdout).toMatch(/imported 5 accounts: 5 created, 0 updated/);
  await gw.cliOk('account', 'create', ARGON.address, 'passwordEncryption=A-crpt', '--password', ARGON.password);
}, 60_000);

afterAll(async () => {
  await stopCleanly(gw, [...LEGACY.map((l) => l.password), ARGON.password]);
});

describe.each(LEGACY)('imported $user hash', ({ user, password, hash }) => {
  it('logs in through IMAP LOGIN with the old password, and not with another', async () => {
    expect((await imapLoginWorks(gw.ports.imap, `${user}@example.test`, password)).ok).toBe(true);
    expect((await imapLoginWorks(gw.ports.imap, `${user}@example.test`, `${password}x`)).ok).toBe(false);
  });
  it('is kept as U-crpt and never shown', async () => {
    const show = await gw.cliOk('account', 'show', `${user}@example.test`);
    expect(show.stdout).not.toContain(hash);
  });
});

describe('A-crpt', () => {
  it('stores argon2id and logs in through IMAP LOGIN', async () => {
    expect((await imapLoginWorks(gw.ports.imap, ARGON.address, ARGON.password)).ok).toBe(true);
    expect((await imapLoginWorks(gw.ports.imap, ARGON.address, 'Argon-Two-6')).ok).toBe(false);
  });
  it('rejects CRAM-MD5 (one-way), like every imported hash', async () => {
    for (const address of [ARGON.address, 'md5@example.test']) {
      const { c } = await imapConnect(gw.ports.imap);
      try {
        const r = await imapAuthenticate(c, 'CRAM-MD5', () => Buffer.from(`${address} ${'0'.repeat(32)}`));
        expect(r.ok).toBe(false);
      } finally {
        c.close();
      }
    }
  });
});
