/**
 * The web admin in a real browser (Debian Chromium, headless, driven by playwright-core) against the
 * built gateway: every action goes through the pages as an operator would do it, and its effect is
 * checked outside the browser (an IMAP CAPABILITY, the CLI, a real IMAP login).
 * PORTCULLIS_SCREENSHOTS=1 also writes the pages' PNGs to docs/screenshots/.
 */
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { Browser, expectText } from './harness/browser.js';
import { ALICE, WRONG_PASSWORD, createAccount, stopCleanly } from './harness/fixtures.js';
import { Gateway, MAIN_DOMAIN } from './harness/gateway.js';
import { imapCapabilitiesAt, imapCommand, imapConnect, imapLogin } from './harness/imap.js';
import { run } from './harness/run.js';

const POSTMASTER = { address: `postmaster@${MAIN_DOMAIN}`, password: 'Postmaster-Secret-9' };
const OTHER_DOMAIN = 'other.test';
const OTHER_ADMIN = { address: `admin@${OTHER_DOMAIN}`, password: 'Other-Admin-Secret-3' };
const ALICE_NEW_PASSWORD = 'Alice-New-Secret-2';
const ALICE_TAG_PASSWORD = 'Alice-Tag-Secret-5';
const CAROL = { address: `carol@${MAIN_DOMAIN}`, password: 'Carol-Secret-6' };
const BOB = { address: `bob@${MAIN_DOMAIN}`, password: 'Bob-Secret-4' };
const KEYTAB_PRINCIPAL = `imap/${MAIN_DOMAIN}@EXAMPLE.TEST`;

type Listeners = 'imap' | 'http';
let gw: Gateway<Listeners>;
let browser: Browser;
let page: Page;
let keytabPath: string;
/** uncaught errors in the app and Content-Security-Policy refusals, from every page */
const scriptProblems: string[] = [];

/** A real MIT keytab with two keys of one principal, written by ktutil (no KDC needed). */
async function makeKeytab(file: string): Promise<void> {
  const script = ['aes256-cts-hmac-sha1-96', 'aes128-cts-hmac-sha1-96']
    .map((e) => `addent -password -p ${KEYTAB_PRINCIPAL} -k 3 -e ${e}\nkeytab-secret\n`)
    .join('');
  const res = await run('ktutil', [], { input: `${script}wkt ${file}\nq\n` });
  if (res.code !== 0) throw new Error(`ktutil failed: ${res.stderr}`);
}

const imapCaps = (): Promise<string[]> => imapCapabilitiesAt(gw.ports.imap);

async function imapLoginOk(account: { address: string; password: string }): Promise<boolean> {
  const { c } = await imapConnect(gw.ports.imap);
  try {
    return (await imapLogin(c, account.address, account.password)).ok;
  } finally {
    c.close();
  }
}

/** GET a path exactly as written, without URL normalisation. */
function rawStatus(requestPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: gw.ports.http, path: requestPath, method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

const adminUrl = (fragment = ''): string => `http://127.0.0.1:${gw.ports.http}/admin/${fragment}`;

async function signIn(account: { address: string; password: string }): Promise<void> {
  await page.goto(adminUrl('#/login'));
  await page.getByLabel('Account').fill(account.address);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Domains' }).waitFor();
}

async function signOut(): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
}

/** Open a page by its URL fragment and wait for its title. */
async function open(fragment: string, title: string): Promise<void> {
  await page.goto(adminUrl(fragment));
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
}

beforeAll(async () => {
  gw = await Gateway.start<Listeners>({
    listeners: { imap: { service: 'imap', tls: 'none' }, http: { service: 'http', tls: 'none' } },
  });
  // the server made the main postmaster at its first start; give it a known password
  await gw.cliOk('account', 'set', POSTMASTER.address, `password=${POSTMASTER.password}`);
  await createAccount(gw, ALICE.address, ALICE.password, `tagPasswords=phone:${ALICE_TAG_PASSWORD}`);
  await createAccount(gw, BOB.address, BOB.password);
  await gw.cliOk('domain', 'create', OTHER_DOMAIN);
  await createAccount(gw, OTHER_ADMIN.address, OTHER_ADMIN.password);
  await gw.cliOk('rights', 'grant', OTHER_ADMIN.address, 'Domain');
  keytabPath = path.join(gw.dir, 'imap.keytab');
  await makeKeytab(keytabPath);
  browser = await Browser.launch();
  page = browser.page;
  page.on('pageerror', (err) => scriptProblems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content.Security.Policy/i.test(msg.text())) scriptProblems.push(`csp: ${msg.text()}`);
  });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await stopCleanly(gw, [POSTMASTER.password, ALICE.password, ALICE_NEW_PASSWORD, ALICE_TAG_PASSWORD, BOB.password, CAROL.password, OTHER_ADMIN.password, WRONG_PASSWORD]);
});

describe('the web admin', () => {
  it('is served at /admin/ with its content types, and nothing outside the site', async () => {
    const base = `http://127.0.0.1:${gw.ports.http}`;
    const index = await fetch(`${base}/admin/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
    const script = await fetch(`${base}/admin/app/main.js`);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await fetch(`${base}/admin/style.css`)).headers.get('content-type')).toMatch(/^text\/css/);
    const redirect = await fetch(`${base}/admin`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/admin/');
    // sent byte for byte (fetch would normalise the dots away); dist/index.js sits just outside the site
    for (const probe of ['/admin/../index.js', '/admin/%2e%2e/index.js', '/admin/..%2findex.js', '/admin/app/../../index.js', '/admin/app/main.d.ts', '/admin/nothing.html', '/admin//etc/passwd']) {
      expect(await rawStatus(probe), probe).toBe(404);
    }
  });

  it('refuses a wrong password at the sign-in form', async () => {
    await page.goto(adminUrl());
    await page.getByLabel('Account').fill(POSTMASTER.address);
    await page.getByLabel('Password').fill(WRONG_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectText(page.getByRole('alert'), /Sign-in refused/);
    await browser.screenshot('login');
  });

  it('signs the main postmaster in and lists every domain', async () => {
    await signIn(POSTMASTER);
    const table = page.getByRole('table');
    await expectText(table, new RegExp(MAIN_DOMAIN.replace('.', '\\.')));
    await expectText(table, /other\.test/);
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()).resolves.toEqual(
      expect.arrayContaining(['Domains', 'Client IP Addresses', 'Login Security', 'Helpers', 'Login Log', 'Effective Rights']),
    );
    await browser.screenshot('domains');
  });

  it('Login Methods: unticking CRAM-MD5 takes it out of the IMAP CAPABILITY, ticking it puts it back', async () => {
    expect(await imapCaps()).toContain('AUTH=CRAM-MD5');
    await open(`#/domains/${MAIN_DOMAIN}`, `Domain Settings: ${MAIN_DOMAIN}`);
    const methods = page.getByRole('group', { name: 'Login Methods' });
    const cram = methods.getByLabel('CRAM-MD5', { exact: true });
    expect(await cram.isChecked()).toBe(true);
    await cram.uncheck();
    await methods.getByLabel('SESSIONID', { exact: true }).check();
    await page.getByRole('button', { name: 'Update' }).click();
    await expectText(page.getByRole('status'), /Login Methods updated/);
    const caps = await imapCaps();
    expect(caps).not.toContain('AUTH=CRAM-MD5');
    expect(caps).toContain('AUTH=PLAIN');
    expect(caps).toContain('AUTH=SESSIONID');
    await browser.screenshot('domain-settings');

    // the page shows what the server now holds
    await page.reload();
    await page.getByRole('group', { name: 'Login Methods' }).waitFor();
    expect(await page.getByRole('group', { name: 'Login Methods' }).getByLabel('CRAM-MD5', { exact: true }).isChecked()).toBe(false);
    await page.getByRole('group', { name: 'Login Methods' }).getByLabel('CRAM-MD5', { exact: true }).check();
    await page.getByRole('button', { name: 'Update' }).click();
    await expectText(page.getByRole('status'), /Login Methods updated: .*CRAM-MD5/);
    expect(await imapCaps()).toContain('AUTH=CRAM-MD5');
  });

  it('Kerberos keys: imports a keytab file, lists its keys, deletes the marked one', async () => {
    await open(`#/domains/${MAIN_DOMAIN}/kerberos`, `Kerberos Keys: ${MAIN_DOMAIN}`);
    await expectText(page.getByRole('main'), /no Kerberos keys/);
    await page.getByLabel('Keytab file').setInputFiles(keytabPath);
    await page.getByRole('button', { name: 'Import Keys' }).click();
    await expectText(page.getByRole('status').first(), /Imported 2 keys/);
    const rows = page.getByRole('table').getByRole('row');
    await expect(rows.count()).resolves.toBe(3); // header + 2 keys
    await expectText(page.getByRole('table'), /imap\/example\.test/);
    await expectText(page.getByRole('table'), /aes256/i);
    await browser.screenshot('kerberos-keys');

    await page.getByRole('checkbox', { name: /aes128/i }).check();
    await page.getByRole('button', { name: 'Delete Marked' }).click();
    await expectText(page.getByRole('status').first(), /Deleted 1 key\./);
    await expect(page.getByRole('table').getByRole('row').count()).resolves.toBe(2);
    await expectText(page.getByRole('table'), /aes256/i);
    const listed = await gw.cliOk('kerberos', 'list', MAIN_DOMAIN);
    expect(listed.stdout).toMatch(/aes256/i);
    expect(listed.stdout).not.toMatch(/aes128/i);
  });

  it('Account Settings: sets a password without ever showing it, and grants an access right', async () => {
    await open(`#/domains/${MAIN_DOMAIN}/accounts`, `Accounts: ${MAIN_DOMAIN}`);
    await browser.screenshot('accounts');
    await page.getByLabel('Account name').fill('carol');
    await page.getByLabel('Initial password').fill(CAROL.password);
    await page.getByRole('button', { name: 'Create Account' }).click();
    await page.getByRole('link', { name: 'carol', exact: true }).waitFor();
    expect(await imapLoginOk(CAROL)).toBe(true);
    await page.getByRole('link', { name: 'alice', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: `Account Settings: ${ALICE.address}` }).waitFor();
    await expectText(page.getByRole('main'), /A password is set\./);
    await expectText(page.getByRole('region', { name: 'Password' }), /Tag passwords \(set with the CLI\): phone/);
    await page.getByLabel('New password', { exact: true }).fill(ALICE_NEW_PASSWORD);
    await page.getByLabel('Repeat new password').fill(ALICE_NEW_PASSWORD);
    await page.getByRole('button', { name: 'Set Password' }).click();
    await expectText(page.getByRole('status').first(), /Password updated/);
    expect(await page.content()).not.toContain(ALICE_NEW_PASSWORD);
    expect(await page.content()).not.toContain(ALICE.password);
    expect(await page.content()).not.toContain(ALICE_TAG_PASSWORD);

    const { c } = await imapConnect(gw.ports.imap);
    try {
      expect((await imapLogin(c, ALICE.address, ALICE_NEW_PASSWORD)).ok).toBe(true);
    } finally {
      c.close();
    }

    const rights = page.getByRole('region', { name: 'Access Rights' });
    const monitor = rights.getByRole('checkbox', { name: /\(Monitor\)/ });
    expect(await monitor.isChecked()).toBe(false);
    await monitor.check();
    await page.getByRole('button', { name: 'Update Access Rights' }).click();
    await expectText(rights.getByRole('status'), /Access rights updated: Monitor/);
    expect((await gw.cliOk('rights', 'show', ALICE.address)).stdout).toMatch(/Monitor/);
    // account-settings.png comes from webadmin-more.test.ts (with an open session listed)
  });

  it('the login log names the rule that refused each login', async () => {
    const { c } = await imapConnect(gw.ports.imap);
    try {
      expect((await imapLogin(c, ALICE.address, WRONG_PASSWORD)).ok).toBe(false);
      expect((await imapLogin(c, `nobody-here@${MAIN_DOMAIN}`, WRONG_PASSWORD)).ok).toBe(false);
    } finally {
      c.close();
    }
    await open('#/login-log', 'Login Log');
    await page.getByLabel('Outcome').selectOption('false');
    await page.getByRole('button', { name: 'Show' }).click();
    const table = page.getByRole('table');
    await table.waitFor();
    const aliceRow = table.getByRole('row').filter({ hasText: ALICE.address }).filter({ hasText: 'imap' }).first();
    await expectText(aliceRow, /refused/);
    await expectText(aliceRow, /wrong password/);
    await expectText(table.getByRole('row').filter({ hasText: 'nobody-here' }).first(), /unknown account/);
    await browser.screenshot('login-log');
  });

  it('Groups: creates a group with a member; an unknown member is refused', async () => {
    await open(`#/domains/${MAIN_DOMAIN}/groups`, `Groups: ${MAIN_DOMAIN}`);
    await expectText(page.getByRole('main'), /no groups/);
    await page.getByLabel('Group name').fill('team');
    await page.getByLabel('Members (account names, one a line)').fill('bob\nghost-member');
    await page.getByRole('button', { name: 'Create Group' }).click();
    await expectText(page.getByRole('region', { name: 'New Group' }).getByRole('alert'), /ghost-member/);
    await page.getByLabel('Members (account names, one a line)').fill('bob');
    await page.getByRole('button', { name: 'Create Group' }).click();
    await expectText(page.getByRole('status').first(), /Group team created\./);
    const members = page.getByRole('region', { name: '#team' }).getByLabel(/^Members of team/);
    expect(await members.inputValue()).toBe('bob');
    await browser.screenshot('groups');
  });

  it('the effective-rights calculator shows the ACL merge step by step', async () => {
    // alice shares a mailbox over IMAP: everyone in the domain lrs, bob not s, the team (bob) i
    const { c } = await imapConnect(gw.ports.imap);
    try {
      expect((await imapLogin(c, ALICE.address, ALICE_NEW_PASSWORD)).ok).toBe(true);
      for (const cmd of ['CREATE Shared', 'SETACL Shared anyone@ lrs', 'SETACL Shared -bob s', 'SETACL Shared #team i']) {
        const r = await imapCommand(c, cmd);
        expect(r.ok, `${cmd}: ${r.status}`).toBe(true);
      }
    } finally {
      c.close();
    }
    await open('#/effective-rights', 'Effective Rights');
    await page.getByLabel('Account', { exact: true }).fill(BOB.address);
    await page.getByLabel(/^Mailbox/).fill(`${ALICE.address}/Shared`);
    await page.getByRole('button', { name: 'Compute' }).click();
    await expectText(page.getByRole('status', { name: 'Effective rights' }), /^lri$/);
    const steps = page.getByRole('table', { name: 'How the rights were merged' });
    await expectText(steps.getByRole('row').filter({ hasText: 'direct minus removed' }), /lri/);
    await expectText(steps.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'direct', exact: true }) }), /#team/);
    await expectText(steps.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'removed', exact: true }) }), /\bs\b/);
    await expectText(page.getByRole('table', { name: /^ACL of alice@example\.test\/Shared/ }), /anyone@/);
    await browser.screenshot('effective-rights');

    // the owner holds every right, whatever the ACL says
    await page.getByLabel('Account', { exact: true }).fill(ALICE.address);
    await page.getByRole('button', { name: 'Compute' }).click();
    await expectText(steps.getByRole('row').nth(1), /owner/);
  });

  it('server pages: Client IP Addresses, Login Security and Helpers change the server settings', async () => {
    await open('#/server/client-addresses', 'Client IP Addresses');
    await page.getByLabel(/^Client IP Addresses/).fill('127.0.0.0/8\n10.1.0.0/16');
    await page.getByRole('button', { name: 'Update', exact: true }).click();
    await expectText(page.getByRole('status').first(), /Client IP Addresses updated/);
    // client-addresses.png comes from webadmin-more.test.ts (a listener's Deny set in the page)

    await open('#/server/login-security', 'Login Security');
    await page.getByLabel(/Hide .Account Unknown. messages/).check();
    await page.getByLabel('Failed logins before a lock (0: never)').fill('5');
    await page.getByRole('button', { name: 'Update', exact: true }).click();
    await expectText(page.getByRole('status').first(), /Login Security updated/);
    await browser.screenshot('login-security');

    // five wrong passwords lock bob out (the default set just now); the page sees it and unlocks him
    const bad = await imapConnect(gw.ports.imap);
    try {
      for (let i = 0; i < 5; i++) expect((await imapLogin(bad.c, BOB.address, WRONG_PASSWORD)).ok).toBe(false);
    } finally {
      bad.c.close();
    }
    expect((await imapLoginOk(BOB))).toBe(false);
    await page.getByLabel('Account address or client IP address').fill(BOB.address);
    await page.getByRole('button', { name: 'Check' }).click();
    const lockStatus = page.getByRole('region', { name: 'Lockout Status' }).getByRole('status');
    await expectText(lockStatus, /bob@example\.test is locked out\./);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expectText(lockStatus, /bob@example\.test unlocked\./);
    expect(await imapLoginOk(BOB)).toBe(true);

    await open('#/server/helpers', 'Helpers');
    await page.getByLabel('Time-out (seconds)').fill('7');
    await page.getByRole('button', { name: 'Update', exact: true }).click();
    await expectText(page.getByRole('status').first(), /External Authentication updated/);
    await browser.screenshot('helpers');

    const shown = (await gw.cliOk('server', 'show')).stdout;
    expect(shown).toMatch(/10\.1\.0\.0\/16/);
    expect(shown).toMatch(/hideUnknownAccount: true/);
    expect(shown).toMatch(/failedLoginLimit: 5/);
    expect(shown).toMatch(/timeout: 7/);
    // and it acts: an unknown account is now answered like a wrong password
    const { c } = await imapConnect(gw.ports.imap);
    try {
      const unknown = await imapLogin(c, `nobody-here@${MAIN_DOMAIN}`, WRONG_PASSWORD);
      const wrong = await imapLogin(c, ALICE.address, WRONG_PASSWORD);
      expect(unknown.ok).toBe(false);
      expect(unknown.status.replace(/^\S+\s+/, '')).toBe(wrong.status.replace(/^\S+\s+/, ''));
    } finally {
      c.close();
    }
  });

  it('a session closed behind the page\u2019s back leads to the sign-in form, then back to the page', async () => {
    await open('#/server/helpers', 'Helpers');
    const closed = await page.evaluate(async () => (await fetch('/session', { method: 'DELETE' })).status);
    expect(closed).toBe(204);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Login Log' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Account').fill(POSTMASTER.address);
    await page.getByLabel('Password').fill(POSTMASTER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Login Log' }).waitFor();
  });

  it('a domain administrator sees only its own domain', async () => {
    await signOut();
    await signIn(OTHER_ADMIN);
    const table = page.getByRole('table');
    await expectText(table, /other\.test/);
    expect(await table.textContent()).not.toContain(MAIN_DOMAIN);
    const nav = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
    expect(nav).not.toContain('Client IP Addresses');
    expect(nav).not.toContain('Login Log');

    await open(`#/domains/${MAIN_DOMAIN}`, `Domain Settings: ${MAIN_DOMAIN}`);
    await expectText(page.getByRole('alert'), /Not found/);
    expect(await page.getByRole('group', { name: 'Login Methods' }).count()).toBe(0);
    await open(`#/domains/${MAIN_DOMAIN}/accounts`, `Accounts: ${MAIN_DOMAIN}`);
    await expectText(page.getByRole('alert'), /Not found/);

    await open(`#/domains/${OTHER_DOMAIN}`, `Domain Settings: ${OTHER_DOMAIN}`);
    await page.getByRole('group', { name: 'Login Methods' }).waitFor();
    // no KerberosKeys right: no way to the keys
    expect(await page.getByRole('link', { name: /Kerberos Keys/ }).count()).toBe(0);
    await browser.screenshot('domain-admin');

    // a domain administrator cannot hand out a main-domain right, not even to itself
    await open(`#/domains/${OTHER_DOMAIN}/accounts/admin`, `Account Settings: ${OTHER_ADMIN.address}`);
    const rights = page.getByRole('region', { name: 'Access Rights' });
    expect(await rights.getByRole('checkbox', { name: /\(Domain\)/ }).isChecked()).toBe(true);
    await rights.getByRole('checkbox', { name: /\(Monitor\)/ }).check();
    await page.getByRole('button', { name: 'Update Access Rights' }).click();
    await expectText(rights.getByRole('alert'), /Monitor/);
    expect((await gw.cliOk('rights', 'show', OTHER_ADMIN.address)).stdout).not.toMatch(/Monitor/);
  });

  it('no page raised a script error or a Content-Security-Policy refusal', () => {
    expect(scriptProblems).toEqual([]);
  });
});

