/**
 * The effective-rights calculator: what an account may do in a mailbox, with the merge steps of
 * the spec (owner, exact entry, direct minus removed plus added) as auth-core explains them.
 */
import { aclFromRecord, aclSubjectFor, explainEffectiveRights, type AclExplanation } from '@portcullis/auth-core';
import { requireAccount } from '../commands/context.js';
import { canReadDomain } from './access.js';
import type { Caller } from './caller.js';
import type { AdminDeps } from './deps.js';
import { visibleDomain } from './domains.js';
import { AdminError, badRequest, guarded, notFound } from './errors.js';

function split(address: string): { name: string; domain: string } {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) throw badRequest(`'${address}' is not an address user@domain`);
  return { name: address.slice(0, at), domain: address.slice(at + 1) };
}

export interface EffectiveRightsView extends AclExplanation {
  account: string;
  owner: string;
  mailbox: string;
  /** the mailbox's ACL as stored, identifier -> rights */
  acl: Record<string, string>;
}

/** `mailbox` is `owner@domain/Mailbox/Name` (INBOX in any letter case). */
export async function effectiveRightsFor(deps: AdminDeps, caller: Caller, account: string, mailbox: string): Promise<EffectiveRightsView> {
  if (!deps.mailboxes) throw new AdminError(501, 'this gateway keeps no mailboxes');
  const slash = mailbox.indexOf('/');
  if (slash <= 0 || slash === mailbox.length - 1) throw badRequest("mailbox: expected 'owner@domain/Mailbox/Name'");
  const ownerParts = split(mailbox.slice(0, slash));
  const ownerDomain = await visibleDomain(deps, caller, ownerParts.domain, canReadDomain);
  const owner = await guarded(() => requireAccount(deps, `${ownerParts.name}@${ownerDomain}`));
  const ownerAddress = `${owner.name}@${owner.domain}`;
  let name = mailbox.slice(slash + 1);
  if (name.toUpperCase() === 'INBOX') name = 'INBOX';

  // the account's own name resolved (an alias to the real name) when the caller may see its domain
  const who = split(account.toLowerCase());
  let subjectAddress = `${who.name}@${who.domain}`;
  const whoDomain = await deps.store.resolveDomain(who.domain);
  if (whoDomain && canReadDomain(caller, whoDomain.name)) {
    const real = await guarded(() => requireAccount(deps, `${who.name}@${whoDomain.name}`));
    subjectAddress = `${real.name}@${real.domain}`;
  }

  const doc = await deps.mailboxes.getMailboxes(ownerAddress);
  const record = doc.mailboxes[name];
  if (!record && name !== 'INBOX') throw notFound(`${ownerAddress} has no mailbox ${name}`);
  const acl = record?.acl ?? {};
  const subject = await aclSubjectFor(deps.store, subjectAddress);
  const explained = explainEffectiveRights(aclFromRecord(acl), ownerAddress, subject);
  return { account: subjectAddress, owner: ownerAddress, mailbox: name, acl, ...explained };
}
