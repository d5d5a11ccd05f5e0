/** The spec's effective-rights steps, its two worked examples, and the explanation of the merge. */
import { describe, expect, it } from 'vitest';
import {
  ALL_ACL_RIGHTS,
  GUEST_ACCOUNT,
  effectiveRights,
  explainEffectiveRights,
  parseRightNames,
  type Acl,
  type AclSubject,
} from '../src/index.js';

const who = (account: string, groups: string[] = []): AclSubject => ({ account, groups });

/** The spec writes rights by name ("Lookup, Select, Seen"); the ACL keeps letters. */
function letters(names: string): string {
  const r = parseRightNames(names);
  if ('bad' in r) throw new Error(`bad right name ${r.bad}`);
  return r.rights;
}

describe('the spec examples', () => {
  // Example 1: Lookup, Select, Seen to all users of the owner's domain; john only Lookup; susan
  // also Delete.
  const owner = 'boss@company1.com';
  const example1: Acl = [
    { identifier: 'anyone@', rights: letters('Lookup, Select, Seen') },
    { identifier: '-john', rights: letters('Select, Seen') },
    { identifier: '+susan', rights: letters('Delete') },
  ];

  it('example 1: the domain gets Lookup, Select, Seen', () => {
    expect(letters('Lookup, Select, Seen')).toBe('lrs');
    expect(effectiveRights(example1, owner, who('mary@company1.com'))).toBe('lrs');
  });

  it('example 1: john keeps only Lookup', () => {
    expect(effectiveRights(example1, owner, who('john@company1.com'))).toBe(letters('Lookup'));
  });

  it('example 1: susan also gets Delete', () => {
    expect(effectiveRights(example1, owner, who('susan@company1.com'))).toBe(letters('Lookup, Select, Seen, Delete'));
  });

  it('example 1: another domain, and guests, get nothing', () => {
    expect(effectiveRights(example1, owner, who('mary@company2.com'))).toBe('');
    expect(effectiveRights(example1, owner, who('john@company2.com'))).toBe('');
    expect(effectiveRights(example1, owner, who(GUEST_ACCOUNT))).toBe('');
  });

  // Example 2: Lookup, Select, Seen to company2.com except john@company2.com; Lookup, Select,
  // Delete to susan@company3.com.
  const example2: Acl = [
    { identifier: 'anyone@company2.com', rights: letters('Lookup, Select, Seen') },
    { identifier: '-john@company2.com', rights: letters('Lookup, Select, Seen') },
    { identifier: 'susan@company3.com', rights: letters('Lookup, Select, Delete') },
  ];

  it('example 2: company2.com users get Lookup, Select, Seen', () => {
    expect(effectiveRights(example2, owner, who('mary@company2.com'))).toBe('lrs');
  });

  it('example 2: john@company2.com gets no rights', () => {
    expect(effectiveRights(example2, owner, who('john@company2.com'))).toBe('');
  });

  it('example 2: susan@company3.com gets Lookup, Select, Delete, and nobody else in company3.com', () => {
    expect(effectiveRights(example2, owner, who('susan@company3.com'))).toBe(letters('Lookup, Select, Delete'));
    expect(effectiveRights(example2, owner, who('john@company3.com'))).toBe('');
  });

  it('example 2: the owner domain gets nothing (anyone@company2.com is not anyone@)', () => {
    expect(effectiveRights(example2, owner, who('mary@company1.com'))).toBe('');
  });
});

describe('effectiveRights', () => {
  const owner = 'owner@example.com';

  it('gives the owner every right, whatever the ACL says', () => {
    const acl: Acl = [{ identifier: 'owner', rights: '' }, { identifier: '-anyone', rights: ALL_ACL_RIGHTS }];
    expect(effectiveRights(acl, owner, who('owner@example.com'))).toBe('lrswipkxtea');
    expect(effectiveRights(acl, 'Owner@Example.COM', who('owner@example.com'))).toBe(ALL_ACL_RIGHTS);
    expect(effectiveRights([], owner, who('owner@example.com'))).toBe(ALL_ACL_RIGHTS);
  });

  it('lets an exact unprefixed entry decide alone, even with no rights', () => {
    const acl: Acl = [
      { identifier: 'anyone', rights: 'lrs' },
      { identifier: '#team', rights: 'w' },
      { identifier: '+joe', rights: 'i' },
      { identifier: 'joe', rights: 'l' },
    ];
    expect(effectiveRights(acl, owner, who('joe@example.com', ['team@example.com']))).toBe('l');
    expect(effectiveRights([{ identifier: 'anyone', rights: 'lrs' }, { identifier: 'joe', rights: '' }], owner, who('joe@example.com'))).toBe('');
  });

  it('treats joe and joe@OWNERDOMAIN as the same exact name, and merges both', () => {
    const acl: Acl = [
      { identifier: 'joe', rights: 'l' },
      { identifier: 'joe@example.com', rights: 'r' },
      { identifier: 'anyone', rights: 'w' },
    ];
    expect(effectiveRights(acl, owner, who('joe@example.com'))).toBe('lr');
    // joe (relative) is not joe@other.com
    expect(effectiveRights(acl, owner, who('joe@other.com'))).toBe('w');
  });

  it('does not count a group or anyone as an exact entry', () => {
    const acl: Acl = [
      { identifier: '#team', rights: 'lr' },
      { identifier: '-anyone@', rights: 'r' },
    ];
    expect(effectiveRights(acl, owner, who('joe@example.com', ['team@example.com']))).toBe('l');
  });

  it('removes before it adds, so + wins over -', () => {
    const acl: Acl = [
      { identifier: 'anyone', rights: 'lr' },
      { identifier: '-#team', rights: 'lr' },
      { identifier: '+joe', rights: 'r' },
    ];
    expect(effectiveRights(acl, owner, who('joe@example.com', ['team@example.com']))).toBe('r');
    expect(effectiveRights(acl, owner, who('ann@example.com', ['team@example.com']))).toBe('');
    expect(effectiveRights(acl, owner, who('bob@example.com'))).toBe('lr');
  });

  it('gives added rights even without any direct entry', () => {
    expect(effectiveRights([{ identifier: '+anyone', rights: 'p' }], owner, who('x@y.test'))).toBe('p');
  });

  it('matches groups of the owner domain (#team) and of others (#team@other.com)', () => {
    const acl: Acl = [
      { identifier: '#team', rights: 'l' },
      { identifier: '#team@other.com', rights: 'r' },
    ];
    expect(effectiveRights(acl, owner, who('a@other.com', ['team@example.com']))).toBe('l');
    expect(effectiveRights(acl, owner, who('a@example.com', ['team@other.com']))).toBe('r');
    expect(effectiveRights(acl, owner, who('a@example.com', ['TEAM@Other.com', 'team@example.com']))).toBe('lr');
    expect(effectiveRights(acl, owner, who('a@example.com', ['sales@example.com']))).toBe('');
  });

  it('keeps guests (null@null) apart from authenticated accounts', () => {
    const acl: Acl = [
      { identifier: 'null@null', rights: 'l' },
      { identifier: 'anyone', rights: 'lr' },
    ];
    expect(effectiveRights(acl, owner, who(GUEST_ACCOUNT))).toBe('l');
    expect(effectiveRights(acl, owner, who('x@example.com'))).toBe('lr');
    // a guest is never the owner, even of an object "owned" by null@null
    expect(effectiveRights([], GUEST_ACCOUNT, who(GUEST_ACCOUNT))).toBe('');
  });

  it('compares names case-insensitively and returns letters in table order', () => {
    const acl: Acl = [{ identifier: 'ANYONE@Example.Com', rights: 'ael' }, { identifier: '+Joe', rights: 'rl' }];
    expect(effectiveRights(acl, owner, who('JOE@example.com'))).toBe('lrea');
  });

  it('ignores a damaged entry and unknown letters instead of failing the check', () => {
    const acl: Acl = [
      { identifier: 'bad name', rights: 'lr' },
      { identifier: 'anyone', rights: 'lz9' },
    ];
    expect(effectiveRights(acl, owner, who('joe@example.com'))).toBe('l');
  });
});

describe('explainEffectiveRights', () => {
  const owner = 'owner@example.com';

  it('shows each step of the merge with its rights', () => {
    const acl: Acl = [
      { identifier: 'anyone@', rights: 'lrs' },
      { identifier: '-john', rights: 'rs' },
      { identifier: '+john', rights: 'w' },
    ];
    const x = explainEffectiveRights(acl, owner, who('john@example.com'));
    expect(x.rights).toBe('lw');
    expect(x.rights).toBe(effectiveRights(acl, owner, who('john@example.com')));
    expect(x.steps.map((s) => [s.step, s.rights])).toEqual([
      ['exact', ''],
      ['direct', 'lrs'],
      ['removed', 'rs'],
      ['added', 'w'],
      ['direct minus removed', 'l'],
      ['plus added', 'lw'],
      ['effective', 'lw'],
    ]);
    expect(x.steps[1]!.detail).toContain('anyone@ (lrs)');
    expect(x.steps[2]!.detail).toContain('-john (rs)');
  });

  it('stops at the exact entry and at the owner', () => {
    const acl: Acl = [{ identifier: 'anyone', rights: 'lrs' }, { identifier: 'john', rights: 'l' }];
    const x = explainEffectiveRights(acl, owner, who('john@example.com'));
    expect(x.rights).toBe('l');
    expect(x.steps.map((s) => s.step)).toEqual(['exact', 'effective']);
    expect(x.steps[0]!.detail).toContain('john (l)');
    const o = explainEffectiveRights(acl, owner, who('owner@example.com'));
    expect(o).toEqual({ rights: ALL_ACL_RIGHTS, steps: [expect.objectContaining({ step: 'owner', rights: ALL_ACL_RIGHTS })] });
  });

  it('names invalid entries it ignored', () => {
    const x = explainEffectiveRights([{ identifier: 'a b', rights: 'l' }], owner, who('john@example.com'));
    expect(x.rights).toBe('');
    expect(x.steps[0]).toMatchObject({ step: 'ignored' });
    expect(x.steps[0]!.detail).toContain("'a b'");
  });
});
