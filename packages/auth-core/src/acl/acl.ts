/** An object's access control list: what its owner granted to whom. */

export interface AclEntry {
  /** as stored (canonical: lower case), prefix included, e.g. '-#sales@example.com' */
  identifier: string;
  /** RFC 4314 letters in table order, e.g. 'lrs' */
  rights: string;
}

export type Acl = AclEntry[];

/** Who asks: an account and the groups it belongs to (nested membership already resolved). */
export interface AclSubject {
  /** user@domain, canonical (lower case, the real domain name); GUEST_ACCOUNT for a guest */
  account: string;
  /** 'name@domain' of every group the account is a member of */
  groups: readonly string[];
}

export interface AclExplanationStep {
  /** owner | exact | direct | removed | added | direct minus removed | plus added | effective */
  step: string;
  /** which entries took part, in words */
  detail: string;
  rights: string;
}

export interface AclExplanation {
  rights: string;
  steps: AclExplanationStep[];
}

/** An ACL kept as a mapping identifier -> rights (how MailboxStore keeps it), in the mapping's order. */
export function aclFromRecord(record: Readonly<Record<string, string>>): Acl {
  return Object.entries(record).map(([identifier, rights]) => ({ identifier, rights }));
}

/** The mapping form of an ACL; a later entry for the same identifier wins. */
export function aclToRecord(acl: Acl): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of acl) out[e.identifier] = e.rights;
  return out;
}
