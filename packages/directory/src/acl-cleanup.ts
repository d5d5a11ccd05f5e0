/**
 * Deleting an account or a domain also removes the mailbox ACL entries that name it in other
 * accounts' mailboxes: otherwise a later account or domain of the same name would inherit what
 * was shared with the old one.
 */
import { AclError, identifierDomain, parseIdentifier, type MailboxStore, type ParsedIdentifier } from '@portcullis/auth-core';

/** What was (or is being) deleted; `domainNames` are the domain's name and aliases, lower case. */
export type AclTarget = { kind: 'account'; name: string; domainNames: ReadonlySet<string> } | { kind: 'domain'; domainNames: ReadonlySet<string> };

function names(parsed: ParsedIdentifier, ownerDomain: string, target: AclTarget): boolean {
  const domain = identifierDomain(parsed, ownerDomain);
  if (domain === null || !target.domainNames.has(domain)) return false;
  // a whole domain takes its accounts, its groups and its anyone@domain entries with it
  if (target.kind === 'domain') return true;
  return parsed.kind === 'account' && parsed.name === target.name;
}

/**
 * Remove every ACL entry (direct, `+` or `-`) naming `target` from the mailboxes of every account
 * that shares something; answers how many entries went. Entries that do not parse are left as
 * they are (they name nobody).
 */
export async function forgetInMailboxAcls(mailboxes: MailboxStore, target: AclTarget): Promise<number> {
  let removed = 0;
  for (const owner of await mailboxes.listSharingOwners()) {
    const ownerDomain = owner.slice(owner.lastIndexOf('@') + 1);
    removed += await mailboxes.updateMailboxes(owner, (current) => {
      const next = structuredClone(current);
      let count = 0;
      for (const box of Object.values(next.mailboxes)) {
        for (const id of Object.keys(box.acl)) {
          const parsed = parseIdentifier(id);
          if (parsed instanceof AclError || !names(parsed, ownerDomain, target)) continue;
          delete box.acl[id];
          count++;
        }
      }
      return { next: count > 0 ? next : null, result: count };
    });
  }
  return removed;
}
