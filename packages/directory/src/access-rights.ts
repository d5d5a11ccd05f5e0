import type { DomainAccessRights } from '@portcullis/auth-core';
import { DirectoryError, type DirectoryErrorCode } from './errors.js';
import { canonicalAccount } from './names.js';

/**
 * A domain's access-rights document, checked for shape: account names -> lists of right names.
 * The store keeps names as given; auth-core decides which names mean something. Entries with no
 * rights are dropped so that a revoked account leaves no trace. `code` says whose fault a bad
 * shape is: 'corrupt' for what was read, 'invalid-name' for what a caller asked to write.
 */
export function accessRightsFrom(value: unknown, where: string, code: DirectoryErrorCode = 'corrupt'): DomainAccessRights {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new DirectoryError(code, `${where}: expected a mapping of account names to lists of rights`);
  }
  const out: DomainAccessRights = {};
  for (const [name, rights] of Object.entries(value)) {
    if (canonicalAccount(name) !== name) throw new DirectoryError(code, `${where}: '${name}' is not an account name`);
    if (!Array.isArray(rights) || !rights.every((r): r is string => typeof r === 'string')) {
      throw new DirectoryError(code, `${where}: the rights of ${name} must be a list of names`);
    }
    if (rights.length > 0) out[name] = [...rights];
  }
  return out;
}
