/** Login policies through real IMAP and POP3 exchanges, set with the CLI on the running server. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway, MAIN_DOMAIN } from './harness/gateway.js';
import { imapAuthenticate, imapCommand, imapConnect, imapLogin, imapLoginWorks } from './harness/imap.js';
import { popAuth, popCommand, popConnect, popLoginWorks, popUserPass } from './harness/pop.js';
import { cramResponder, plainResponder } from './harness/sasl.js';
import { ALICE, UNKNOWN, WRONG_PASSWORD, createAccount, stopCleanly } from './harness/fixtures.js';

const SECURE = { address: 'sec@example.test', password: 'Secure-Only-7' };
const LOCKED = { address: 'lock@example.test', password: 'Lock-Me-Out-3' };
const TAGGED = { address: 'tag@example.test', name: 'tag', password: 'Main-Pass-5', app: 'App-Secret-9' };
const UCRYPT = { address: 'ucrypt@example.test', password: 'Abcdefgh-long-1' };
const UBCRYPT = { address: 'ubcrypt@example.test', password: 'Blowfish-Pass-2' };
const LIVE = { address: 'live@example.test', password: 'First-Pass-1', next: 'Second-Pass-2' };

let gw: Gateway;

beforeAll(async () => {
  gw = await Gateway.start();
  await createAccount(gw, ALICE.address, ALICE.password);
});

afterAll(async () => {
  await stopCleanly(gw, [
    ALICE.password, WRONG_PASSWORD, SECURE.password, LOCKED.password, TAGGED.password, TAGGED.app,
    UCRYPT.password, UBCRYPT.password, LIVE.password, LIVE.next,
  ]);
});

describe('secureMethodRequired', () => {
  beforeAll(async () => {
    await createAccount(gw, SECURE.address, SECURE.password, 'secureMethodRequired=true');
  });

  it('refuses IMAP LOGIN and AUTHENTICATE PLAIN on a plain link', async () => {
    const { c } = await imapConnect(gw.ports.imapStarttls);
    try {
      const r = await imapLogin(c, SECURE.address, SECURE.password);
      expect(r.ok).toBe(false);
      expect(r.status).toMatch(/^NO\b/);
      const p = await imapAuthenticate(c, 'PLAIN', plainResponder(SECURE.address, SECURE.password));
      expect(p.ok).toBe(false);
    } finally {
      c.close();
    }
  });

  it('accepts the same LOGIN after STARTTLS and over implicit TLS', async () => {
    const { c } = await imapConnect(gw.ports.imapStarttls);
    try {
      expect((await imapCommand(c, 'STARTTLS')).ok).toBe(true);
      await c.startTls();
      expect((await imapLogin(c, SECURE.address, SECURE.password)).ok).toBe(true);
    } finally {
      c.close();
    }
    expect((await imapLoginWorks(gw.ports.imaps, SECURE.address, SECURE.password, { tls: true })).ok).toBe(true);
  });

  it('accepts CRAM-MD5 on a plain link', async () => {
    const { c } = await imapConnect(gw.ports.imap);
    try {
      const r = await imapAuthenticate(c, 'CRAM-MD5', cramResponder(SECURE.address, SECURE.password));
      expect(r.ok, r.status).toBe(true);
    } finally {
      c.close();
    }
  });

  it('POP3: USER/PASS refused on a plain link, accepted after STLS; CRAM-MD5 accepted on plain', async () => {
    expect(await popLoginWorks(gw.ports.pop, SECURE.address, SECURE.password)).toMatch(/^-ERR/);
    const { c } = await popConnect(gw.ports.popStarttls);
    try {
      expect(await popCommand(c, 'STLS')).toMatch(/^\+OK/);
      await c.startTls();
      expect((await popUserPass(c, SECURE.address, SECURE.password)).pass).toMatch(/^\+OK/);
    } finally {
      c.close();
    }
    const { c: c2 } = await popConnect(gw.ports.pop);
    try {
      expect((await popAuth(c2, 'CRAM-MD5', cramResponder(SECURE.address, SECURE.password))).ok).toBe(true);
    } finally {
      c2.close();
    }
  });
});

describe('hideUnknownAccount', () => {
  async function imapReplies(): Promise<{ unknown: string; wrong: string }> {
    const a = await imapLoginWorks(gw.ports.imap, UNKNOWN, ALICE.password);
    const b = await imapLoginWorks(gw.ports.imap, ALICE.address, WRONG_PASSWORD);
    expect(a.ok).toBe(false);
    expect(b.ok).toBe(false);
    return { unknown: a.status, wrong: b.status };
  }
  async function popReplies(): Promise<{ unknown: string; wrong: string }> {
    const ask = async (user: string, pw: string): Promise<string> => {
      const { c } = await popConnect(gw.ports.pop);
      try {
        const r = await popUserPass(c, user, pw);
        // a server may already refuse USER for an unknown name: that reply is what leaks
        return r.user.startsWith('-ERR') ? r.user : r.pass;
      } finally {
        c.close();
      }
    };
    return { unknown: await ask(UNKNOWN, ALICE.password), wrong: await ask(ALICE.address, WRONG_PASSWORD) };
  }

  it('without it, unknown account and wrong password get different replies', async () => {
    await gw.cliOk('server', 'set', 'hideUnknownAccount=false');
    const i = await imapReplies();
    expect(i.unknown).not.toBe(i.wrong);
    const p = await popReplies();
    expect(p.unknown).toMatch(/^-ERR/);
    expect(p.wrong).toMatch(/^-ERR/);
    expect(p.unknown).not.toBe(p.wrong);
  });

  it('with it, both get the very same reply', async () => {
    await gw.cliOk('server', 'set', 'hideUnknownAccount=true');
    try {
      const i = await imapReplies();
      expect(i.unknown).toMatch(/^NO\b/);
      expect(i.unknown).toBe(i.wrong);
      const p = await popReplies();
      expect(p.unknown).toMatch(/^-ERR/);
      expect(p.unknown).toBe(p.wrong);
      // SASL too
      const sasl = async (user: string, pw: string): Promise<string> => {
        const { c } = await imapConnect(gw.ports.imap);
        try {
          return (await imapAuthenticate(c, 'CRAM-MD5', cramResponder(user, pw))).status;
        } finally {
          c.close();
        }
      };
      expect(await sasl(UNKNOWN, ALICE.password)).toBe(await sasl(ALICE.address, WRONG_PASSWORD));
    } finally {
      await gw.cliOk('server', 'set', 'hideUnknownAccount=false');
    }
  });
});

describe('failed-login lockout', () => {
  it('locks after 3 wrong passwords, refuses the right one as temporarily locked, and unlocks after the period', async () => {
    await createAccount(gw, LOCKED.address, LOCKED.password, 'failedLoginLimit=3', 'failedLoginPeriod=5');
    for (let i = 0; i < 3; i++) {
      const r = await imapLoginWorks(gw.ports.imap, LOCKED.address, WRONG_PASSWORD);
      expect(r.ok).toBe(false);
    }
    const locked = await imapLoginWorks(gw.ports.imap, LOCKED.address, LOCKED.password);
    expect(locked.ok).toBe(false);
    expect(locked.status).toMatch(/temporarily locked/i);
    // every protocol and mechanism sees the lock
    expect(await popLoginWorks(gw.ports.pop, LOCKED.address, LOCKED.password)).toMatch(/^-ERR.*temporarily locked/i);
    const { c } = await imapConnect(gw.ports.imap);
    try {
      const r = await imapAuthenticate(c, 'CRAM-MD5', cramResponder(LOCKED.address, LOCKED.password));
      expect(r.ok).toBe(false);
      expect(r.status).toMatch(/temporarily locked/i);
    } finally {
      c.close();
    }
    await new Promise((r) => setTimeout(r, 6_000));
    expect((await imapLoginWorks(gw.ports.imap, LOCKED.address, LOCKED.password)).ok).toBe(true);
  });

  it('a lock on one account leaves the others alone', async () => {
    expect((await imapLoginWorks(gw.ports.imap, ALICE.address, ALICE.password)).ok).toBe(true);
  });
});

describe('tagged passwords', () => {
  beforeAll(async () => {
    await createAccount(gw, TAGGED.address, TAGGED.password, `tagPasswords=app:${TAGGED.app}`);
  });

  it('user$tag logs in with the tag password', async () => {
    expect((await imapLoginWorks(gw.ports.imap, `${TAGGED.name}$app`, TAGGED.app)).ok).toBe(true);
    expect(await popLoginWorks(gw.ports.pop, `${TAGGED.name}$app`, TAGGED.app)).toMatch(/^\+OK/);
  });

  it('user$tag refuses the main password and a wrong one; an unknown tag fails', async () => {
    expect((await imapLoginWorks(gw.ports.imap, `${TAGGED.name}$app`, TAGGED.password)).ok).toBe(false);
    expect((await imapLoginWorks(gw.ports.imap, `${TAGGED.name}$app`, WRONG_PASSWORD)).ok).toBe(false);
    expect((await imapLoginWorks(gw.ports.imap, `${TAGGED.name}$nosuchtag`, TAGGED.app)).ok).toBe(false);
  });

  it('the main password still works without a tag, the tag password does not', async () => {
    expect((await imapLoginWorks(gw.ports.imap, TAGGED.address, TAGGED.password)).ok).toBe(true);
    expect((await imapLoginWorks(gw.ports.imap, TAGGED.address, TAGGED.app)).ok).toBe(false);
  });

  it('CRAM-MD5 works with a tag password', async () => {
    const { c } = await imapConnect(gw.ports.imap);
    try {
      const r = await imapAuthenticate(c, 'CRAM-MD5', cramResponder(`${TAGGED.name}$app`, TAGGED.app));
      expect(r.ok, r.status).toBe(true);
    } finally {
      c.close();
    }
  });
});

describe('domain aliases', () => {
  it('alice@alias.test logs in as alice@example.test once the alias is set', async () => {
    expect((await imapLoginWorks(gw.ports.imap, 'alice@alias.test', ALICE.password)).ok).toBe(false);
    await gw.cliOk('domain', 'set', MAIN_DOMAIN, 'aliases=alias.test,other-alias.test');
    expect((await imapLoginWorks(gw.ports.imap, 'alice@alias.test', ALICE.password)).ok).toBe(true);
    expect((await imapLoginWorks(gw.ports.imap, 'ALICE@Other-Alias.Test', ALICE.password)).ok).toBe(true);
    expect((await imapLoginWorks(gw.ports.imap, 'alice@alias.test', WRONG_PASSWORD)).ok).toBe(false);
    expect(await popLoginWorks(gw.ports.pop, 'alice@alias.test', ALICE.password)).toMatch(/^\+OK/);
    const { c } = await imapConnect(gw.ports.imap);
    try {
      const r = await imapAuthenticate(c, 'CRAM-MD5', cramResponder('alice@alias.test', ALICE.password));
      expect(r.ok, r.status).toBe(true);
    } finally {
      c.close();
    }
  });
});

/** All the files of the data directory, concatenated, to check what is stored. */
async function dataDirText(): Promise<string> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await fs.readdir(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.push(await fs.readFile(p, 'utf8'));
    }
  };
  await walk(gw.dataDir);
  return out.join('\n');
}

describe('one-way stored passwords', () => {
  beforeAll(async () => {
    await createAccount(gw, UCRYPT.address, UCRYPT.password, 'passwordEncryption=U-crpt');
    await createAccount(gw, UBCRYPT.address, UBCRYPT.password, 'passwordEncryption=UB-crpt');
  });

  it('stores neither in clear text', async () => {
    const text = await dataDirText();
    expect(text).toMatch(/U-crpt/);
    expect(text).toMatch(/UB-crpt/);
    expect(text).not.toContain(UCRYPT.password);
    expect(text).not.toContain(UBCRYPT.password);
  });

  it('U-crpt: LOGIN works, and only the first 8 characters count', async () => {
    expect((await imapLoginWorks(gw.ports.imap, UCRYPT.address, UCRYPT.password)).ok).toBe(true);
    expect((await imapLoginWorks(gw.ports.imap, UCRYPT.address, UCRYPT.password.slice(0, 8) + 'anything')).ok).toBe(true);
    expect((await imapLoginWorks(gw.ports.imap, UCRYPT.address, 'Abcdefgx-long-1')).ok).toBe(false);
    expect(await popLoginWorks(gw.ports.pop, UCRYPT.address, UCRYPT.password)).toMatch(/^\+OK/);
  });

  it('UB-crpt: LOGIN works with the whole password only', async () => {
    expect((await imapLoginWorks(gw.ports.imap, UBCRYPT.address, UBCRYPT.password)).ok).toBe(true);
    expect((await imapLoginWorks(gw.ports.imap, UBCRYPT.address, UBCRYPT.password.slice(0, 8))).ok).toBe(false);
    expect((await imapLoginWorks(gw.ports.imap, UBCRYPT.address, WRONG_PASSWORD)).ok).toBe(false);
  });

  it.each([UCRYPT, UBCRYPT])('CRAM-MD5 and APOP fail cleanly for $address and the connection stays usable', async (acct) => {
    const { c } = await imapConnect(gw.ports.imap);
    try {
      const r = await imapAuthenticate(c, 'CRAM-MD5', cramResponder(acct.address, acct.password));
      expect(r.ok).toBe(false);
      expect(r.status).toMatch(/^NO\b/);
      expect((await imapLogin(c, acct.address, acct.password)).ok).toBe(true);
    } finally {
      c.close();
    }
    const { c: p } = await popConnect(gw.ports.pop);
    try {
      const r = await popAuth(p, 'CRAM-MD5', cramResponder(acct.address, acct.password));
      expect(r.status).toMatch(/^-ERR/);
      expect((await popUserPass(p, acct.address, acct.password)).pass).toMatch(/^\+OK/);
    } finally {
      p.close();
    }
  });
});

describe('CLI changes reach the running server at the next login', () => {
  it('a new password replaces the old one without a restart', async () => {
    await createAccount(gw, LIVE.address, LIVE.password);
    expect((await imapLoginWorks(gw.ports.imap, LIVE.address, LIVE.password)).ok).toBe(true);
    await gw.cliOk('account', 'set', LIVE.address, `password=${LIVE.next}`);
    expect((await imapLoginWorks(gw.ports.imap, LIVE.address, LIVE.password)).ok).toBe(false);
    expect((await imapLoginWorks(gw.ports.imap, LIVE.address, LIVE.next)).ok).toBe(true);
    expect(await popLoginWorks(gw.ports.pop, LIVE.address, LIVE.next)).toMatch(/^\+OK/);
  });

  it('secureMethodRequired set later applies to the next login', async () => {
    await gw.cliOk('account', 'set', LIVE.address, 'secureMethodRequired=true');
    expect((await imapLoginWorks(gw.ports.imap, LIVE.address, LIVE.next)).ok).toBe(false);
    expect((await imapLoginWorks(gw.ports.imaps, LIVE.address, LIVE.next, { tls: true })).ok).toBe(true);
    await gw.cliOk('account', 'set', LIVE.address, 'secureMethodRequired=false');
    expect((await imapLoginWorks(gw.ports.imap, LIVE.address, LIVE.next)).ok).toBe(true);
  });

  it('account show never prints the password', async () => {
    const r = await gw.cliOk('account', 'show', LIVE.address);
    expect(r.stdout).toMatch(/live/);
    expect(r.stdout).not.toContain(LIVE.next);
  });

  it('creating the main domain again is an error', async () => {
    const r = await gw.cli('domain', 'create', MAIN_DOMAIN);
    expect(r.code).not.toBe(0);
  });

  it('a bad setting is refused with its name', async () => {
    const r = await gw.cli('account', 'set', LIVE.address, 'failedLoginLimit=lots');
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/failedLoginLimit/);
  });
});
