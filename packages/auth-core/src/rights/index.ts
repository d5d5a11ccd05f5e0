export {
  ACCESS_RIGHTS,
  DOMAIN_RIGHTS,
  MAIN_DOMAIN_RIGHTS,
  grantRefusal,
  isMainDomainRight,
  parseAccessRight,
  type AccessRight,
  type DomainRight,
  type MainDomainRight,
} from './names.js';
export { POSTMASTER, allows, hasAccessRightsStore, hasRight, heldRights, rightsIn } from './check.js';
export { AccessRightError, grantAccessRights, parseAccessRights, revokeAccessRights } from './grants.js';
export { impersonationByRights } from './impersonation-hook.js';
