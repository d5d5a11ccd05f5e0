/**
 * The web admin's later pages in a real browser (Debian Chromium, headless, playwright-core)
 * against the built gateway: listener Grant/Deny edited at run time, an account's WebUser
 * sessions listed and closed, accounts and domains deleted. Every effect is checked outside the
 * browser: a new IMAP connection, a session used with curl-like fetch, an IMAP login.
 * PORTCULLIS_SCREENSHOTS=1 also writes client-addresses.png and account-settings.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openWebSession, webSessionStatus } from './harness/admin-api.js';
import { Browser, expectText } from './harness/browser.js';
import { WRONG_PASSWORD, createAccount, stopCleanly } from './harness/fixtures.js';
import { Gateway, MAIN_DOMAIN } from './harness/gateway.js';
import { imapCommand, imapConnect, imapLogin, imapLoginWorks } from './harness/imap.js';

const POSTMASTER = { address: `postmaster@${MAIN_DOMAIN}`, password: 'Postmaster-Secret-9' };
const ALICE = { address: `alice@${MAIN_DOMAIN}`, password: 'Alice-Secret-1' };
const BOB = { address: `bob@${MAIN_DOMAIN}`, password: 'Bob-Secret-4' };
const GONE = 'gone.test';
const GONER = { address: `goner@${GONE}`, password: 'Goner-Secret-8' };
const SHARE = 'share.test';
const CAROL = { address: `carol@${SHARE}`, password: 'Carol-Secret-4' };
const DAVE = { address: `dave@${SHARE}`, password: 'Dave-Secret-5' };
const SHARED = `"Other Users/${CAROL.address}/Shared"`;
const ALL_PASSWORDS = [POSTMASTER.password, ALICE.password, BOB.password, GONER.password, CAROL.password, DAVE.password, WRONG_PASSWORD];

type Listeners = 'imap' | 'http';
let gw: Gateway<Listeners>;
let browser: Browser;
let page: Page;
const scriptProblems: string[] = [];

const adminUrl = (fragment = ''): string => `http://127.0.0.1:${gw.ports.http}/admin/${fragment}`;

async function open(fragment: string, title: string): Promise<void> {
  await page.goto(adminUrl(fragment));
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
}

/** Whether a new IMAP connection gets its greeting (a refused one is closed before any byte). */
async function imapGreets(): Promise<boolean> {
  try {
    const { c, greeting } = await imapConnect(gw.ports.imap);
    c.close();
    return greeting.startsWith('* OK');
  } catch {
    return false;
  }
}

async function imapLoginOk(who: { address: string; password: string }): Promise<boolean> {
  return (await imapLoginWorks(gw.ports.imap, who.address, who.password)).ok;
}

/** What an outside client does: POST /session with the account's password, as curl would. */
async function openSession(who: { address: string; password: string }): Promise<string> {
  const sessionId = await openWebSession(gw.ports.http, who);
  expect(sessionId.length).toBeGreaterThan(12);
  return sessionId;
}

/** Run IMAP commands as `who`; each command's tagged status and untagged lines. */
async function imapAs(who: { address: string; password: string }, ...commands: string[]): Promise<{ ok: boolean; untagged: string[] }[]> {
  const { c } = await imapConnect(gw.ports.imap);
  try {
    expect((await imapLogin(c, who.address, who.password)).ok).toBe(true);
    const out = [];
    for (const cmd of commands) out.push(await imapCommand(c, cmd));
    return out;
  } finally {
    c.close();
  }
}

/** What MYRIGHTS answers dave on carol's Shared: the rights, or null when refused. */
async function daveRights(): Promise<string | null> {
  const [r] = await imapAs(DAVE, `MYRIGHTS ${SHARED}`);
  if (!r!.ok) return null;
  const line = r!.untagged.find((l) => l.startsWith('* MYRIGHTS '));
  return line ? line.split(' ').pop()! : null;
}

const sessionStatus = (id: string): Promise<number> => webSessionStatus(gw.ports.http, id);

beforeAll(async () => {
  gw = await Gateway.start<Listeners>({
    listeners: { imap: { service: 'imap', tls: 'none' }, http: { service: 'http', tls: 'none' } },
  });
  await gw.cliOk('account', 'set', POSTMASTER.address, `password=${POSTMASTER.password}`);
  await createAccount(gw, ALICE.address, ALICE.password);
  await createAccount(gw, BOB.address, BOB.password);
  await gw.cliOk('domain', 'create', GONE);
  await createAccount(gw, GONER.address, GONER.password);
  await gw.cliOk('domain', 'create', SHARE, 'aliases=share-alias.test');
  await createAccount(gw, CAROL.address, CAROL.password);
  await createAccount(gw, DAVE.address, DAVE.password);
  await gw.cliOk('group', 'create', `sales@${SHARE}`, 'dave');
  browser = await Browser.launch();
  page = browser.page;
  page.on('pageerror', (err) => scriptProblems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content.Security.Policy/i.test(msg.text())) scriptProblems.push(`csp: ${msg.text()}`);
  });
  await page.goto(adminUrl('#/login'));
  await page.getByLabel('Account').fill(POSTMASTER.address);
  await page.getByLabel('Password').fill(POSTMASTER.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Domains' }).waitFor();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await stopCleanly(gw, ALL_PASSWORDS);
});

describe('the web admin, later pages', () => {
  it('Client IP Addresses: Deny 127.0.0.1 on the IMAP listener refuses a new connection; Reset allows it again', async () => {
    expect(await imapGreets()).toBe(true);
    await open('#/server/client-addresses', 'Client IP Addresses');
    const imap = page.getByRole('group', { name: /^imap:/ });
    const name = ((await imap.locator('legend').textContent()) ?? '').split(' ')[0]!;
    expect(name).toMatch(/^imap:\d+$/);
    await expectText(imap, /Grant from the configuration file, Deny from the configuration file\./);
    // an http listener's lists stay the file's: shown, not editable
    const httpGroup = page.getByRole('group', { name: /^http:/ });
    expect(await httpGroup.getByLabel('Deny', { exact: true }).getAttribute('readonly')).not.toBeNull();
    expect(await httpGroup.getByRole('button').count()).toBe(0);

    // a bad network is refused with the server's reason, and nothing changes
    await imap.getByLabel('Deny', { exact: true }).fill('127.0.0.1/99');
    await imap.getByRole('button', { name: `Update ${name}` }).click();
    await expectText(imap.getByRole('alert'), /127\.0\.0\.1\/99/);
    expect(await imapGreets()).toBe(true);

    await imap.getByLabel('Deny', { exact: true }).fill('127.0.0.1');
    await imap.getByRole('button', { name: `Update ${name}` }).click();
    await expectText(imap.getByRole('status'), new RegExp(`${name} updated\\. Grant: \\(none\\); Deny: 127\\.0\\.0\\.1\\.`));
    await expectText(imap, /Grant from the configuration file, Deny set here\./);
    expect(await imapGreets()).toBe(false);
    // the page shows what the server holds after a reload
    await page.reload();
    await page.getByRole('group', { name: /^imap:/ }).waitFor();
    expect(await page.getByRole('group', { name: /^imap:/ }).getByLabel('Deny', { exact: true }).inputValue()).toBe('127.0.0.1');
    await browser.screenshot('client-addresses');

    await page.getByRole('button', { name: `Reset to the configuration file: ${name}` }).click();
    await expectText(page.getByRole('group', { name: /^imap:/ }).getByRole('status'), /reset to the configuration file\. Grant: \(none\); Deny: \(none\)\./);
    expect(await imapGreets()).toBe(true);
    expect(await imapLoginOk(ALICE)).toBe(true);
  });

  it('Account Settings lists a session made with POST /session (short prefix only) and closes it', async () => {
    const id = await openSession(ALICE);
    const kept = await openSession(ALICE);
    expect(await sessionStatus(id)).toBe(200);
    await open(`#/domains/${MAIN_DOMAIN}/accounts/alice`, `Account Settings: ${ALICE.address}`);
    const sessions = page.getByRole('region', { name: 'Sessions' });
    await expectText(sessions.getByRole('table'), /2 open sessions/);
    const row = sessions.getByRole('row').filter({ hasText: id.slice(0, 8) });
    await expectText(row, /webuser/i);
    await expectText(row, /\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ/);
    // the full ID is a bearer credential: nowhere in the page
    expect(await page.content()).not.toContain(id);
    expect(await page.content()).not.toContain(kept);
    await browser.screenshot('account-settings');

    await sessions.getByRole('button', { name: `Close session ${id.slice(0, 8)}\u2026` }).click();
    await expectText(sessions.getByRole('status'), new RegExp(`Session ${id.slice(0, 8)}\u2026 closed\\.`));
    await expectText(sessions.getByRole('table'), /^1 open session(?!s)/);
    expect(await sessionStatus(id)).toBe(401);
    expect(await sessionStatus(kept)).toBe(200);
  });

  it('Delete Account asks first; once confirmed the account can no longer log in over IMAP', async () => {
    expect(await imapLoginOk(BOB)).toBe(true);
    await open(`#/domains/${MAIN_DOMAIN}/accounts/bob`, `Account Settings: ${BOB.address}`);
    const del = page.getByRole('region', { name: 'Delete Account' });
    await del.getByRole('button', { name: 'Delete Account' }).click();
    const dialog = del.getByRole('alertdialog', { name: 'Confirm: Delete Account' });
    await expectText(dialog, /Delete bob@example\.test\?/);
    // Cancel leaves it alone
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await del.getByRole('alertdialog').count()).toBe(0);
    expect(await imapLoginOk(BOB)).toBe(true);

    await del.getByRole('button', { name: 'Delete Account' }).click();
    await del.getByRole('button', { name: 'Yes, Delete Account' }).click();
    await page.getByRole('heading', { level: 1, name: `Accounts: ${MAIN_DOMAIN}` }).waitFor();
    await page.getByRole('link', { name: 'alice', exact: true }).waitFor();
    expect(await page.getByRole('link', { name: 'bob', exact: true }).count()).toBe(0);
    expect(await imapLoginOk(BOB)).toBe(false);

    // the main postmaster is never deleted: the server's reason is shown
    await open(`#/domains/${MAIN_DOMAIN}/accounts/postmaster`, `Account Settings: ${POSTMASTER.address}`);
    const own = page.getByRole('region', { name: 'Delete Account' });
    await own.getByRole('button', { name: 'Delete Account' }).click();
    await own.getByRole('button', { name: 'Yes, Delete Account' }).click();
    await expectText(own.getByRole('alert'), /postmaster/);
    expect(await imapLoginOk(POSTMASTER)).toBe(true);
  });

  it('Delete Domain: refused while it has accounts, done with the force box; the main domain has no such button', async () => {
    await open(`#/domains/${MAIN_DOMAIN}`, `Domain Settings: ${MAIN_DOMAIN}`);
    await page.getByRole('region', { name: 'Login Methods' }).waitFor();
    expect(await page.getByRole('region', { name: 'Delete Domain' }).count()).toBe(0);

    expect(await imapLoginOk(GONER)).toBe(true);
    await open(`#/domains/${GONE}`, `Domain Settings: ${GONE}`);
    const del = page.getByRole('region', { name: 'Delete Domain' });
    await del.getByRole('button', { name: 'Delete Domain' }).click();
    await del.getByRole('button', { name: 'Yes, Delete Domain' }).click();
    await expectText(del.getByRole('alert'), /account/);
    expect(await imapLoginOk(GONER)).toBe(true);

    await del.getByLabel('Also delete its 1 account').check();
    await del.getByRole('button', { name: 'Delete Domain' }).click();
    await expectText(del.getByRole('alertdialog'), /Delete gone\.test and its 1 account\?/);
    await del.getByRole('button', { name: 'Yes, Delete Domain' }).click();
    await page.getByRole('heading', { level: 1, name: 'Domains' }).waitFor();
    await expectText(page.getByRole('table'), new RegExp(MAIN_DOMAIN.replace('.', '\\.')));
    expect(await page.getByRole('table').textContent()).not.toContain(GONE);
    expect(await imapLoginOk(GONER)).toBe(false);
  });

  it('Mailboxes: an ACL entry added in the page is what an IMAP session gets; aliases and unknown names are refused', async () => {
    expect((await imapAs(CAROL, 'CREATE Shared'))[0]!.ok).toBe(true);
    expect(await daveRights()).toBeNull();
    await open(`#/domains/${SHARE}/accounts`, `Accounts: ${SHARE}`);
    await page.getByRole('link', { name: 'Mailboxes of carol' }).click();
    await page.getByRole('heading', { level: 1, name: `Mailboxes: ${CAROL.address}` }).waitFor();
    await open(`#/domains/${SHARE}/accounts/carol`, `Account Settings: ${CAROL.address}`);
    await page.getByRole('link', { name: 'Mailboxes and their ACLs' }).click();
    await page.getByRole('heading', { level: 1, name: `Mailboxes: ${CAROL.address}` }).waitFor();
    const shared = page.getByRole('region', { name: 'Mailbox Shared' });
    await expectText(shared, /only the owner has rights/);
    expect(await page.getByRole('region', { name: 'Mailbox INBOX' }).count()).toBe(1);

    const add = async (identifier: string, rights: string) => {
      await shared.getByLabel('Identifier').fill(identifier);
      await shared.getByLabel('Rights', { exact: true }).fill(rights);
      await shared.getByRole('button', { name: 'Add entry to Shared' }).click();
    };
    await add('dave@share-alias.test', 'lr');
    await expectText(shared.getByRole('alert'), /alias of the domain share\.test/);
    await add('ghost', 'lr');
    await expectText(shared.getByRole('alert'), /there is no account ghost@share\.test/);
    await add('dave', 'lz');
    await expectText(shared.getByRole('alert'), /'z' in 'lz' is not an ACL right/);
    expect(await daveRights()).toBeNull();

    await add('dave', 'lr');
    await expectText(shared.getByRole('status'), /dave on Shared: lr\./);
    expect(await shared.getByRole('textbox', { name: 'Rights of dave on Shared' }).inputValue()).toBe('lr');
    expect(await daveRights()).toBe('lr');

    await shared.getByRole('textbox', { name: 'Rights of dave on Shared' }).fill('+ws');
    await shared.getByRole('button', { name: 'Change dave on Shared' }).click();
    await expectText(shared.getByRole('status'), /dave on Shared: lrsw\./);
    expect(await daveRights()).toBe('lrsw');
    await add('#sales', 'l');
    await expectText(shared.getByRole('status'), /#sales on Shared: l\./);
    await browser.screenshot('mailboxes');

    // the calculator opens prefilled and answers at once
    await shared.getByRole('link', { name: `Effective rights of ${DAVE.address} on Shared` }).click();
    await page.getByRole('heading', { level: 1, name: 'Effective Rights' }).waitFor();
    expect(await page.getByLabel('Account', { exact: true }).inputValue()).toBe(DAVE.address);
    expect(await page.getByLabel(/^Mailbox/).inputValue()).toBe(`${CAROL.address}/Shared`);
    await expectText(page.getByRole('status', { name: 'Effective rights' }), /^lrsw$/);
    await page.goBack();
    await page.getByRole('heading', { level: 1, name: `Mailboxes: ${CAROL.address}` }).waitFor();

    await page.getByRole('region', { name: 'Mailbox Shared' }).getByRole('button', { name: 'Remove dave from Shared' }).click();
    await expectText(page.getByRole('region', { name: 'Mailbox Shared' }).getByRole('status'), /dave removed from Shared\./);
    expect(await page.getByRole('region', { name: 'Mailbox Shared' }).getByRole('textbox', { name: 'Rights of dave on Shared' }).count()).toBe(0);
    // dave keeps what #sales gives
    expect(await daveRights()).toBe('l');
  });

  it('no page raised a script error or a Content-Security-Policy refusal', () => {
    expect(scriptProblems).toEqual([]);
  });
});
