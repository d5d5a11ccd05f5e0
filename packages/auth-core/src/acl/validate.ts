/**
 * "Real names only": an ACL names a real domain (not a domain alias), an existing account and an
 * existing group. The directory has no account aliases or forwarders; a name that is not an
 * account (an alias or forwarder kept elsewhere, a typo) is refused as unknown.
 */
import type { DirectoryStore } from '../ports.js';
import { AclError } from './errors.js';
import { hasGroupStore } from './groups.js';
import { identifierDomain, parseIdentifier, type ParsedIdentifier } from './identifier.js';

async function realDomain(directory: DirectoryStore, domain: string, id: string): Promise<AclError | null> {
  if (await directory.getDomain(domain)) return null;
  const target = await directory.resolveDomain(domain);
  if (target) {
    return new AclError(
      'domain-alias',
      `'${id}' names ${domain}, an alias of the domain ${target.name}: an ACL must use the real domain name ${target.name}`,
    );
  }
  return new AclError('unknown-domain', `'${id}' names ${domain}, which is not a domain of this server`);
}

/**
 * The identifier parsed, when it is well formed and names real things; else an AclError saying
 * what is wrong. Names without a domain are looked up in `ownerDomain` (the ACL owner's).
 */
export async function validateAclIdentifier(
  id: string,
  directory: DirectoryStore,
  ownerDomain: string,
): Promise<ParsedIdentifier | AclError> {
  const parsed = parseIdentifier(id);
  if (parsed instanceof AclError) return parsed;
  const domain = identifierDomain(parsed, ownerDomain);
  if (domain === null) return parsed;
  const domainProblem = await realDomain(directory, domain, id);
  if (domainProblem) return domainProblem;
  if (parsed.kind === 'account' && !(await directory.getAccount(domain, parsed.name!))) {
    return new AclError(
      'unknown-account',
      `'${id}': there is no account ${parsed.name}@${domain}; an ACL names real accounts, not aliases or forwarders`,
    );
  }
  if (parsed.kind === 'group') {
    if (!hasGroupStore(directory)) return new AclError('no-groups', `'${id}': this directory store keeps no groups`);
    if (!(await directory.getGroup(domain, parsed.name!))) {
      return new AclError('unknown-group', `'${id}': there is no group ${parsed.name} in ${domain}`);
    }
  }
  return parsed;
}
