/**
 * Mailboxes and RFC 4314 ACLs in the built-in session, over TCP: several accounts share one
 * MailboxStore, groups come from a directory with a group store, rights come from auth-core's
 * ACL model.
 */
import { createMemoryGroupStore, type AuthSuccess, type ConnectionInfo, type LoginResult, type MailboxStore } from '@portcullis/auth-core';
import { MemoryDirectory } from '@portcullis/auth-core/testing';
import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createImapHandler, createMemoryMailboxStore } from '../src/index.js';
import { TestClient } from './support/client.js';
import { FakeAuthenticator } from './support/fake-authenticator.js';
import { startTestServer, type TestServer } from './support/socket-connection.js';

const USERS = ['joe@example.test', 'sam@example.test', 'ann@example.test', 'bob@other.test'];

/** Any of USERS with the password "secret" (the shared fake only knows alice). */
class TeamAuthenticator extends FakeAuthenticator {
  override async loginPlaintext(user: string, password: string, conn: ConnectionInfo): Promise<LoginResult> {
    if (!USERS.includes(user) || password !== 'secret') return super.loginPlaintext(user, password, conn);
    const [name, domain] = user.split('@') as [string, string];
    const success: AuthSuccess = { authcid: user, authzid: user, account: { name, domain, settings: {} }, mechanism: 'LOGIN' };
    return { ok: true, success };
  }
}

let server: TestServer;
let clients: TestClient[] = [];
let groups: ReturnType<typeof createMemoryGroupStore>;
let maxBadCommands = 10;

beforeEach(async () => {
  const directory = new MemoryDirectory();
  for (const d of ['example.test', 'other.test']) await directory.createDomain({ name: d });
  for (const u of USERS) {
    const [name, domain] = u.split('@') as [string, string];
    await directory.createAccount({ name, domain, settings: {} });
  }
  groups = createMemoryGroupStore();
  await groups.setGroup('example.test', 'sales', ['sam']);
  const logger = pino({ level: 'silent' });
  server = await startTestServer(
    createImapHandler({
      authenticator: new TeamAuthenticator(),
      serverName: 'mail.example.test',
      mailboxes: createMemoryMailboxStore(),
      directory: Object.assign(directory, groups),
      maxBadCommands,
    }),
    { logger },
  );
});

afterEach(async () => {
  for (const c of clients) c.end();
  clients = [];
  await server.close();
});

async function as(user: string): Promise<TestClient> {
  const client = await TestClient.connect(server.port);
  clients.push(client);
  await client.line();
  expect((await client.command('L', `LOGIN ${user} secret`)).at(-1)).toMatch(/^L OK /);
  return client;
}

const last = (lines: string[]) => lines.at(-1)!;
const SHARED = '"Other Users/joe@example.test/Shared"';

describe('mailboxes of one account', () => {
  it('advertises ACL and the Other Users namespace', async () => {
    const joe = await as('joe@example.test');
    const caps = await joe.command('a', 'CAPABILITY');
    expect(caps[0]).toMatch(/ ACL RIGHTS=texk$/);
    expect(await joe.command('b', 'NAMESPACE')).toEqual(['* NAMESPACE (("" "/")) (("Other Users/" "/")) NIL', 'b OK NAMESPACE completed']);
  });

  it('creates, lists, renames and deletes, with parents and children', async () => {
    const joe = await as('joe@example.test');
    expect(await joe.command('a', 'CREATE Projects/2024')).toEqual(['a OK CREATE completed']);
    expect(await joe.command('b', 'LIST "" *')).toEqual([
      '* LIST (\\HasNoChildren) "/" INBOX',
      '* LIST (\\HasChildren) "/" Projects',
      '* LIST (\\HasNoChildren) "/" Projects/2024',
      'b OK LIST completed',
    ]);
    expect(await joe.command('c', 'LIST "" %')).toHaveLength(3);
    expect(await joe.command('d', 'CREATE Projects/')).toEqual(['d NO [ALREADYEXISTS] mailbox already exists']);
    expect(await joe.command('e', 'DELETE Projects')).toEqual(['e NO [HASCHILDREN] delete the mailboxes below it first']);
    const before = await joe.command('f', 'STATUS Projects/2024 (UIDVALIDITY MESSAGES)');
    expect(await joe.command('g', 'RENAME Projects Work')).toEqual(['g OK RENAME completed']);
    const after = await joe.command('h', 'STATUS Work/2024 (UIDVALIDITY MESSAGES)');
    // a rename keeps the UIDVALIDITY
    expect(after[0]!.replace('Work', 'Projects')).toBe(before[0]);
    expect(last(await joe.command('i', 'SELECT Projects/2024'))).toBe('i NO [NONEXISTENT] mailbox does not exist');
    expect(await joe.command('j', 'DELETE Work/2024')).toEqual(['j OK DELETE completed']);
    expect(await joe.command('k', 'DELETE Work')).toEqual(['k OK DELETE completed']);
    expect(await joe.command('l', 'LIST "" *')).toEqual(['* LIST (\\HasNoChildren) "/" INBOX', 'l OK LIST completed']);
  });

  it('gives a mailbox created again under an old name a new UIDVALIDITY', async () => {
    const joe = await as('joe@example.test');
    await joe.command('a', 'CREATE Trash');
    const first = (await joe.command('b', 'SELECT Trash')).find((l) => l.includes('UIDVALIDITY'));
    await joe.command('c', 'DELETE Trash');
    await joe.command('d', 'CREATE Trash');
    const second = (await joe.command('e', 'SELECT Trash')).find((l) => l.includes('UIDVALIDITY'));
    expect(first).toMatch(/UIDVALIDITY \d+/);
    expect(second).not.toBe(first);
  });

  it('keeps INBOX and refuses bad names with NO, never a crash', async () => {
    const joe = await as('joe@example.test');
    expect(await joe.command('a', 'DELETE inbox')).toEqual(['a NO [CANNOT] INBOX cannot be deleted']);
    expect(await joe.command('b', 'CREATE INBOX')).toEqual(['b NO [ALREADYEXISTS] mailbox already exists']);
    expect(last(await joe.command('c', 'RENAME INBOX Old'))).toMatch(/^c NO \[CANNOT\]/);
    expect(last(await joe.command('d', 'CREATE "a//b"'))).toMatch(/^d NO \[CANNOT\] empty hierarchy level/);
    expect(last(await joe.command('e', 'CREATE "x*"'))).toMatch(/^e NO \[CANNOT\] wildcard/);
    expect(last(await joe.command('f', 'CREATE ""'))).toMatch(/^f NO \[CANNOT\]/);
    expect(last(await joe.command('g', `CREATE ${'a'.repeat(300)}`))).toMatch(/^g NO \[CANNOT\] mailbox name longer/);
    expect(last(await joe.command('h', `CREATE ${Array(20).fill('a').join('/')}`))).toMatch(/^h NO \[CANNOT\] mailbox hierarchy deeper/);
    expect(last(await joe.command('i', 'CREATE "Other Users/joe/x"'))).toMatch(/^i OK/);
    expect(last(await joe.command('j', 'CREATE "Other Users"'))).toMatch(/^j NO \[CANNOT\]/);
    expect(last(await joe.command('k', 'CREATE'))).toMatch(/^k BAD /);
    expect(last(await joe.command('l', 'RENAME a'))).toMatch(/^l BAD /);
    expect(last(await joe.command('m', 'CREATE (a b)'))).toMatch(/^m BAD /);
    expect(last(await joe.command('n', 'RENAME x y/x/z'))).toMatch(/^n OK/);
    expect(last(await joe.command('o', 'RENAME y y/inner'))).toMatch(/^o NO \[CANNOT\] a mailbox cannot be moved below itself/);
    // the x created through the Other Users spelling of joe's own name is joe's own mailbox
    expect(await joe.command('p', 'LIST "" y*')).toEqual([
      '* LIST (\\HasChildren) "/" y',
      '* LIST (\\HasChildren) "/" y/x',
      '* LIST (\\HasNoChildren) "/" y/x/z',
      'p OK LIST completed',
    ]);
    expect(await joe.command('q', 'NOOP')).toEqual(['q OK NOOP completed']);
  });

  it('answers ACL commands before login with BAD', async () => {
    const client = await TestClient.connect(server.port);
    clients.push(client);
    await client.line();
    expect(await client.command('a', 'GETACL INBOX')).toEqual(['a BAD GETACL is valid only after login']);
    expect(await client.command('b', 'CREATE x')).toEqual(['b BAD CREATE is valid only after login']);
  });
});

describe('RFC 4314 ACLs', () => {
  async function joeShares(...grants: Array<[string, string]>): Promise<TestClient> {
    const joe = await as('joe@example.test');
    expect(last(await joe.command('s0', 'CREATE Shared'))).toBe('s0 OK CREATE completed');
    for (const [i, [who, rights]] of grants.entries()) {
      expect(await joe.command(`s${i + 1}`, `SETACL Shared ${who} ${rights}`)).toEqual([`s${i + 1} OK SETACL completed`]);
    }
    return joe;
  }

  it('owner: GETACL, MYRIGHTS, LISTRIGHTS and DELETEACL', async () => {
    const joe = await joeShares(['sam', 'lr'], ['#sales', '+w']);
    expect(await joe.command('a', 'GETACL Shared')).toEqual(['* ACL Shared sam lr #sales w', 'a OK GETACL completed']);
    expect(await joe.command('b', 'MYRIGHTS Shared')).toEqual(['* MYRIGHTS Shared lrswipkxteacd', 'b OK MYRIGHTS completed']);
    expect(await joe.command('c', 'LISTRIGHTS Shared sam')).toEqual(['* LISTRIGHTS Shared sam "" l r s w i p k x t e a', 'c OK LISTRIGHTS completed']);
    expect(await joe.command('d', 'LISTRIGHTS Shared joe')).toEqual(['* LISTRIGHTS Shared joe lrswipkxteacd', 'd OK LISTRIGHTS completed']);
    expect(await joe.command('e', 'SETACL Shared sam +s')).toEqual(['e OK SETACL completed']);
    expect(await joe.command('f', 'SETACL Shared sam -r')).toEqual(['f OK SETACL completed']);
    expect(await joe.command('g', 'DELETEACL Shared #sales')).toEqual(['g OK DELETEACL completed']);
    expect(await joe.command('h', 'GETACL Shared')).toEqual(['* ACL Shared sam ls', 'h OK GETACL completed']);
    expect(await joe.command('i', 'GETACL INBOX')).toEqual(['* ACL INBOX', 'i OK GETACL completed']);
  });

  it("SETACL and DELETEACL edit the entry already there when it names the same account in another spelling", async () => {
    const joe = await joeShares(['sam@example.test', 'lrw']);
    expect(await joe.command('a', 'SETACL Shared sam -w')).toEqual(['a OK SETACL completed']);
    expect(await joe.command('b', 'GETACL Shared')).toEqual(['* ACL Shared sam@example.test lr', 'b OK GETACL completed']);
    expect(await joe.command('c', 'DELETEACL Shared sam')).toEqual(['c OK DELETEACL completed']);
    expect(await joe.command('d', 'GETACL Shared')).toEqual(['* ACL Shared', 'd OK GETACL completed']);
  });

  it('sam with lr sees the mailbox under Other Users and selects it read-only', async () => {
    await joeShares(['sam', 'lr']);
    const sam = await as('sam@example.test');
    expect(await sam.command('a', 'LIST "" *')).toEqual([
      '* LIST (\\HasNoChildren) "/" INBOX',
      '* LIST (\\Noselect \\HasChildren) "/" "Other Users"',
      '* LIST (\\Noselect \\HasChildren) "/" "Other Users/joe@example.test"',
      `* LIST (\\HasNoChildren) "/" ${SHARED}`,
      'a OK LIST completed',
    ]);
    expect(await sam.command('b', 'LIST "Other Users/" %')).toEqual([
      '* LIST (\\Noselect \\HasChildren) "/" "Other Users/joe@example.test"',
      'b OK LIST completed',
    ]);
    // LIST % at the top: INBOX and the namespace, not what is inside it
    expect(await sam.command('c', 'LIST "" %')).toHaveLength(3);
    const sel = await sam.command('d', `SELECT ${SHARED}`);
    expect(sel).toContain('* 0 EXISTS');
    expect(last(sel)).toBe('d OK [READ-ONLY] SELECT completed');
    expect(last(await sam.command('e', 'SELECT "Other Users/joe/Shared"'))).toBe('e OK [READ-ONLY] SELECT completed');
    expect(await sam.command('f', `MYRIGHTS ${SHARED}`)).toEqual([`* MYRIGHTS ${SHARED} lr`, 'f OK MYRIGHTS completed']);
    expect(last(await sam.command('g', `STATUS ${SHARED} (MESSAGES)`))).toBe('g OK STATUS completed');
    // admin operations need a
    expect(await sam.command('h', `GETACL ${SHARED}`)).toEqual(['h NO [NOPERM] permission denied: the a right is needed']);
    expect(await sam.command('i', `SETACL ${SHARED} sam lrswipkxtea`)).toEqual(['i NO [NOPERM] permission denied: the a right is needed']);
    expect(last(await sam.command('j', `LISTRIGHTS ${SHARED} sam`))).toMatch(/^j NO \[NOPERM\]/);
    expect(last(await sam.command('k', `DELETE ${SHARED}`))).toBe('k NO [NOPERM] permission denied: the x right is needed');
    expect(last(await sam.command('l', `RENAME ${SHARED} "Other Users/joe@example.test/Mine"`))).toMatch(/^l NO \[NOPERM\]/);
    expect(last(await sam.command('m', `RENAME ${SHARED} Mine`))).toMatch(/^m NO \[CANNOT\]/);
    // joe's other mailboxes stay invisible, and answer as nonexistent
    expect(last(await sam.command('n', 'SELECT "Other Users/joe@example.test/INBOX"'))).toBe('n NO [NONEXISTENT] mailbox does not exist');
    expect(last(await sam.command('o', 'MYRIGHTS "Other Users/joe@example.test/INBOX"'))).toBe('o NO [NONEXISTENT] mailbox does not exist');
  });

  it('without r SELECT and STATUS fail; without l the mailbox is not listed but r still selects', async () => {
    const joe = await joeShares(['sam', 'l']);
    const sam = await as('sam@example.test');
    expect(await sam.command('a', 'LIST "" "Other Users/*"')).toHaveLength(3);
    expect(last(await sam.command('b', `SELECT ${SHARED}`))).toBe('b NO [NOPERM] permission denied: the r right is needed');
    expect(last(await sam.command('c', `STATUS ${SHARED} (MESSAGES)`))).toBe('c NO [NOPERM] permission denied: the r right is needed');
    expect(await joe.command('d', 'SETACL Shared sam r')).toEqual(['d OK SETACL completed']);
    expect(await sam.command('e', 'LIST "" *')).toEqual(['* LIST (\\HasNoChildren) "/" INBOX', 'e OK LIST completed']);
    expect(last(await sam.command('f', `SELECT ${SHARED}`))).toBe('f OK [READ-ONLY] SELECT completed');
    expect(await joe.command('g', 'DELETEACL Shared sam')).toEqual(['g OK DELETEACL completed']);
    expect(last(await sam.command('h', `SELECT ${SHARED}`))).toBe('h NO [NONEXISTENT] mailbox does not exist');
    expect(last(await sam.command('i', 'CHECK'))).toBe('i BAD no mailbox selected');
  });

  it('a group entry grants its members only; a negative entry takes rights away (the spec example)', async () => {
    await joeShares(['#sales', 'lrs']);
    const sam = await as('sam@example.test');
    const ann = await as('ann@example.test');
    expect(await sam.command('a', `MYRIGHTS ${SHARED}`)).toEqual([`* MYRIGHTS ${SHARED} lrs`, 'a OK MYRIGHTS completed']);
    expect(last(await sam.command('b', `SELECT ${SHARED}`))).toBe('b OK [READ-WRITE] SELECT completed');
    expect(await ann.command('c', 'LIST "" *')).toHaveLength(2);
    expect(last(await ann.command('d', `SELECT ${SHARED}`))).toBe('d NO [NONEXISTENT] mailbox does not exist');
    // group membership is read per command: ann joins, and sees it at once
    await groups.setGroup('example.test', 'sales', ['sam', 'ann']);
    expect(await ann.command('e', 'LIST "" *')).toHaveLength(5);

    // anyone@ Lookup, Select, Seen; -sam Select, Seen; +ann Delete (t)
    const joe = await as('joe@example.test');
    await joe.command('f', 'DELETEACL Shared #sales');
    expect(await joe.command('g', 'SETACL Shared anyone@ lrs')).toEqual(['g OK SETACL completed']);
    expect(await joe.command('h', 'SETACL Shared -sam rs')).toEqual(['h OK SETACL completed']);
    expect(await joe.command('i', 'SETACL Shared +ann t')).toEqual(['i OK SETACL completed']);
    expect(await sam.command('j', `MYRIGHTS ${SHARED}`)).toEqual([`* MYRIGHTS ${SHARED} l`, 'j OK MYRIGHTS completed']);
    expect(await sam.command('k', 'LIST "" "Other Users/*"')).toHaveLength(3);
    expect(last(await sam.command('l', `SELECT ${SHARED}`))).toBe('l NO [NOPERM] permission denied: the r right is needed');
    expect(await ann.command('m', `MYRIGHTS ${SHARED}`)).toEqual([`* MYRIGHTS ${SHARED} lrstd`, 'm OK MYRIGHTS completed']);
    // an unprefixed entry naming the account itself decides alone
    await joe.command('n', 'SETACL Shared ann ""');
    expect(last(await ann.command('o', `MYRIGHTS ${SHARED}`))).toBe('o NO [NONEXISTENT] mailbox does not exist');
  });

  it('another domain: anyone@ does not reach it, an entry with its domain does', async () => {
    await joeShares(['anyone@', 'lr']);
    const bob = await as('bob@other.test');
    expect(await bob.command('a', 'LIST "" *')).toHaveLength(2);
    const joe = await as('joe@example.test');
    await joe.command('b', 'SETACL Shared bob@other.test lr');
    expect(await bob.command('c', 'LIST "" "Other Users/joe@example.test/*"')).toEqual([
      `* LIST (\\HasNoChildren) "/" ${SHARED}`,
      'c OK LIST completed',
    ]);
    // short form means bob's own domain: there is no joe@other.test
    expect(last(await bob.command('d', 'SELECT "Other Users/joe/Shared"'))).toBe('d NO [NONEXISTENT] mailbox does not exist');
  });

  it('k lets another account create below a shared mailbox, owned by the owner and with its ACL', async () => {
    const joe = await joeShares(['sam', 'lrk']);
    const sam = await as('sam@example.test');
    expect(await sam.command('a', `CREATE "Other Users/joe@example.test/Shared/Sub"`)).toEqual(['a OK CREATE completed']);
    expect(last(await sam.command('b', `CREATE "Other Users/joe@example.test/Top"`))).toMatch(/^b NO \[NOPERM\]/);
    expect(await joe.command('c', 'GETACL Shared/Sub')).toEqual(['* ACL Shared/Sub sam lrkc', 'c OK GETACL completed']);
    expect(await joe.command('d', 'LIST "" Shared*')).toEqual([
      '* LIST (\\HasChildren) "/" Shared',
      '* LIST (\\HasNoChildren) "/" Shared/Sub',
      'd OK LIST completed',
    ]);
  });

  it('bad ACL arguments get BAD or NO, and the session goes on', async () => {
    const joe = await joeShares();
    expect(last(await joe.command('a', 'SETACL Shared sam lrz'))).toMatch(/^a BAD 'z' in 'lrz' is not an ACL right/);
    expect(last(await joe.command('b', 'SETACL Shared "sam smith" lr'))).toMatch(/^b BAD invalid ACL identifier/);
    expect(last(await joe.command('c', 'SETACL Shared sam'))).toMatch(/^c BAD SETACL expects/);
    expect(last(await joe.command('d', 'GETACL'))).toMatch(/^d BAD GETACL expects/);
    expect(last(await joe.command('e', 'DELETEACL Shared'))).toMatch(/^e BAD DELETEACL expects/);
    expect(last(await joe.command('f', 'LISTRIGHTS Shared'))).toMatch(/^f BAD LISTRIGHTS expects/);
    expect(last(await joe.command('g', 'MYRIGHTS (Shared)'))).toMatch(/^g BAD MYRIGHTS expects/);
    // real names only: unknown accounts, groups and domains are refused
    expect(last(await joe.command('h', 'SETACL Shared nobody lr'))).toMatch(/^h NO \[CANNOT\] 'nobody': there is no account/);
    expect(last(await joe.command('i', 'SETACL Shared #nogroup lr'))).toMatch(/^i NO \[CANNOT\] '#nogroup': there is no group/);
    expect(last(await joe.command('j', 'SETACL Shared anyone@nowhere.test lr'))).toMatch(/^j NO \[CANNOT\]/);
    expect(await joe.command('k', 'SETACL Nothing sam lr')).toEqual(['k NO [NONEXISTENT] mailbox does not exist']);
    expect(await joe.command('l', 'GETACL "Other Users"')).toEqual(['l NO [NONEXISTENT] mailbox does not exist']);
    expect(await joe.command('m', 'GETACL Shared')).toEqual(['* ACL Shared', 'm OK GETACL completed']);
  });
});

describe('hostile input', () => {
  it('INBOX can be shared like any other mailbox', async () => {
    const joe = await as('joe@example.test');
    expect(await joe.command('a', 'SETACL INBOX sam lr')).toEqual(['a OK SETACL completed']);
    const sam = await as('sam@example.test');
    expect(await sam.command('b', 'LIST "" "Other Users/*/*"')).toEqual([
      '* LIST (\\HasNoChildren) "/" "Other Users/joe@example.test/INBOX"',
      'b OK LIST completed',
    ]);
    expect(last(await sam.command('c', 'EXAMINE "Other Users/joe@example.test/inbox"'))).toBe('c OK [READ-ONLY] EXAMINE completed');
    expect(await joe.command('d', 'STATUS INBOX (UIDVALIDITY)')).toEqual(['* STATUS INBOX (UIDVALIDITY 1)', 'd OK STATUS completed']);
  });

  describe('with a high BAD limit', () => {
    beforeAll(() => {
      maxBadCommands = 10_000;
    });
    afterAll(() => {
      maxBadCommands = 10;
    });

    it('answers random names and identifiers (as literals) with a tagged OK, NO or BAD, and goes on', async () => {
      const joe = await as('joe@example.test');
      await joe.command('s', 'CREATE Shared');
      const verbs = ['CREATE', 'DELETE', 'SELECT', 'STATUS', 'MYRIGHTS', 'GETACL', 'SETACL Shared', 'DELETEACL Shared', 'RENAME Shared', 'LIST ""', 'LISTRIGHTS Shared'];
      let n = 0;
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...verbs), fc.uint8Array({ maxLength: 80 }), fc.constantFrom('', ' lr', ' (MESSAGES)', ' x'), async (verb, bytes, tail) => {
          const tag = `f${++n}`;
          joe.send(Buffer.concat([Buffer.from(`${tag} ${verb} {${bytes.length}+}\r\n`), Buffer.from(bytes), Buffer.from(`${tail}\r\n`)]));
          const reply = await joe.until(tag);
          expect(last(reply)).toMatch(new RegExp(`^${tag} (OK|NO|BAD) `));
        }),
        { numRuns: 150 },
      );
      expect(await joe.command('z', 'NOOP')).toEqual(['z OK NOOP completed']);
      expect(last(await joe.command('y', 'MYRIGHTS INBOX'))).toBe('y OK MYRIGHTS completed');
    });
  });
});

describe('a failing mailbox store', () => {
  it('answers NO [UNAVAILABLE] while the store is unreachable, NO [SERVERBUG] for other faults, and goes on', async () => {
    const store = createMemoryMailboxStore();
    let fault: Error | null = null;
    const flaky: MailboxStore = {
      getMailboxes: (owner) => (fault ? Promise.reject(fault) : store.getMailboxes(owner)),
      updateMailboxes: (owner, change) => (fault ? Promise.reject(fault) : store.updateMailboxes(owner, change)),
      listSharingOwners: () => (fault ? Promise.reject(fault) : store.listSharingOwners()),
      close: () => store.close(),
    };
    const own = await startTestServer(
      createImapHandler({ authenticator: new TeamAuthenticator(), serverName: 'mail.example.test', mailboxes: flaky }),
      { logger: pino({ level: 'silent' }) },
    );
    const client = await TestClient.connect(own.port);
    try {
      await client.line();
      await client.command('L', 'LOGIN joe@example.test secret');
      fault = Object.assign(new Error('redis is down'), { code: 'unavailable' });
      expect(await client.command('a', 'CREATE x')).toEqual(['a NO [UNAVAILABLE] mailbox store temporarily unavailable, try again later']);
      fault = new Error('disk on fire');
      expect(await client.command('b', 'LIST "" *')).toEqual(['b NO [SERVERBUG] internal server error']);
      fault = null;
      expect(await client.command('c', 'CREATE x')).toEqual(['c OK CREATE completed']);
    } finally {
      client.end();
      await own.close();
    }
  });
});
