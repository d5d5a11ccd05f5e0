/**
 * The LDAPv3 messages (RFC 4511 section 4) as plain data. Strings that are LDAPString/LDAPDN on the
 * wire are JavaScript strings (UTF-8); values that may be binary (passwords, SASL credentials,
 * attribute values) are Buffers.
 */
import type { Filter } from './filter.js';

export interface Control {
  type: string;
  critical: boolean;
  value?: Buffer;
}

export type BindAuthentication =
  | { kind: 'simple'; password: Buffer }
  /** credentials undefined: the client sent none (not the same as an empty one) */
  | { kind: 'sasl'; mechanism: string; credentials?: Buffer }
  /** a context tag this server does not know (1 and 2 were Kerberos v4): authMethodNotSupported */
  | { kind: 'other'; tag: number };

export interface BindRequest {
  op: 'bindRequest';
  version: number;
  name: string;
  auth: BindAuthentication;
}

export interface UnbindRequest {
  op: 'unbindRequest';
}

export const SearchScope = { base: 0, one: 1, sub: 2 } as const;
export type SearchScopeValue = (typeof SearchScope)[keyof typeof SearchScope];

export interface SearchRequest {
  op: 'searchRequest';
  baseObject: string;
  scope: SearchScopeValue;
  derefAliases: number;
  sizeLimit: number;
  timeLimit: number;
  typesOnly: boolean;
  filter: Filter;
  attributes: string[];
}

export interface ModifyRequest {
  op: 'modifyRequest';
  object: string;
}

export interface AddRequest {
  op: 'addRequest';
  entry: string;
}

export interface DelRequest {
  op: 'delRequest';
  entry: string;
}

export interface ModifyDNRequest {
  op: 'modifyDNRequest';
  entry: string;
}

export interface CompareRequest {
  op: 'compareRequest';
  entry: string;
}

export interface AbandonRequest {
  op: 'abandonRequest';
  messageId: number;
}

export interface ExtendedRequest {
  op: 'extendedRequest';
  name: string;
  value?: Buffer;
}

export type RequestOp =
  | BindRequest
  | UnbindRequest
  | SearchRequest
  | ModifyRequest
  | AddRequest
  | DelRequest
  | ModifyDNRequest
  | CompareRequest
  | AbandonRequest
  | ExtendedRequest;

/** The LDAPResult components every response carries. */
export interface LdapResult {
  resultCode: number;
  matchedDN: string;
  diagnosticMessage: string;
}

export interface BindResponse extends LdapResult {
  op: 'bindResponse';
  serverSaslCreds?: Buffer;
}

export interface Attribute {
  type: string;
  values: Buffer[];
}

export interface SearchResultEntry {
  op: 'searchResultEntry';
  objectName: string;
  attributes: Attribute[];
}

export interface SearchResultDone extends LdapResult {
  op: 'searchResultDone';
}

/** the responses that are only an LDAPResult */
export type SimpleResponseName =
  | 'modifyResponse'
  | 'addResponse'
  | 'delResponse'
  | 'modDNResponse'
  | 'compareResponse';

export interface SimpleResponse extends LdapResult {
  op: SimpleResponseName;
}

export interface ExtendedResponse extends LdapResult {
  op: 'extendedResponse';
  name?: string;
  value?: Buffer;
}

export type ResponseOp = BindResponse | SearchResultEntry | SearchResultDone | SimpleResponse | ExtendedResponse;

export type ProtocolOp = RequestOp | ResponseOp;

export interface LdapMessage<Op extends ProtocolOp = ProtocolOp> {
  messageId: number;
  protocolOp: Op;
  controls?: Control[];
}

/** [APPLICATION n] numbers of the protocol operations (RFC 4511 Appendix B). */
export const APPLICATION_TAG = {
  bindRequest: 0,
  bindResponse: 1,
  unbindRequest: 2,
  searchRequest: 3,
  searchResultEntry: 4,
  searchResultDone: 5,
  modifyRequest: 6,
  modifyResponse: 7,
  addRequest: 8,
  addResponse: 9,
  delRequest: 10,
  delResponse: 11,
  modifyDNRequest: 12,
  modDNResponse: 13,
  compareRequest: 14,
  compareResponse: 15,
  abandonRequest: 16,
  extendedRequest: 23,
  extendedResponse: 24,
} as const satisfies Record<ProtocolOp['op'], number>;

export const MAX_MESSAGE_ID = 2 ** 31 - 1;

export function isRequest(op: ProtocolOp): op is RequestOp {
  return op.op.endsWith('Request');
}
