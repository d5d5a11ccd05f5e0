/**
 * An account's mailboxes and their RFC 4314 ACLs, through the `acl` and `mailbox` commands'
 * operations. Readers of the owner's domain see them; Domain (of that domain), AllDomains and
 * Master change them. A domain the caller may not see answers 404 like every other route.
 */
import { deleteMailboxAcl, getMailboxAcl, listMailboxes, setMailboxAcl, type MailboxAclView } from '../commands/acl.js';
import { canReadDomain, canWriteDomain } from './access.js';
import type { Caller } from './caller.js';
import type { AdminDeps } from './deps.js';
import { visibleDomain } from './domains.js';
import { badRequest, guarded } from './errors.js';

export interface MailboxView {
  name: string;
  acl: Record<string, string>;
}

/** The owner's address once the caller may `may` in its domain (the domain is in the path). */
async function ownerIn(deps: AdminDeps, caller: Caller, rawDomain: string, rawName: string, may: (c: Caller, d: string) => boolean): Promise<string> {
  if (rawName.length === 0 || rawName.includes('@')) throw badRequest(`'${rawName}' is not an account name (the domain is in the path)`);
  const domain = await visibleDomain(deps, caller, rawDomain, may);
  return `${rawName}@${domain}`;
}

const view = (v: MailboxAclView) => ({ mailbox: v.mailbox, acl: v.acl });

export async function listAccountMailboxes(deps: AdminDeps, caller: Caller, domain: string, name: string): Promise<{ mailboxes: MailboxView[] }> {
  const owner = await ownerIn(deps, caller, domain, name, canReadDomain);
  const { mailboxes } = await guarded(() => listMailboxes(deps, owner));
  return { mailboxes };
}

export async function readMailboxAcl(deps: AdminDeps, caller: Caller, domain: string, name: string, mailbox: string) {
  const owner = await ownerIn(deps, caller, domain, name, canReadDomain);
  return view(await guarded(() => getMailboxAcl(deps, owner, mailbox)));
}

export async function changeMailboxAcl(deps: AdminDeps, caller: Caller, domain: string, name: string, mailbox: string, identifier: string, rights: string) {
  const owner = await ownerIn(deps, caller, domain, name, canWriteDomain);
  return view(await guarded(() => setMailboxAcl(deps, owner, mailbox, identifier, rights)));
}

export async function removeMailboxAcl(deps: AdminDeps, caller: Caller, domain: string, name: string, mailbox: string, identifier: string) {
  const owner = await ownerIn(deps, caller, domain, name, canWriteDomain);
  return view(await guarded(() => deleteMailboxAcl(deps, owner, mailbox, identifier)));
}
