/**
 * Mailbox ACLs through the admin API against the built gateway: a domain administrator shares a
 * mailbox, and a real IMAP session (Python's imaplib) is given exactly those rights (MYRIGHTS,
 * SELECT); a domain administrator of another domain sees nothing (404), a reader may read but
 * not change (403), and identifiers or rights that are not real are refused with the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApi, basicAuth, type ApiReply as Reply } from './harness/admin-api.js';
import { Gateway, MAIN_DOMAIN } from './harness/gateway.js';
import { createAccount, stopCleanly } from './harness/fixtures.js';
import { python } from './harness/run.js';

const LISTENERS = {
  http: { service: 'http', tls: 'none' },
  imap: { service: 'imap', tls: 'none' },
} as const;

const DOM = 'share.test';
const THIRD = 'third.test';
const CAROL = { address: `carol@${DOM}`, password: 'Carol-Secret-4' };
const DAVE = { address: `dave@${DOM}`, password: 'Dave-Secret-5' };
const DADMIN = { address: `dadmin@${DOM}`, password: 'Dadmin-Secret-6' };
const EVE = { address: `eve@${THIRD}`, password: 'Eve-Secret-7' };
const READER = { address: `reader@${MAIN_DOMAIN}`, password: 'Reader-Secret-8' };
const PASSWORDS = [CAROL, DAVE, DADMIN, EVE, READER].map((u) => u.password);
const SHARED = `"Other Users/${CAROL.address}/Shared"`;

let gw: Gateway<keyof typeof LISTENERS>;

beforeAll(async () => {
  gw = await Gateway.start({ listeners: LISTENERS });
  await gw.cliOk('domain', 'create', DOM, 'aliases=share-alias.test');
  await gw.cliOk('domain', 'create', THIRD);
  for (const u of [CAROL, DAVE, DADMIN, EVE, READER]) await createAccount(gw, u.address, u.password);
  await gw.cliOk('rights', 'grant', DADMIN.address, 'Domain');
  await gw.cliOk('rights', 'grant', EVE.address, 'Domain');
  await gw.cliOk('rights', 'grant', READER.address, 'AllDomainsRead');
  await gw.cliOk('group', 'create', `sales@${DOM}`, 'dave');
}, 60_000);

afterAll(async () => {
  await stopCleanly(gw, PASSWORDS);
});

const api = (who: { address: string; password: string } | null, method: string, url: string, body?: unknown): Promise<Reply> =>
  adminApi(gw.ports.http, method, url, who && basicAuth(who), body);

const aclUrl = (name: string, mailbox: string, identifier?: string): string =>
  `/domains/${DOM}/accounts/${name}/mailboxes/acl?mailbox=${encodeURIComponent(mailbox)}${identifier === undefined ? '' : `&identifier=${encodeURIComponent(identifier)}`}`;

type Answer = [string, string[] | string];

/** imaplib steps [user, method, ...args], each user on its own connection. */
async function imap(...steps: Array<[string, string, ...string[]]>): Promise<Answer[]> {
  const users = [CAROL, DAVE];
  return python<Answer[]>('imap_steps.py', {
    host: '127.0.0.1',
    ports: Object.fromEntries(users.map((u) => [u.address, gw.ports.imap])),
    passwords: Object.fromEntries(users.map((u) => [u.address, u.password])),
    steps,
  });
}

describe('mailbox ACLs through the admin API', () => {
  it('lists the owner mailboxes (INBOX always there) and refuses unknown ones', async () => {
    const created = await imap([CAROL.address, 'create', 'Shared'], [CAROL.address, 'create', 'Work/Plans']);
    expect(created.map((a) => a[0])).toEqual(['OK', 'OK']);
    const list = await api(DADMIN, 'GET', `/domains/${DOM}/accounts/carol/mailboxes`);
    expect(list.status, list.text).toBe(200);
    expect(list.json).toEqual({
      mailboxes: [
        { name: 'INBOX', acl: {} },
        { name: 'Shared', acl: {} },
        { name: 'Work', acl: {} },
        { name: 'Work/Plans', acl: {} },
      ],
    });
    expect((await api(DADMIN, 'GET', aclUrl('carol', 'inbox'))).json).toEqual({ mailbox: 'INBOX', acl: {} });
    expect((await api(DADMIN, 'GET', aclUrl('carol', 'Work/Plans'))).json).toEqual({ mailbox: 'Work/Plans', acl: {} });
    const nope = await api(DADMIN, 'GET', aclUrl('carol', 'Nope'));
    expect(nope.status).toBe(404);
    expect(nope.json.error).toBe(`${CAROL.address} has no mailbox Nope`);
    expect((await api(DADMIN, 'GET', `/domains/${DOM}/accounts/ghost/mailboxes`)).status).toBe(404);
    expect((await api(DADMIN, 'GET', `/domains/${DOM}/accounts/carol/mailboxes/acl`)).status).toBe(400);
    expect((await api(null, 'GET', `/domains/${DOM}/accounts/carol/mailboxes`)).status).toBe(401);
  });

  it('an ACL set through the API is what a real IMAP session gets (MYRIGHTS, SELECT), and its removal too', async () => {
    const before = await imap([DAVE.address, 'myrights', SHARED], [DAVE.address, 'raw', 'EXISTS', 'SELECT', SHARED]);
    expect(before[0]![0]).not.toBe('OK');
    expect(before[1]![0]).not.toBe('OK');

    const set = await api(DADMIN, 'PUT', aclUrl('carol', 'Shared'), { identifier: 'dave', rights: 'lr' });
    expect(set.status, set.text).toBe(200);
    expect(set.json).toEqual({ mailbox: 'Shared', acl: { dave: 'lr' } });
    const added = await api(DADMIN, 'PUT', aclUrl('carol', 'Shared'), { identifier: 'dave', rights: '+ws' });
    expect(added.json.acl).toEqual({ dave: 'lrsw' });
    const taken = await api(DADMIN, 'PUT', aclUrl('carol', 'Shared'), { identifier: 'Dave@Share.Test', rights: '-w' });
    expect(taken.json.acl).toEqual({ dave: 'lrs' });

    const after = await imap([DAVE.address, 'myrights', SHARED], [DAVE.address, 'raw', 'EXISTS', 'SELECT', SHARED], [CAROL.address, 'getacl', 'Shared']);
    expect(after[0]).toEqual(['OK', [`${SHARED} lrs`]]);
    expect(after[1]![0]).toBe('OK');
    expect(after[2]).toEqual(['OK', ['Shared dave lrs']]);

    // the owner's own IMAP SETACL shows in the API too
    expect((await imap([CAROL.address, 'setacl', 'Shared', '#sales', 'l']))[0]![0]).toBe('OK');
    expect((await api(READER, 'GET', aclUrl('carol', 'Shared'))).json).toEqual({ mailbox: 'Shared', acl: { dave: 'lrs', '#sales': 'l' } });
    const list = await api(READER, 'GET', `/domains/${DOM}/accounts/carol/mailboxes`);
    expect(list.json.mailboxes.find((m: { name: string }) => m.name === 'Shared')).toEqual({ name: 'Shared', acl: { dave: 'lrs', '#sales': 'l' } });

    const del = await api(DADMIN, 'DELETE', aclUrl('carol', 'Shared', 'dave'));
    expect(del.status, del.text).toBe(200);
    expect(del.json).toEqual({ mailbox: 'Shared', acl: { '#sales': 'l' } });
    expect((await api(DADMIN, 'DELETE', aclUrl('carol', 'Shared', 'dave'))).status).toBe(404);
    // dave is still in #sales: l only, so MYRIGHTS answers l and SELECT (which needs r) is refused
    const gone = await imap([DAVE.address, 'myrights', SHARED], [DAVE.address, 'raw', 'EXISTS', 'SELECT', SHARED]);
    expect(gone[0]).toEqual(['OK', [`${SHARED} l`]]);
    expect(gone[1]![0]).not.toBe('OK');
  });

  it('sets INBOX ACLs too (the mailbox always exists)', async () => {
    const r = await api(DADMIN, 'PUT', aclUrl('carol', 'INBOX'), { identifier: 'anyone', rights: 'l' });
    expect(r.status, r.text).toBe(200);
    expect(r.json).toEqual({ mailbox: 'INBOX', acl: { anyone: 'l' } });
    const answers = await imap([DAVE.address, 'myrights', `"Other Users/${CAROL.address}/INBOX"`]);
    expect(answers[0]).toEqual(['OK', [`"Other Users/${CAROL.address}/INBOX" l`]]);
    expect((await api(DADMIN, 'DELETE', aclUrl('carol', 'inbox', 'anyone'))).json).toEqual({ mailbox: 'INBOX', acl: {} });
  });

  it('refuses identifiers and rights that are not real, with the reason (400), changing nothing', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['ghost', 'lr', /there is no account ghost@share\.test; an ACL names real accounts/],
      ['carol@share-alias.test', 'lr', /alias of the domain share\.test: an ACL must use the real domain name share\.test/],
      ['#nobody', 'lr', /there is no group nobody in share\.test/],
      ['dave@nowhere.test', 'lr', /nowhere\.test, which is not a domain of this server/],
      ['a b', 'lr', /a b/],
      ['dave', 'lz', /'z' in 'lz' is not an ACL right/],
    ];
    for (const [identifier, rights, reason] of cases) {
      const r = await api(DADMIN, 'PUT', aclUrl('carol', 'Shared'), { identifier, rights });
      expect(r.status, `${identifier} ${rights}: ${r.text}`).toBe(400);
      expect(r.json.error).toMatch(reason);
    }
    expect((await api(DADMIN, 'PUT', aclUrl('carol', 'Shared'), { identifier: 'dave', rights: 'l', extra: 1 })).status).toBe(400);
    expect((await api(DADMIN, 'PUT', aclUrl('carol', 'Nope'), { identifier: 'dave', rights: 'l' })).status).toBe(404);
    const badDelete = await api(DADMIN, 'DELETE', aclUrl('carol', 'Shared', 'a b'));
    expect(badDelete.status).toBe(400);
    expect(badDelete.json.error).toMatch(/a b/);
    expect((await api(DADMIN, 'DELETE', `/domains/${DOM}/accounts/carol/mailboxes/acl?mailbox=Shared`)).status).toBe(400);
    expect((await api(DADMIN, 'GET', aclUrl('carol', 'Shared'))).json.acl).toEqual({ '#sales': 'l' });
  });

  it('keeps administrators to their rights: another domain 404, a reader 403, no right at all 404', async () => {
    for (const [method, url, body] of [
      ['GET', `/domains/${DOM}/accounts/carol/mailboxes`, undefined],
      ['GET', aclUrl('carol', 'Shared'), undefined],
      ['PUT', aclUrl('carol', 'Shared'), { identifier: 'eve@third.test', rights: 'lr' }],
      ['DELETE', aclUrl('carol', 'Shared', '#sales'), undefined],
    ] as const) {
      const eve = await api(EVE, method, url, body);
      expect(eve.status, `${method} ${url}: ${eve.text}`).toBe(404);
      expect(eve.json.error).toBe(`domain ${DOM} does not exist`);
      expect((await api(DAVE, method, url, body)).status).toBe(404);
    }
    const reader = await api(READER, 'PUT', aclUrl('carol', 'Shared'), { identifier: 'dave', rights: 'lr' });
    expect(reader.status).toBe(403);
    expect((await api(READER, 'DELETE', aclUrl('carol', 'Shared', '#sales'))).status).toBe(403);
    expect((await api(DADMIN, 'GET', aclUrl('carol', 'Shared'))).json.acl).toEqual({ '#sales': 'l' });
    // the domain administrator of third.test manages its own domain's mailboxes
    const own = await api(EVE, 'GET', `/domains/${THIRD}/accounts/eve/mailboxes`);
    expect(own.status, own.text).toBe(200);
    expect(own.json).toEqual({ mailboxes: [{ name: 'INBOX', acl: {} }] });
  });
});
