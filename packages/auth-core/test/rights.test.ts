/** Access rights: names, grant rules, what a held right allows, and impersonation through them. */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Authenticator } from '../src/authenticator.js';
import type { AccessRightsStore, DomainAccessRights } from '../src/ports.js';
import type { SaslStep } from '../src/results.js';
import { resolveAuthorization } from '../src/policy/impersonation.js';
import {
  ACCESS_RIGHTS,
  AccessRightError,
  allows,
  grantAccessRights,
  grantRefusal,
  hasAccessRightsStore,
  hasRight,
  heldRights,
  impersonationByRights,
  parseAccessRight,
  parseAccessRights,
  revokeAccessRights,
  rightsIn,
} from '../src/rights/index.js';
import { addAccount, conn, MAIN, MemoryDirectory, plain, tls, world } from './auth-helpers.js';

class RightsDirectory extends MemoryDirectory implements AccessRightsStore {
  access = new Map<string, DomainAccessRights>();
  async getAccessRights(domain: string): Promise<DomainAccessRights> {
    return structuredClone(this.access.get(domain) ?? {});
  }
  async setAccessRights(domain: string, rights: DomainAccessRights): Promise<void> {
    if (!this.domains.has(domain)) throw new Error(`domain ${domain} does not exist`);
    this.access.set(domain, structuredClone(rights));
  }
}

function directory(): RightsDirectory {
  const d = new RightsDirectory();
  d.domains.set(MAIN, { name: MAIN });
  d.domains.set('other.test', { name: 'other.test' });
  return d;
}

describe('right names', () => {
  it('parses any letter case to the canonical spelling and refuses unknown names', () => {
    expect(parseAccessRight('canimpersonate')).toBe('CanImpersonate');
    expect(parseAccessRight('MASTER')).toBe('Master');
    expect(parseAccessRight('Root')).toBeNull();
    expect(parseAccessRights(['domain', 'Domain', 'kerberoskeys'])).toEqual(['Domain', 'KerberosKeys']);
    expect(() => parseAccessRights(['Domain', 'Godmode', 'x'])).toThrow(/unknown access rights 'Godmode', 'x'/);
    expect(ACCESS_RIGHTS).toHaveLength(9);
  });

  it('main-domain rights are refused for other domains; domain rights are fine anywhere', () => {
    for (const r of ['Master', 'Settings', 'Directory', 'AllDomains', 'AllDomainsRead', 'Monitor'] as const) {
      expect(grantRefusal(r, MAIN, MAIN)).toBeNull();
      expect(grantRefusal(r, 'other.test', MAIN)).toMatch(/only be granted to accounts of the main domain/);
    }
    for (const r of ['Domain', 'CanImpersonate', 'KerberosKeys'] as const) expect(grantRefusal(r, 'other.test', MAIN)).toBeNull();
  });
});

describe('granting and revoking', () => {
  it('adds and removes rights in the holder domain document, in canonical order', async () => {
    const d = directory();
    const carol = { name: 'carol', domain: 'other.test' };
    expect(await grantAccessRights(d, MAIN, carol, ['KerberosKeys', 'Domain'])).toEqual(['Domain', 'KerberosKeys']);
    expect(await grantAccessRights(d, MAIN, carol, ['CanImpersonate', 'Domain'])).toEqual(['Domain', 'CanImpersonate', 'KerberosKeys']);
    expect(d.access.get('other.test')).toEqual({ carol: ['Domain', 'CanImpersonate', 'KerberosKeys'] });
    expect(d.access.get(MAIN)).toBeUndefined();
    expect(await revokeAccessRights(d, carol, ['Domain'])).toEqual(['CanImpersonate', 'KerberosKeys']);
    expect(await revokeAccessRights(d, carol, [])).toEqual([]);
    expect(d.access.get('other.test')).toEqual({});
  });

  it('refuses a main-domain right for another domain and stores nothing', async () => {
    const d = directory();
    await expect(grantAccessRights(d, MAIN, { name: 'carol', domain: 'other.test' }, ['Domain', 'Master'])).rejects.toBeInstanceOf(AccessRightError);
    expect(d.access.size).toBe(0);
  });

  it('keeps other accounts of the domain untouched', async () => {
    const d = directory();
    await grantAccessRights(d, MAIN, { name: 'a', domain: MAIN }, ['Monitor']);
    await grantAccessRights(d, MAIN, { name: 'b', domain: MAIN }, ['Settings']);
    await revokeAccessRights(d, { name: 'a', domain: MAIN }, ['Monitor']);
    expect(d.access.get(MAIN)).toEqual({ b: ['Settings'] });
  });
});

describe('what held rights allow', () => {
  it('the main postmaster holds Master without an entry; another domain postmaster does not', async () => {
    const d = directory();
    expect(await heldRights(d, { name: 'postmaster', domain: MAIN }, MAIN)).toEqual(['Master']);
    expect(await hasRight(d, MAIN, { name: 'postmaster', domain: MAIN }, 'CanImpersonate', 'other.test')).toBe(true);
    expect(await heldRights(d, { name: 'postmaster', domain: 'other.test' }, MAIN)).toEqual([]);
    expect(await hasRight(d, MAIN, { name: 'postmaster', domain: 'other.test' }, 'Domain', 'other.test')).toBe(false);
  });

  it('a store without the capability grants nothing but the postmaster Master', async () => {
    const plainStore = new MemoryDirectory();
    expect(hasAccessRightsStore(plainStore)).toBe(false);
    expect(hasAccessRightsStore(directory())).toBe(true);
    expect(await hasRight(plainStore, MAIN, { name: 'alice', domain: MAIN }, 'Monitor', MAIN)).toBe(false);
    expect(await hasRight(plainStore, MAIN, { name: 'postmaster', domain: MAIN }, 'Monitor', MAIN)).toBe(true);
  });

  it('domain rights reach the holder own domain only; Master reaches all; AllDomains administers every domain', () => {
    const carol = { name: 'carol', domain: 'other.test' };
    expect(allows(['CanImpersonate'], carol, 'CanImpersonate', 'other.test')).toBe(true);
    expect(allows(['CanImpersonate'], carol, 'CanImpersonate', MAIN)).toBe(false);
    expect(allows(['CanImpersonate'], carol, 'Domain', 'other.test')).toBe(false);
    const root = { name: 'root', domain: MAIN };
    expect(allows(['Master'], root, 'CanImpersonate', 'other.test')).toBe(true);
    expect(allows(['Master'], root, 'Monitor', MAIN)).toBe(true);
    expect(allows(['AllDomains'], root, 'Domain', 'other.test')).toBe(true);
    expect(allows(['AllDomains'], root, 'CanImpersonate', 'other.test')).toBe(false);
    expect(allows(['Monitor'], root, 'Settings', MAIN)).toBe(false);
  });

  it('ignores unknown names and main-domain rights stored for another domain account', () => {
    expect(rightsIn({ carol: ['Master', 'Bogus', 'domain', 7 as unknown as string] }, { name: 'carol', domain: 'other.test' }, MAIN)).toEqual(['Domain']);
    expect(rightsIn({ root: ['Master'] }, { name: 'ROOT', domain: MAIN }, MAIN)).toEqual(['Master']);
    expect(rightsIn({ root: 'Master' as unknown as string[] }, { name: 'root', domain: MAIN }, MAIN)).toEqual([]);
  });
});

async function scram(auth: Authenticator, user: string, password: string, authzid: string): Promise<SaslStep> {
  const ex = auth.startSasl('SCRAM-SHA-256', conn())!;
  const gs2 = `n,a=${authzid},`;
  const bare = `n=${user},r=${randomBytes(12).toString('base64')}`;
  const first = await ex.step(Buffer.from(gs2 + bare));
  if (first.kind !== 'continue') return first;
  const serverFirst = first.challenge.toString();
  const attrs = Object.fromEntries(serverFirst.split(',').map((kv) => [kv[0], kv.slice(2)]));
  const salted = pbkdf2Sync(password, Buffer.from(attrs['s']!, 'base64'), Number(attrs['i']), 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const withoutProof = `c=${Buffer.from(gs2).toString('base64')},r=${attrs['r']}`;
  const sig = createHmac('sha256', storedKey).update(`${bare},${serverFirst},${withoutProof}`).digest();
  const proof = Buffer.from(clientKey.map((b, i) => b ^ sig[i]!));
  return ex.step(Buffer.from(`${withoutProof},p=${proof.toString('base64')}`));
}

describe('impersonation through rights', () => {
  function setup() {
    const d = directory();
    d.domains.set(MAIN, { name: MAIN, aliases: ['alias.test'] });
    const w = world({ directory: d, canImpersonate: impersonationByRights(d, MAIN) });
    addAccount(w, `alice@${MAIN}`, { password: '{clear}right', enabledServices: ['imap', 'smtp'] });
    addAccount(w, `bob@${MAIN}`, { password: '{clear}bobs' });
    addAccount(w, 'carol@other.test', { password: '{clear}c' });
    return { d, w };
  }
  // world() made its own directory; the authenticator uses `d`, so put the accounts there
  function accounts(d: RightsDirectory, w: ReturnType<typeof world>) {
    for (const [k, v] of w.directory.accounts) d.accounts.set(k, v);
  }

  it('PLAIN opens another account only with CanImpersonate for its domain', async () => {
    const { d, w } = setup();
    accounts(d, w);
    const imap = tls({ service: 'imap' });
    expect(await w.auth.startSasl('PLAIN', imap)!.step(plain('alice', 'right', 'bob'))).toMatchObject({ kind: 'failure', failure: { code: 'impersonation-denied' } });
    await grantAccessRights(d, MAIN, { name: 'alice', domain: MAIN }, ['CanImpersonate']);
    expect(await w.auth.startSasl('PLAIN', imap)!.step(plain('alice', 'right', 'bob@alias.test'))).toMatchObject({
      kind: 'success',
      success: { authcid: 'alice@example.test', authzid: 'bob@example.test', account: { name: 'bob' } },
    });
    // the right is for alice's own domain only
    expect(await w.auth.startSasl('PLAIN', imap)!.step(plain('alice', 'right', 'carol@other.test'))).toMatchObject({ kind: 'failure', failure: { code: 'impersonation-denied' } });
    // a wrong password never reaches the rights
    expect(await w.auth.startSasl('PLAIN', imap)!.step(plain('alice', 'wrong', 'bob'))).toMatchObject({ kind: 'failure', failure: { code: 'bad-credentials' } });
    // a service the authenticating account may not use
    expect(await w.auth.startSasl('PLAIN', tls({ service: 'pop' }))!.step(plain('alice', 'right', 'bob'))).toMatchObject({ kind: 'failure', failure: { code: 'service-disabled' } });
  });

  it('Master (the main postmaster) may open any domain account', async () => {
    const { d, w } = setup();
    addAccount(w, `postmaster@${MAIN}`, { password: '{clear}pm' });
    accounts(d, w);
    expect(await w.auth.startSasl('PLAIN', tls({ service: 'imap' }))!.step(plain('postmaster', 'pm', 'carol@other.test'))).toMatchObject({
      kind: 'success',
      success: { authcid: 'postmaster@example.test', authzid: 'carol@other.test' },
    });
  });

  it('SCRAM cannot open another account even with the right, but may name itself', async () => {
    const { d, w } = setup();
    accounts(d, w);
    await grantAccessRights(d, MAIN, { name: 'alice', domain: MAIN }, ['CanImpersonate']);
    expect(await scram(w.auth, 'alice', 'right', 'bob')).toMatchObject({ kind: 'failure', failure: { code: 'impersonation-denied' } });
    const self = await scram(w.auth, 'alice', 'right', 'alice');
    expect(self.kind).not.toBe('failure');
  });

  it('resolveAuthorization refuses mechanisms other than PLAIN, GSSAPI and EXTERNAL', async () => {
    const d = directory();
    d.accounts.set(`${MAIN}/bob`, { name: 'bob', domain: MAIN, settings: {} });
    const alice = { name: 'alice', domain: MAIN, settings: {} };
    const yes = async () => true;
    for (const m of ['PLAIN', 'GSSAPI', 'EXTERNAL', 'plain']) {
      expect(await resolveAuthorization(d, alice, 'bob', yes, m)).toMatchObject({ ok: true, address: `bob@${MAIN}` });
    }
    for (const m of ['SCRAM-SHA-256', 'DIGEST-MD5', 'CRAM-MD5']) {
      expect(await resolveAuthorization(d, alice, 'bob', yes, m)).toEqual({ ok: false, reason: 'denied' });
    }
  });
});
