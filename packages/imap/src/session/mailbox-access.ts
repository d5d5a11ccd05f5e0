/**
 * Who may see and do what with which mailbox: resolves the names a client sends against the
 * MailboxStore and computes the viewer's effective rights with the auth-core ACL model. The
 * owner holds every right on its own mailboxes.
 */
import { ALL_ACL_RIGHTS, effectiveRights, type AccountMailboxes, type AclSubject, type MailboxRecord, type MailboxStore } from '@portcullis/auth-core';
import { mailboxAcl, mailboxExists, mailboxNames, mailboxRecord } from '../store/mailbox-document.js';
import { externalName, OTHER_USERS, resolveMailboxName, type MailboxRef } from '../store/mailbox-names.js';

/** A mailbox that exists, with the viewer's rights on it. */
export interface OpenedMailbox {
  owner: string;
  name: string;
  /** the name the viewer uses for it */
  external: string;
  record: MailboxRecord;
  rights: string;
  doc: AccountMailboxes;
}

/** A mailbox the viewer may look up (has the l right on). */
export interface VisibleMailbox {
  external: string;
  owner: string;
  name: string;
  rights: string;
}

export class MailboxAccess {
  private subjectPromise: Promise<AclSubject> | undefined;

  constructor(
    readonly store: MailboxStore,
    /** the logged-in account, user@domain */
    readonly viewer: string,
    private readonly groupsOf: (account: string) => Promise<string[]>,
  ) {}

  /**
   * The viewer as an ACL subject. Group membership is read once per command (forget() between
   * commands), so a change to a group applies from the next command on.
   */
  subject(): Promise<AclSubject> {
    this.subjectPromise ??= this.groupsOf(this.viewer).then((groups) => ({ account: this.viewer, groups }));
    return this.subjectPromise;
  }

  forget(): void {
    this.subjectPromise = undefined;
  }

  resolve(input: string): MailboxRef {
    return resolveMailboxName(input, this.viewer);
  }

  rightsIn(doc: AccountMailboxes, owner: string, name: string, subject: AclSubject): string {
    return effectiveRights(mailboxAcl(doc, name), owner, subject);
  }

  /**
   * Runs `change` on `owner`'s document when `name` exists in it and the viewer holds `right` on
   * it, both checked on the document that is written; otherwise the result is 'nonexistent' or
   * 'noperm'. `rights` is what the viewer holds on the mailbox (for refuse()).
   */
  async updateIfAllowed<T>(
    owner: string,
    name: string,
    right: string,
    change: (doc: AccountMailboxes, subject: AclSubject) => { next: AccountMailboxes | null; result: T },
  ): Promise<{ result: T | 'nonexistent' | 'noperm'; rights: string }> {
    const subject = await this.subject();
    let rights = '';
    const result = await this.store.updateMailboxes<T | 'nonexistent' | 'noperm'>(owner, (doc) => {
      if (!mailboxExists(doc, name)) return { next: null, result: 'nonexistent' };
      rights = this.rightsIn(doc, owner, name, subject);
      if (!rights.includes(right)) return { next: null, result: 'noperm' };
      return change(doc, subject);
    });
    return { result, rights };
  }

  /** The mailbox `owner`/`name` with the viewer's rights, or null when it does not exist. */
  async open(owner: string, name: string): Promise<OpenedMailbox | null> {
    const doc = await this.store.getMailboxes(owner);
    const record = mailboxRecord(doc, name);
    if (!record) return null;
    const rights = this.rightsIn(doc, owner, name, await this.subject());
    return { owner, name, external: externalName(owner, name, this.viewer), record, rights, doc };
  }

  /**
   * The viewer's own mailboxes and every other account's mailbox it holds the l right on.
   * `wantShared: false` skips reading other accounts' documents (a pattern that cannot reach
   * the Other Users namespace).
   */
  async visible(wantShared: boolean): Promise<VisibleMailbox[]> {
    const own = await this.store.getMailboxes(this.viewer);
    const out: VisibleMailbox[] = mailboxNames(own).map((name) => ({ external: name, owner: this.viewer, name, rights: ALL_ACL_RIGHTS }));
    if (!wantShared) return out;
    const subject = await this.subject();
    const owners = (await this.store.listSharingOwners()).filter((o) => o !== this.viewer);
    const docs = await Promise.all(owners.map((o) => this.store.getMailboxes(o)));
    for (const [i, owner] of owners.entries()) {
      const doc = docs[i]!;
      for (const name of mailboxNames(doc)) {
        const rights = this.rightsIn(doc, owner, name, subject);
        if (rights.includes('l')) out.push({ external: externalName(owner, name, this.viewer), owner, name, rights });
      }
    }
    return out;
  }
}

/** Whether a LIST pattern (reference already joined) could match a name in the Other Users namespace. */
export function mayReachOtherUsers(fullPattern: string): boolean {
  const wildcard = fullPattern.search(/[*%]/);
  const literal = wildcard < 0 ? fullPattern : fullPattern.slice(0, wildcard);
  return OTHER_USERS.startsWith(literal) || literal.startsWith(OTHER_USERS);
}
