/**
 * Mailbox documents in this process's memory: the default when no store is configured (tests, a
 * single process without a data folder). Changes are lost at exit.
 */
import type { AccountMailboxes, MailboxStore } from '@portcullis/auth-core';

function empty(): AccountMailboxes {
  return { mailboxes: {}, nextUidValidity: Math.max(2, Math.floor(Date.now() / 1000)) };
}

export function createMemoryMailboxStore(): MailboxStore {
  const docs = new Map<string, AccountMailboxes>();
  return {
    async getMailboxes(owner) {
      return structuredClone(docs.get(owner) ?? empty());
    },
    async updateMailboxes(owner, change) {
      // no await between read and write: atomic within the one thread that holds the map
      const current = docs.get(owner) ?? empty();
      const { next, result } = change(structuredClone(current));
      if (next !== null) docs.set(owner, structuredClone(next));
      return result;
    },
    async listSharingOwners() {
      return [...docs]
        .filter(([, doc]) => Object.values(doc.mailboxes).some((m) => Object.keys(m.acl).length > 0))
        .map(([owner]) => owner)
        .sort();
    },
    async close() {
      docs.clear();
    },
  };
}
