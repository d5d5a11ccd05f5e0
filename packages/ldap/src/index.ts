export { createLdapHandler } from './session/handler.js';
export { LdapSession } from './session/ldap-session.js';
export {
  DEFAULT_MAX_BAD_REQUESTS,
  DEFAULT_MAX_SASL_ROUNDS,
  DEFAULT_SIZE_LIMIT,
  type AccountDirectory,
  type LdapOptions,
} from './session/options.js';
export { loginNameFromBindName } from './session/bind-name.js';
export { domainForDownLevel, splitDownLevelName, type DownLevelName } from './session/down-level-name.js';
export { failureResultCode } from './session/failure-results.js';
export { matchFilter, type Tri } from './session/filter-match.js';
export { runSearch, selectAttributes } from './session/search.js';
export { rootDse, VENDOR_NAME, VENDOR_VERSION } from './session/root-dse.js';
export { accountEntry, domainEntry, type Entry } from './session/entries.js';
export * as codec from './codec/index.js';
