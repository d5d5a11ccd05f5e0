/**
 * External Authentication: the gateway runs the sample helpers of deploy/helpers (shell, then
 * Node, switched on the running server with the CLI) and clients log in through IMAP with the
 * passwords the helper knows; an unknown account the helper knows is provisioned (NEW); a helper
 * that never answers and one that dies make the login fail promptly, never hang.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway } from './harness/gateway.js';
import { REPO_ROOT } from './harness/run.js';
import { stopCleanly, WRONG_PASSWORD } from './harness/fixtures.js';
import { imapLoginWorks } from './harness/imap.js';
import { python } from './harness/run.js';

const HELPERS = path.join(REPO_ROOT, 'deploy/helpers');
const HANA = { address: 'hana@example.test', password: 'Hana Helper 1' };
const IVAN = { address: 'ivan@example.test', password: 'Ivan-Helper-2' };
const NEWBIE = { address: 'newbie@ext.test', password: 'Newbie-Helper-5' };

let gw: Gateway<'imap' | 'pop'>;
let dir: string;
let usersFile: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'portcullis-extauth-'));
  usersFile = path.join(dir, 'users');
  await fs.writeFile(usersFile, [HANA, IVAN, NEWBIE].map((u) => `${u.address}:${u.password}`).join('\n') + '\n');
  // answers INTF, then never again: every VRFY times out
  await fs.writeFile(
    path.join(dir, 'silent-helper.mjs'),
    "import { createInterface } from 'node:readline';\n" +
      "createInterface({ input: process.stdin }).on('line', (l) => { const [seq, cmd] = l.split(' '); if (cmd === 'INTF') process.stdout.write(seq + ' INTF 1\\n'); });\n",
  );
  gw = await Gateway.start({ listeners: { imap: { service: 'imap', tls: 'none' }, pop: { service: 'pop', tls: 'none' } } });
  await gw.cliOk('server', 'set', `externalAuth.program=${path.join(HELPERS, 'sample-helper.sh')}`, `externalAuth.args=${usersFile}`, 'externalAuth.timeout=2');
  await gw.cliOk('account', 'create', HANA.address, 'useExtPassword=true');
  await gw.cliOk('account', 'create', IVAN.address, 'useExtPassword=true');
}, 60_000);

afterAll(async () => {
  await stopCleanly(gw, [HANA.password, IVAN.password, NEWBIE.password, WRONG_PASSWORD]);
  await fs.rm(dir, { recursive: true, force: true });
});

async function login(user: string, password: string): Promise<{ ok: boolean; ms: number }> {
  const started = Date.now();
  const r = await imapLoginWorks(gw.ports.imap, user, password);
  return { ok: r.ok, ms: Date.now() - started };
}

describe('the sample helpers', () => {
  it('shell helper: the helper password logs in over IMAP, a wrong one does not', async () => {
    expect((await login(HANA.address, HANA.password)).ok).toBe(true);
    expect((await login(HANA.address, WRONG_PASSWORD)).ok).toBe(false);
    // the source is off for an account without useExtPassword
    await gw.cliOk('account', 'set', HANA.address, 'useExtPassword=false');
    expect((await login(HANA.address, HANA.password)).ok).toBe(false);
    await gw.cliOk('account', 'set', HANA.address, 'useExtPassword=true');
  });

  it('Node helper, switched to on the running server: logins work through it', async () => {
    await gw.cliOk('server', 'set', `externalAuth.program=${process.execPath}`, `externalAuth.args=${path.join(HELPERS, 'sample-helper.mjs')},${usersFile}`);
    expect((await login(IVAN.address, IVAN.password)).ok).toBe(true);
    expect((await login(HANA.address, HANA.password)).ok).toBe(true);
    expect((await login(IVAN.address, WRONG_PASSWORD)).ok).toBe(false);
  });

  it('provisions an unknown account the helper knows (NEW), in a domain whose defaults use it', async () => {
    await gw.cliOk('domain', 'create', 'ext.test', 'defaultAccountSettings.useExtPassword=true');
    expect((await gw.cli('account', 'show', NEWBIE.address)).code).not.toBe(0);
    expect((await login(NEWBIE.address, NEWBIE.password)).ok).toBe(true);
    expect((await gw.cli('account', 'show', NEWBIE.address)).code).toBe(0);
    // one the helper does not know stays unknown
    expect((await login('stranger@ext.test', NEWBIE.password)).ok).toBe(false);
    expect((await gw.cli('account', 'show', 'stranger@ext.test')).code).not.toBe(0);
  });
});

interface ImapOut {
  ok: boolean;
  error: string | null;
}
interface PopOut {
  ok: boolean;
  error: string | null;
}

describe('secure methods through SASL(<method>)', () => {
  const useHelper = async (kind: 'shell' | 'node') => {
    if (kind === 'shell') await gw.cliOk('server', 'set', `externalAuth.program=${path.join(HELPERS, 'sample-helper.sh')}`, `externalAuth.args=${usersFile}`);
    else await gw.cliOk('server', 'set', `externalAuth.program=${process.execPath}`, `externalAuth.args=${path.join(HELPERS, 'sample-helper.mjs')},${usersFile}`);
  };
  const imapCram = (user: string, password: string) =>
    python<ImapOut>('imap_client.py', { host: '127.0.0.1', port: gw.ports.imap, security: 'plain', method: 'cram-md5', user, password });
  const popApop = (user: string, password: string) =>
    python<PopOut>('pop_client.py', { host: '127.0.0.1', port: gw.ports.pop, security: 'plain', method: 'apop', user, password });

  it.each(['shell', 'node'] as const)('%s helper: imaplib logs in with CRAM-MD5 to an account with no own password; a wrong response is refused', async (kind) => {
    await useHelper(kind);
    const good = await imapCram(HANA.address, HANA.password);
    expect(good.error).toBeNull();
    expect(good.ok).toBe(true);
    const bad = await imapCram(HANA.address, WRONG_PASSWORD);
    expect(bad.ok).toBe(false);
    expect(bad.error).toMatch(/^error: /);
    // the helper is asked only for accounts that use it
    await gw.cliOk('account', 'set', IVAN.address, 'useExtPassword=false');
    expect((await imapCram(IVAN.address, IVAN.password)).ok).toBe(false);
    await gw.cliOk('account', 'set', IVAN.address, 'useExtPassword=true');
    expect((await imapCram(IVAN.address, IVAN.password)).ok).toBe(true);
  });

  it('poplib logs in with APOP through the helper; a wrong digest is refused', async () => {
    await useHelper('node');
    const good = await popApop(IVAN.address, IVAN.password);
    expect(good.error).toBeNull();
    expect(good.ok).toBe(true);
    expect((await popApop(IVAN.address, WRONG_PASSWORD)).ok).toBe(false);
  });

  it('at logLevel debug the EXTAUTH log names the SASL(CRAM-MD5) request and the account, never the password', async () => {
    await useHelper('shell');
    await gw.cliOk('server', 'set', 'externalAuth.logLevel=debug');
    expect((await imapCram(HANA.address, HANA.password)).ok).toBe(true);
    await gw.cliOk('server', 'set', 'externalAuth.logLevel=info');
    expect(gw.stderr).toMatch(/"tag":"EXTAUTH".*"command":"SASL\(CRAM-MD5\)".*"account":"hana@example.test"/);
    expect(gw.stderr).not.toContain(HANA.password);
  });
});

describe('a helper in trouble', () => {
  it('no reply within the timeout: the login fails after about the timeout, and the log says so under EXTAUTH', async () => {
    await gw.cliOk('server', 'set', `externalAuth.program=${process.execPath}`, `externalAuth.args=${path.join(dir, 'silent-helper.mjs')}`, 'externalAuth.timeout=2');
    const r = await login(IVAN.address, IVAN.password);
    expect(r.ok).toBe(false);
    expect(r.ms).toBeGreaterThanOrEqual(1500);
    expect(r.ms).toBeLessThan(8000);
    expect(gw.stderr).toMatch(/"tag":"EXTAUTH".*timed out/);
  });

  it('a helper that dies: every login fails at once, and the server keeps serving', async () => {
    await gw.cliOk('server', 'set', 'externalAuth.program=/bin/false', 'externalAuth.args=');
    for (let i = 0; i < 3; i++) {
      const r = await login(IVAN.address, IVAN.password);
      expect(r.ok).toBe(false);
      expect(r.ms).toBeLessThan(5000);
    }
    expect(gw.stderr).toMatch(/"tag":"EXTAUTH".*external authentication program ended/);
    // back to a working helper: logins work again
    await gw.cliOk('server', 'set', `externalAuth.program=${path.join(HELPERS, 'sample-helper.sh')}`, `externalAuth.args=${usersFile}`);
    expect((await login(IVAN.address, IVAN.password)).ok).toBe(true);
    gw.assertAlive();
  });
});
