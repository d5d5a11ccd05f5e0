/**
 * effectiveRights against a reference written straight from the spec's steps, on random ACLs over a
 * small universe of names (so that entries often match), plus laws of the model and of edits.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ALL_ACL_RIGHTS,
  AclError,
  GUEST_ACCOUNT,
  effectiveRights,
  parseIdentifier,
  explainEffectiveRights,
  removeAclEntry,
  setAclEntry,
  type Acl,
  type AclSubject,
} from '../src/index.js';

const LETTERS = [...'lrswipkxtea'];
const DOMAINS = ['a.test', 'b.test'];
const ACCOUNTS = ['joe', 'ann'];
const GROUPS = ['g1', 'g2'];

/**
 * The reference: every name the subject answers to, spelled as an ACL would spell it, then the
 * spec's steps with plain sets.
 */
function referenceRights(acl: Acl, owner: string, subject: AclSubject): string {
  const account = subject.account.toLowerCase();
  const ownerLower = owner.toLowerCase();
  if (account === ownerLower && account !== 'null@null') return 'lrswipkxtea';
  const ownerDomain = ownerLower.split('@')[1]!;
  const names = new Set<string>();
  const exactNames = new Set<string>();
  if (account === 'null@null') {
    names.add('null@null');
  } else {
    const [local, domain] = account.split('@') as [string, string];
    names.add('anyone');
    names.add(`anyone@${domain}`);
    names.add(account);
    exactNames.add(account);
    if (domain === ownerDomain) {
      names.add('anyone@');
      names.add(local);
      exactNames.add(local);
    }
    for (const g of subject.groups) {
      const [gName, gDomain] = g.toLowerCase().split('@') as [string, string];
      names.add(`#${gName}@${gDomain}`);
      if (gDomain === ownerDomain) names.add(`#${gName}`);
    }
  }
  const direct = new Set<string>();
  const removed = new Set<string>();
  const added = new Set<string>();
  const exact = new Set<string>();
  let hasExact = false;
  for (const { identifier, rights } of acl) {
    const id = identifier.toLowerCase();
    const sign = id[0] === '+' || id[0] === '-' ? id[0] : '';
    const bare = sign ? id.slice(1) : id;
    if (!names.has(bare)) continue;
    const target = sign === '+' ? added : sign === '-' ? removed : direct;
    for (const c of rights) target.add(c);
    if (sign === '' && exactNames.has(bare)) {
      hasExact = true;
      for (const c of rights) exact.add(c);
    }
  }
  let result: Set<string>;
  if (hasExact) result = exact;
  else {
    for (const c of removed) direct.delete(c);
    for (const c of added) direct.add(c);
    result = direct;
  }
  return LETTERS.filter((c) => result.has(c)).join('');
}

const casing = (s: string) =>
  fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }).map((up) => [...s].map((c, i) => (up[i] ? c.toUpperCase() : c)).join(''));

const bareIdentifier = fc.oneof(
  fc.constant('null@null'),
  fc.constant('anyone'),
  fc.constant('anyone@'),
  fc.constantFrom(...DOMAINS).map((d) => `anyone@${d}`),
  fc.constantFrom(...ACCOUNTS),
  fc.tuple(fc.constantFrom(...ACCOUNTS), fc.constantFrom(...DOMAINS)).map(([a, d]) => `${a}@${d}`),
  fc.constantFrom(...GROUPS).map((g) => `#${g}`),
  fc.tuple(fc.constantFrom(...GROUPS), fc.constantFrom(...DOMAINS)).map(([g, d]) => `#${g}@${d}`),
);

const identifier = fc.tuple(fc.constantFrom('', '+', '-'), bareIdentifier).chain(([p, id]) => casing(p + id));
const rights = fc.subarray(LETTERS).chain((ls) => fc.shuffledSubarray(ls, { minLength: ls.length, maxLength: ls.length })).map((ls) => ls.join(''));
const acl: fc.Arbitrary<Acl> = fc.array(fc.record({ identifier, rights }), { maxLength: 8 });
const address = fc.tuple(fc.constantFrom(...ACCOUNTS, 'owner'), fc.constantFrom(...DOMAINS)).map(([a, d]) => `${a}@${d}`);
const subject: fc.Arbitrary<AclSubject> = fc.record({
  account: fc.oneof({ weight: 6, arbitrary: address }, { weight: 1, arbitrary: fc.constant(GUEST_ACCOUNT) }),
  groups: fc.subarray(GROUPS.flatMap((g) => DOMAINS.map((d) => `${g}@${d}`))),
});

describe('effectiveRights (properties)', () => {
  it('agrees with the reference implementation of the spec steps', () => {
    fc.assert(
      fc.property(acl, address, subject, (a, owner, s) => {
        expect(effectiveRights(a, owner, s)).toBe(referenceRights(a, owner, s));
      }),
      { numRuns: 1000 },
    );
  });

  it('returns rights in table order without duplicates, and the explanation agrees', () => {
    fc.assert(
      fc.property(acl, address, subject, (a, owner, s) => {
        const r = effectiveRights(a, owner, s);
        expect([...r].sort((x, y) => ALL_ACL_RIGHTS.indexOf(x) - ALL_ACL_RIGHTS.indexOf(y)).join('')).toBe(r);
        expect(new Set(r).size).toBe(r.length);
        const x = explainEffectiveRights(a, owner, s);
        expect(x.rights).toBe(r);
        expect(x.steps.at(-1)!.rights).toBe(r);
      }),
    );
  });

  it('does not depend on the order of entries', () => {
    fc.assert(
      fc.property(acl, address, subject, fc.infiniteStream(fc.nat()), (a, owner, s, seeds) => {
        const shuffled = a.map((e) => ({ e, k: seeds.next().value as number })).sort((x, y) => x.k - y.k).map((x) => x.e);
        expect(effectiveRights(shuffled, owner, s)).toBe(effectiveRights(a, owner, s));
      }),
    );
  });

  it('gives exactly the rights of an unprefixed entry naming the account (unless it is the owner)', () => {
    fc.assert(
      fc.property(acl, address, subject, rights, (a, owner, s, r) => {
        fc.pre(s.account !== GUEST_ACCOUNT && s.account !== owner);
        // the relative spelling (joe for joe@OWNERDOMAIN) is the same exact name: take it out too
        const local = s.account.split('@')[0]!;
        const others = a.filter((e) => ![local, s.account].includes(e.identifier.toLowerCase()));
        const withExact = setAclEntry(others, s.account, r);
        expect(effectiveRights(withExact, owner, s)).toBe(LETTERS.filter((c) => r.includes(c)).join(''));
      }),
    );
  });

  it('grants nothing beyond what some entry grants, and every right to the owner', () => {
    fc.assert(
      fc.property(acl, address, subject, (a, owner, s) => {
        fc.pre(s.account !== owner);
        const granted = new Set(a.filter((e) => !e.identifier.startsWith('-')).flatMap((e) => [...e.rights]));
        for (const c of effectiveRights(a, owner, s)) expect(granted.has(c)).toBe(true);
        expect(effectiveRights(a, owner.toUpperCase(), { account: owner, groups: s.groups })).toBe(ALL_ACL_RIGHTS);
      }),
    );
  });
});

describe('setAclEntry / removeAclEntry (properties)', () => {
  it('replace, add and remove act on one entry as sets, and never mutate the input', () => {
    fc.assert(
      fc.property(acl, identifier, rights, rights, rights, (a, id, r1, r2, r3) => {
        const before = structuredClone(a);
        const s1 = setAclEntry(a, id, r1);
        const s2 = setAclEntry(s1, id, `+${r2}`);
        const s3 = setAclEntry(s2, id, `-${r3}`);
        expect(a).toEqual(before);
        const mine = s3.filter((e) => e.identifier === id.toLowerCase());
        expect(mine).toHaveLength(1);
        const want = LETTERS.filter((c) => (r1.includes(c) || r2.includes(c)) && !r3.includes(c)).join('');
        expect(mine[0]!.rights).toBe(want);
        const gone = removeAclEntry(s3, id.toUpperCase());
        expect(gone.some((e) => e.identifier.toLowerCase() === id.toLowerCase())).toBe(false);
        expect(gone.length).toBe(s3.length - 1);
      }),
    );
  });
});

describe('parseIdentifier (properties)', () => {
  it('never throws, and answers either a parsed identifier or an AclError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), identifier.map((i) => `${i}x`)), (raw) => {
        const p = parseIdentifier(raw);
        expect(p instanceof AclError || typeof p.canonical === 'string').toBe(true);
      }),
    );
  });

  it('is case-insensitive, and its canonical form parses to itself', () => {
    fc.assert(
      fc.property(identifier, (id) => {
        const p = parseIdentifier(id);
        if (p instanceof AclError) throw p;
        expect(p.canonical).toBe(id.toLowerCase());
        expect(parseIdentifier(p.canonical)).toEqual(p);
        expect(parseIdentifier(id.toUpperCase())).toEqual(p);
      }),
    );
  });
});
