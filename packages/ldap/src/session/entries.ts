/**
 * The read-only directory a bound client sees: its domain as a `domain` entry and each account
 * of the domain as an inetOrgPerson below it (RFC 4519, RFC 2798).
 */
import { domainDn, escapeDnValue, parseDn, type Rdn } from '../codec/index.js';

export interface EntryAttribute {
  type: string;
  values: string[];
}

export interface Entry {
  dn: string;
  rdns: Rdn[];
  attributes: EntryAttribute[];
}

export function makeEntry(dn: string, attributes: EntryAttribute[]): Entry {
  return { dn, rdns: parseDn(dn) ?? [], attributes };
}

export function domainEntry(domain: string): Entry {
  const first = domain.split('.')[0] ?? domain;
  return makeEntry(domainDn(domain), [
    { type: 'objectClass', values: ['top', 'domain'] },
    { type: 'dc', values: [first] },
  ]);
}

export function accountEntry(name: string, domain: string): Entry {
  const address = `${name}@${domain}`;
  return makeEntry(`uid=${escapeDnValue(name)},${domainDn(domain)}`, [
    { type: 'objectClass', values: ['top', 'person', 'organizationalPerson', 'inetOrgPerson'] },
    { type: 'uid', values: [name] },
    { type: 'mail', values: [address] },
    { type: 'cn', values: [name] },
    { type: 'sn', values: [name] },
  ]);
}

/** attribute types this server knows: a filter on any other evaluates to Undefined (RFC 4511 4.5.1.7) */
export const KNOWN_ATTRIBUTES = new Set([
  'objectclass', 'uid', 'mail', 'cn', 'sn', 'dc',
  'namingcontexts', 'supportedldapversion', 'supportedsaslmechanisms', 'supportedextension',
  'supportedcontrol', 'supportedfeatures', 'vendorname', 'vendorversion',
]);

/** "cn;lang-en" → "cn": options do not change which attribute is meant */
export function baseAttributeName(description: string): string {
  return description.split(';')[0]!.trim().toLowerCase();
}

export function findAttribute(entry: Entry, description: string): EntryAttribute | undefined {
  const name = baseAttributeName(description);
  return entry.attributes.find((a) => a.type.toLowerCase() === name);
}
