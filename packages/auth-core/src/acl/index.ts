export { aclFromRecord, aclToRecord, type Acl, type AclEntry, type AclExplanation, type AclExplanationStep, type AclSubject } from './acl.js';
export { AclError, type AclErrorCode } from './errors.js';
export {
  ACL_RIGHTS,
  ALL_ACL_RIGHTS,
  VIRTUAL_ACL_RIGHTS,
  isAclRightLetter,
  normalizeRights,
  parseRightLetters,
  parseRightNames,
  rightNames,
  subtractRights,
  unionRights,
  type AclRightInfo,
  type AclRightLetter,
} from './rights.js';
export {
  GUEST_ACCOUNT,
  identifierDomain,
  isAclDomainName,
  isAclLocalName,
  parseIdentifier,
  type AclIdentifierKind,
  type AclPrefix,
  type ParsedIdentifier,
} from './identifier.js';
export { effectiveRights, explainEffectiveRights, identifierMatches } from './effective.js';
export { existingSpelling, parseRightsChange, removeAclEntry, requireIdentifier, setAclEntry, type RightsChange } from './edit.js';
export { aclSubjectFor, groupsContaining, hasGroupStore, parseGroupMember, type GroupMember } from './groups.js';
export { validateAclIdentifier } from './validate.js';
export { createMemoryGroupStore } from './memory-group-store.js';
