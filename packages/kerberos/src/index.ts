export {
  parseKeytab,
  writeKeytab,
  principalName,
  enctypeName,
  KeytabFormatError,
  type KeytabEntry,
} from './keytab.js';
export {
  keyId,
  toStored,
  fromStored,
  storedKeysOf,
  mergeKeys,
  KERBEROS_KEYS_SETTING,
  type StoredKerberosKey,
} from './stored-keys.js';
export { createGssapiMechanism, withGssapiMechanism, type GssapiMechanismOptions } from './gssapi-mechanism.js';
export { nativeGssAcceptor, nativeGssInitiator, type GssInitiator, type GssAcceptor, type GssContext, type AcceptResult } from './gss-binding.js';
export { parsePrincipal, serviceHost, simpleClientName, type Principal } from './principal.js';
export { ticketServicePrincipal } from './ap-req.js';
export { withTempKeytab } from './keytab-files.js';
export { importKeytab, listKeys, deleteKeys, summarize, type KeySummary } from './domain-keys.js';
export { createSpnegoMechanism, withSpnegoMechanism, SPNEGO_MECHANISM_NAME } from './spnego-mechanism.js';
export { spnegoMechToken, negotiateServicePrincipal } from './spnego.js';
