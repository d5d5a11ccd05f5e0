/** The pure parts of the built-in mailbox store: names and namespaces, document changes, the memory store. */
import type { AccountMailboxes } from '@portcullis/auth-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMailbox, deleteMailbox, mailboxNames, renameMailbox, withAcl } from '../src/store/mailbox-document.js';
import { listPattern, MAX_MAILBOXES, nameProblem, resolveMailboxName } from '../src/store/mailbox-names.js';
import { createMemoryMailboxStore } from '../src/store/memory-mailbox-store.js';

const JOE = 'joe@example.test';
const empty = (): AccountMailboxes => ({ mailboxes: {}, nextUidValidity: 100 });

/** Apply a change and return the document it writes (the old one when it writes nothing). */
function after<T>(doc: AccountMailboxes, change: (d: AccountMailboxes) => { next: AccountMailboxes | null; result: T }): [AccountMailboxes, T] {
  const { next, result } = change(doc);
  return [next ?? doc, result];
}

describe('mailbox names', () => {
  it('resolves personal names, INBOX in any case, and the Other Users namespace', () => {
    expect(resolveMailboxName('Projects/2024', JOE)).toEqual({ kind: 'mailbox', owner: JOE, name: 'Projects/2024' });
    expect(resolveMailboxName('inbox', JOE)).toEqual({ kind: 'mailbox', owner: JOE, name: 'INBOX' });
    expect(resolveMailboxName('Inbox/Sub', JOE)).toEqual({ kind: 'mailbox', owner: JOE, name: 'INBOX/Sub' });
    expect(resolveMailboxName('Sent/', JOE)).toEqual({ kind: 'mailbox', owner: JOE, name: 'Sent' });
    expect(resolveMailboxName('Other Users', JOE)).toEqual({ kind: 'namespace', owner: null });
    expect(resolveMailboxName('Other Users/Sam@Example.test', JOE)).toEqual({ kind: 'namespace', owner: 'sam@example.test' });
    expect(resolveMailboxName('Other Users/sam/Shared/x', JOE)).toEqual({ kind: 'mailbox', owner: 'sam@example.test', name: 'Shared/x' });
    expect(resolveMailboxName('Other Users/bob@other.test/INBOX', JOE)).toEqual({ kind: 'mailbox', owner: 'bob@other.test', name: 'INBOX' });
    for (const bad of ['Other Users/a@b@c/x', 'Other Users/../x', 'Other Users//x', 'a//b', '', '/a', 'x%', 'a\u0001b']) {
      expect(resolveMailboxName(bad, JOE).kind, bad).toBe('invalid');
    }
    expect(resolveMailboxName('Other Users/sam/', JOE)).toEqual({ kind: 'namespace', owner: 'sam@example.test' });
    expect(nameProblem('Other Users')).toMatch(/shared namespace/);
  });

  it('matches LIST patterns: * across levels, % within one, INBOX in any case', () => {
    expect(listPattern('', '*')('a/b/c')).toBe(true);
    expect(listPattern('', '%')('a/b')).toBe(false);
    expect(listPattern('a/', '%')('a/b')).toBe(true);
    expect(listPattern('', 'inb%')('INBOX')).toBe(true);
    expect(listPattern('', 'inbox/*')('INBOX/x')).toBe(true);
    expect(listPattern('', 'projects')('Projects')).toBe(false);
    expect(listPattern('', 'a.c')('abc')).toBe(false);
    expect(listPattern('', '(a)')('(a)')).toBe(true);
  });

  it('never throws on any string, and a valid result is a clean name', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        const ref = resolveMailboxName(s, JOE);
        if (ref.kind === 'mailbox') expect(nameProblem(ref.name)).toBeNull();
        listPattern('', s)('INBOX');
      }),
    );
  });
});

describe('mailbox document changes', () => {
  it('creates missing parents with fresh UIDVALIDITYs and refuses duplicates', () => {
    const [doc, r] = after(empty(), (d) => createMailbox(d, 'a/b/c'));
    expect(r).toBe('created');
    expect(doc.mailboxes).toEqual({ a: { uidValidity: 100, acl: {} }, 'a/b': { uidValidity: 101, acl: {} }, 'a/b/c': { uidValidity: 102, acl: {} } });
    expect(doc.nextUidValidity).toBe(103);
    expect(createMailbox(doc, 'a/b').result).toBe('exists');
    expect(createMailbox(doc, 'INBOX').result).toBe('exists');
    expect(mailboxNames(doc)).toEqual(['INBOX', 'a', 'a/b', 'a/b/c']);
  });

  it('inherits the nearest parent ACL on create', () => {
    let [doc] = after(empty(), (d) => createMailbox(d, 'Shared'));
    doc = withAcl(doc, 'Shared', [{ identifier: 'sam', rights: 'lrk' }]);
    [doc] = after(doc, (d) => createMailbox(d, 'Shared/x/y'));
    expect(doc.mailboxes['Shared/x/y']!.acl).toEqual({ sam: 'lrk' });
    expect(doc.mailboxes['Shared/x']!.acl).toEqual({ sam: 'lrk' });
  });

  it('renames with children, keeping UIDVALIDITY and ACL, and refuses what cannot be', () => {
    let [doc] = after(empty(), (d) => createMailbox(d, 'a/b'));
    doc = withAcl(doc, 'a/b', [{ identifier: '#sales', rights: 'lr' }]);
    const [moved, r] = after(doc, (d) => renameMailbox(d, 'a', 'x/y'));
    expect(r).toBe('renamed');
    expect(Object.keys(moved.mailboxes).sort()).toEqual(['x', 'x/y', 'x/y/b']);
    expect(moved.mailboxes['x/y/b']).toEqual({ uidValidity: 101, acl: { '#sales': 'lr' } });
    expect(renameMailbox(doc, 'INBOX', 'z').result).toBe('inbox');
    expect(renameMailbox(doc, 'a', 'INBOX').result).toBe('inbox');
    expect(renameMailbox(doc, 'nope', 'z').result).toBe('nonexistent');
    expect(renameMailbox(doc, 'a', 'a/b').result).toBe('exists');
    expect(renameMailbox(doc, 'a', 'a/c').result).toBe('into-itself');
  });

  it('deletes leaves only, never INBOX', () => {
    const [doc] = after(empty(), (d) => createMailbox(d, 'a/b'));
    expect(deleteMailbox(doc, 'a').result).toBe('has-children');
    expect(deleteMailbox(doc, 'INBOX').result).toBe('inbox');
    expect(deleteMailbox(doc, 'zz').result).toBe('nonexistent');
    const [gone, r] = after(doc, (d) => deleteMailbox(d, 'a/b'));
    expect(r).toBe('deleted');
    expect(mailboxNames(gone)).toEqual(['INBOX', 'a']);
  });

  it('stops at the mailbox limit', () => {
    const mailboxes = Object.fromEntries(Array.from({ length: MAX_MAILBOXES }, (_, i) => [`m${i}`, { uidValidity: i + 1, acl: {} }]));
    const full: AccountMailboxes = { mailboxes, nextUidValidity: MAX_MAILBOXES + 1 };
    expect(createMailbox(full, 'one-more').result).toBe('too-many');
  });

  it('keeps every document valid under random sequences of changes', () => {
    const name = fc.constantFrom('a', 'a/b', 'a/b/c', 'b', 'INBOX', 'INBOX/x', 'c/d');
    const op = fc.oneof(
      fc.tuple(fc.constant('create' as const), name),
      fc.tuple(fc.constant('delete' as const), name),
      fc.tuple(fc.constant('rename' as const), name, name),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        let doc = empty();
        const seen = new Set<number>();
        for (const o of ops) {
          const change = o[0] === 'create' ? createMailbox(doc, o[1]) : o[0] === 'delete' ? deleteMailbox(doc, o[1]) : renameMailbox(doc, o[1], o[2]);
          if (change.next) doc = change.next;
          // every mailbox's parent exists, and no UIDVALIDITY is ever handed out twice
          for (const n of Object.keys(doc.mailboxes)) {
            const slash = n.lastIndexOf('/');
            if (slash > 0) expect(n.slice(0, slash) === 'INBOX' || n.slice(0, slash) in doc.mailboxes).toBe(true);
          }
          if (o[0] === 'create' && change.result === 'created') {
            const uv = doc.mailboxes[o[1]]!.uidValidity;
            expect(seen.has(uv)).toBe(false);
            seen.add(uv);
          }
        }
      }),
    );
  });
});

describe('memory mailbox store', () => {
  it('keeps documents per owner and lists the owners that share', async () => {
    const store = createMemoryMailboxStore();
    await store.updateMailboxes(JOE, (d) => createMailbox(d, 'Private'));
    await store.updateMailboxes('sam@example.test', (d) => {
      const created = createMailbox(d, 'Shared').next!;
      return { next: withAcl(created, 'Shared', [{ identifier: 'joe', rights: 'lr' }]), result: null };
    });
    expect(Object.keys((await store.getMailboxes(JOE)).mailboxes)).toEqual(['Private']);
    expect(await store.listSharingOwners()).toEqual(['sam@example.test']);
    await store.close();
    expect((await store.getMailboxes(JOE)).mailboxes).toEqual({});
  });
});
