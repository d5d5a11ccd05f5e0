/** The root DSE (RFC 4512 5.1): what the server supports, readable before any bind. */
import { OID, domainDn } from '../codec/index.js';
import { makeEntry, type Entry } from './entries.js';

export const VENDOR_NAME = 'Portcullis';
export const VENDOR_VERSION = '0.1.0';

export interface RootDseFacts {
  /** the domain whose naming context is shown, if any */
  domain: string | undefined;
  saslMechanisms: string[];
  canStartTls: boolean;
}

export function rootDse(facts: RootDseFacts): Entry {
  const extensions = [...(facts.canStartTls ? [OID.startTls] : []), OID.whoAmI];
  const attributes = [
    { type: 'objectClass', values: ['top'] },
    ...(facts.domain ? [{ type: 'namingContexts', values: [domainDn(facts.domain)] }] : []),
    { type: 'supportedLDAPVersion', values: ['3'] },
    ...(facts.saslMechanisms.length > 0 ? [{ type: 'supportedSASLMechanisms', values: facts.saslMechanisms }] : []),
    { type: 'supportedExtension', values: extensions },
    { type: 'vendorName', values: [VENDOR_NAME] },
    { type: 'vendorVersion', values: [VENDOR_VERSION] },
  ];
  return makeEntry('', attributes);
}
