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

const HELPERS = path.join(REPO_ROOT, 'deploy/helpers');
const HANA = { address: 'hana@example.test', password: 'Hana Helper 1' };
const IVAN = { address: 'ivan@example.test', password: 'Ivan-Helper-2' };
const NEWBIE = { address: 'newbie@ext.test', password: 'Newbie-Helper-5' };

let gw: Gateway<'imap'>;
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
  gw = await Gateway.start({ listeners: { imap: { service: 'imap', tls: 'none' } } });
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
