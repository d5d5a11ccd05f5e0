/**
 * RFC 4314 ACLs on the built-in IMAP session, driven by Python's imaplib (getacl, setacl,
 * deleteacl, myrights, plus LISTRIGHTS and NAMESPACE as raw commands) against the built
 * gateway: mailboxes one account creates, shared with another under the Other Users namespace.
 * Once with the file directory and two workers (mailbox files under a lock shared by two
 * processes), once with the directory in Redis and two gateways on it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway, STANDARD_LISTENERS } from './harness/gateway.js';
import { createAccount, stopCleanly } from './harness/fixtures.js';
import { startRedisServer, type RedisServer } from './harness/redis-server.js';
import { run } from './harness/run.js';

const JOE = { address: 'joe@example.test', password: 'Joe-Secret-1' };
const SAM = { address: 'sam@example.test', password: 'Sam-Secret-1' };
const ANN = { address: 'ann@example.test', password: 'Ann-Secret-1' };
const PASSWORDS = [JOE.password, SAM.password, ANN.password];
const SHARED = '"Other Users/joe@example.test/Shared"';

/**
 * One imaplib connection per user, opened at its first step and kept; each step is
 * [user, method, ...args] and answers [typ, data] (data decoded), or ["error", message] when
 * imaplib raised (a BAD). Methods: imaplib's own, and "raw" KEY COMMAND ARGS... for a command
 * sent as it is, answering the untagged responses named KEY (imaplib's select() refuses a
 * READ-ONLY answer to SELECT, and it has no LISTRIGHTS or NAMESPACE method).
 */
const SCRIPT = String.raw`
import imaplib, json, sys
a = json.loads(sys.argv[1])
conns, out = {}, []
def dec(data):
    res = []
    for d in data or []:
        if isinstance(d, tuple): d = b"".join(x for x in d if isinstance(x, bytes))
        res.append(d.decode("utf-8", "replace") if isinstance(d, bytes) else d)
    return res
for step in a["steps"]:
    user, method, args = step[0], step[1], step[2:]
    try:
        if user not in conns:
            c = imaplib.IMAP4(a["host"], a["ports"][user], timeout=15)
            c.login(user, a["passwords"][user])
            conns[user] = c
        c = conns[user]
        if method == "raw":
            key, name = args[0], args[1]
            imaplib.Commands.setdefault(name, ("AUTH", "SELECTED"))
            typ, data = c._simple_command(name, *args[2:])
            typ, data = c._untagged_response(typ, data, key)
            # imaplib would take a READ-ONLY left from a raw SELECT as a change of state later
            c.untagged_responses.pop("READ-ONLY", None)
        else:
            typ, data = getattr(c, method)(*args)
        out.append([typ, dec(data)])
    except Exception as e:
        out.append(["error", str(e)])
for c in conns.values():
    try: c.logout()
    except Exception: pass
print(json.dumps(out))
`;

type Step = [user: string, method: string, ...args: Array<string | boolean>];
type Answer = [string, string[] | string];

describe.each(['files', 'redis'] as const)('IMAP ACLs with the directory in %s', (kind) => {
  let redis: RedisServer | undefined;
  let one: Gateway<'imap'>;
  /** joe uses `one`; sam and ann use `two` (the same gateway with files, another instance with Redis) */
  let two: Gateway<'imap'>;

  beforeAll(async () => {
    const listeners = { imap: STANDARD_LISTENERS.imap };
    if (kind === 'redis') {
      redis = await startRedisServer();
      const config = { directory: redis.url(0) };
      one = await Gateway.start({ listeners, config });
      two = await Gateway.start({ listeners, config });
    } else {
      one = await Gateway.start({ listeners, config: { workers: 2 } });
      two = one;
    }
    for (const u of [JOE, SAM, ANN]) await createAccount(one, u.address, u.password);
    await one.cliOk('group', 'create', 'sales@example.test', 'sam');
  }, 60_000);

  afterAll(async () => {
    try {
      await stopCleanly(one, PASSWORDS);
      if (two !== one) await stopCleanly(two, PASSWORDS);
    } finally {
      await redis?.stop();
    }
  });

  async function imap(...steps: Step[]): Promise<Answer[]> {
    const ports = { [JOE.address]: one.ports.imap, [SAM.address]: two.ports.imap, [ANN.address]: two.ports.imap };
    const passwords = { [JOE.address]: JOE.password, [SAM.address]: SAM.password, [ANN.address]: ANN.password };
    const res = await run('python3', ['-c', SCRIPT, JSON.stringify({ host: '127.0.0.1', ports, passwords, steps })], { timeoutMs: 30_000 });
    try {
      return JSON.parse(res.stdout) as Answer[];
    } catch {
      throw new Error(`imaplib script gave no JSON (code ${res.code}):\n${res.stdout}\n${res.stderr}`);
    }
  }

  it('joe creates a mailbox, sees ACL in CAPABILITY and the Other Users namespace, and manages its ACL', async () => {
    const r = await imap(
      [JOE.address, 'capability'],
      [JOE.address, 'raw', 'NAMESPACE', 'NAMESPACE'],
      [JOE.address, 'create', 'Shared'],
      [JOE.address, 'create', 'Private'],
      [JOE.address, 'setacl', 'Shared', 'sam', 'lr'],
      [JOE.address, 'getacl', 'Shared'],
      [JOE.address, 'myrights', 'Shared'],
      [JOE.address, 'raw', 'LISTRIGHTS', 'LISTRIGHTS', 'Shared', 'sam'],
      [JOE.address, 'list', '""', '*'],
    );
    expect(r[0]![1][0]).toMatch(/\bACL\b.*\bRIGHTS=TEXK\b/i);
    expect(r[1]).toEqual(['OK', ['(("" "/")) (("Other Users/" "/")) NIL']]);
    expect(r[2]![0]).toBe('OK');
    expect(r[4]![0]).toBe('OK');
    expect(r[5]).toEqual(['OK', ['Shared sam lr']]);
    expect(r[6]).toEqual(['OK', ['Shared lrswipkxteacd']]);
    expect(r[7]).toEqual(['OK', ['Shared sam "" l r s w i p k x t e a']]);
    expect(r[8]).toEqual(['OK', ['(\\HasNoChildren) "/" INBOX', '(\\HasNoChildren) "/" Private', '(\\HasNoChildren) "/" Shared']]);
  });

  it('sam sees it under Other Users and selects it read-only, but cannot administer it', async () => {
    const r = await imap(
      [SAM.address, 'list', '""', '*'],
      [SAM.address, 'raw', 'EXISTS', 'SELECT', SHARED],
      [SAM.address, 'myrights', SHARED],
      [SAM.address, 'getacl', SHARED],
      [SAM.address, 'setacl', SHARED, 'sam', 'lrswipkxtea'],
      [SAM.address, 'select', '"Other Users/joe@example.test/Private"'],
      [SAM.address, 'raw', 'READ-ONLY', 'SELECT', '"Other Users/joe/Shared"'],
      [SAM.address, 'select', SHARED, true],
    );
    expect(r[0]).toEqual([
      'OK',
      [
        '(\\HasNoChildren) "/" INBOX',
        '(\\Noselect \\HasChildren) "/" "Other Users"',
        '(\\Noselect \\HasChildren) "/" "Other Users/joe@example.test"',
        `(\\HasNoChildren) "/" ${SHARED}`,
      ],
    ]);
    expect(r[1]).toEqual(['OK', ['0']]);
    expect(r[2]).toEqual(['OK', [`${SHARED} lr`]]);
    // SELECT by the short name (same domain) is read-only, since lr lets nothing change; EXAMINE works
    expect(r[6]).toEqual(['OK', ['']]);
    expect(r[7]).toEqual(['OK', ['0']]);
    expect(r[3]).toEqual(['NO', ['[NOPERM] permission denied: the a right is needed']]);
    expect(r[4]).toEqual(['NO', ['[NOPERM] permission denied: the a right is needed']]);
    expect(r[5]).toEqual(['NO', ['[NONEXISTENT] mailbox does not exist']]);
  });

  it("without r SELECT fails; without l the mailbox is not listed (joe's change applies to sam's open session)", async () => {
    const r = await imap(
      [JOE.address, 'setacl', 'Shared', 'sam', 'l'],
      [SAM.address, 'select', SHARED],
      [SAM.address, 'list', '""', '"Other Users/*"'],
      [JOE.address, 'setacl', 'Shared', 'sam', 'r'],
      [SAM.address, 'list', '""', '*'],
      [SAM.address, 'raw', 'EXISTS', 'SELECT', SHARED],
      [JOE.address, 'deleteacl', 'Shared', 'sam'],
      [SAM.address, 'select', SHARED],
    );
    expect(r[1]).toEqual(['NO', ['[NOPERM] permission denied: the r right is needed']]);
    expect(r[2]![1]).toContain(`(\\HasNoChildren) "/" ${SHARED}`);
    expect(r[4]).toEqual(['OK', ['(\\HasNoChildren) "/" INBOX']]);
    expect(r[5]).toEqual(['OK', ['0']]);
    expect(r[7]).toEqual(['NO', ['[NONEXISTENT] mailbox does not exist']]);
  });

  it('a group entry (#sales) reaches its member sam and not ann; a negative entry (-sam) takes rights away', async () => {
    const r = await imap(
      [JOE.address, 'setacl', 'Shared', '#sales', 'lrs'],
      [SAM.address, 'myrights', SHARED],
      [ANN.address, 'select', SHARED],
      [JOE.address, 'setacl', 'Shared', 'anyone@', 'lr'],
      [ANN.address, 'myrights', SHARED],
      [JOE.address, 'setacl', 'Shared', '-sam', 'r'],
      [SAM.address, 'myrights', SHARED],
      [SAM.address, 'select', SHARED],
      [SAM.address, 'list', '""', '"Other Users/*"'],
      [JOE.address, 'getacl', 'Shared'],
    );
    expect(r[1]).toEqual(['OK', [`${SHARED} lrs`]]);
    expect(r[2]).toEqual(['NO', ['[NONEXISTENT] mailbox does not exist']]);
    expect(r[4]).toEqual(['OK', [`${SHARED} lr`]]);
    // direct (#sales lrs, anyone@ lr) minus removed (-sam r)
    expect(r[6]).toEqual(['OK', [`${SHARED} ls`]]);
    expect(r[7]).toEqual(['NO', ['[NOPERM] permission denied: the r right is needed']]);
    expect(r[8]![1]).toContain(`(\\HasNoChildren) "/" ${SHARED}`);
    expect(r[9]).toEqual(['OK', ['Shared #sales lrs anyone@ lr -sam r']]);
  });

  it('bad ACL input gets BAD or NO and the session goes on', async () => {
    const r = await imap(
      [JOE.address, 'setacl', 'Shared', 'sam', 'lrz'],
      [JOE.address, 'setacl', 'Shared', 'nobody', 'lr'],
      [JOE.address, 'getacl', 'Nothing'],
      [JOE.address, 'myrights', 'Shared'],
    );
    expect(r[0]![0]).toBe('error');
    expect(r[0]![1]).toMatch(/'z' in 'lrz' is not an ACL right/);
    expect(r[1]![0]).toBe('NO');
    expect(r[1]![1][0]).toMatch(/^\[CANNOT\] 'nobody': there is no account nobody@example.test/);
    expect(r[2]).toEqual(['NO', ['[NONEXISTENT] mailbox does not exist']]);
    expect(r[3]![0]).toBe('OK');
  });

  it('keeps the mailboxes and ACLs where the directory is', async () => {
    if (kind === 'files') {
      const text = await fs.readFile(path.join(one.dataDir, 'domains', 'example.test', 'mailboxes', 'joe.yaml'), 'utf8');
      expect(text).toContain('Shared:');
      expect(text).toContain('"#sales": lrs');
    } else {
      const got = await run('redis-cli', ['-u', redis!.url(0), 'GET', 'portcullis:dir:{dir}:mailboxes:example.test:joe']);
      expect(JSON.parse(got.stdout).mailboxes.Shared.acl).toMatchObject({ '#sales': 'lrs', '-sam': 'r' });
      await expect(fs.stat(path.join(one.dataDir, 'domains'))).rejects.toMatchObject({ code: 'ENOENT' });
    }
  });
});
