/**
 * LDAPMessage (RFC 4511 section 4.1.1) from the bytes of one BER element. Hand-written over the
 * asn1js tree: LDAP's ASN.1 is small, and asn1js's schema matcher does not report which field was
 * wrong. Anything that does not follow RFC 4511 Appendix B throws a BerError.
 */
import {
  BerError,
  TagClass,
  boolean,
  constructed,
  enumerated,
  hasTag,
  integer,
  integerFrom,
  octets,
  parseElement,
  primitive,
  sequence,
  set,
  string,
  utf8String,
  type Element,
} from './ber.js';
import { decodeFilter } from './filter.js';
import {
  APPLICATION_TAG,
  MAX_MESSAGE_ID,
  type Attribute,
  type BindAuthentication,
  type Control,
  type LdapMessage,
  type LdapResult,
  type ProtocolOp,
  type SearchScopeValue,
  type SimpleResponseName,
} from './messages.js';

const APP = TagClass.application;
const CTX = TagClass.context;

export function decodeMessage(bytes: Uint8Array): LdapMessage {
  const parts = sequence(parseElement(bytes), 'LDAPMessage');
  if (parts.length < 2 || parts.length > 3) throw new BerError('LDAPMessage must hold an id, an operation and optional controls');
  const messageId = integer(parts[0], 0, MAX_MESSAGE_ID, 'messageID');
  const protocolOp = decodeOp(parts[1]!);
  const message: LdapMessage = { messageId, protocolOp };
  if (parts[2]) message.controls = decodeControls(parts[2]);
  return message;
}

function decodeControls(el: Element): Control[] {
  return constructed(el, CTX, 0, 'controls').map((c) => {
    const fields = sequence(c, 'control');
    if (fields.length < 1 || fields.length > 3) throw new BerError('control: bad field count');
    const control: Control = { type: string(fields[0], 'controlType'), critical: false };
    let i = 1;
    if (fields[i] && hasTag(fields[i]!, TagClass.universal, 1)) control.critical = boolean(fields[i++], 'criticality');
    if (fields[i]) control.value = octets(fields[i++], 'controlValue');
    if (i !== fields.length) throw new BerError('control: unexpected field');
    return control;
  });
}

const SIMPLE_RESPONSES: Partial<Record<number, SimpleResponseName>> = {
  [APPLICATION_TAG.modifyResponse]: 'modifyResponse',
  [APPLICATION_TAG.addResponse]: 'addResponse',
  [APPLICATION_TAG.delResponse]: 'delResponse',
  [APPLICATION_TAG.modDNResponse]: 'modDNResponse',
  [APPLICATION_TAG.compareResponse]: 'compareResponse',
};

function decodeOp(el: Element): ProtocolOp {
  if (el.idBlock.tagClass !== APP) throw new BerError('protocolOp must be an application-tagged element');
  const n = el.idBlock.tagNumber;
  switch (n) {
    case APPLICATION_TAG.bindRequest:
      return decodeBind(constructed(el, APP, n, 'BindRequest'));
    case APPLICATION_TAG.unbindRequest:
      if (primitive(el, APP, n, 'UnbindRequest').length !== 0) throw new BerError('UnbindRequest must be empty');
      return { op: 'unbindRequest' };
    case APPLICATION_TAG.searchRequest:
      return decodeSearch(constructed(el, APP, n, 'SearchRequest'));
    case APPLICATION_TAG.modifyRequest:
      return { op: 'modifyRequest', object: firstDn(constructed(el, APP, n, 'ModifyRequest'), 'ModifyRequest') };
    case APPLICATION_TAG.addRequest:
      return { op: 'addRequest', entry: firstDn(constructed(el, APP, n, 'AddRequest'), 'AddRequest') };
    case APPLICATION_TAG.delRequest:
      return { op: 'delRequest', entry: utf8String(primitive(el, APP, n, 'DelRequest'), 'DelRequest') };
    case APPLICATION_TAG.modifyDNRequest:
      return { op: 'modifyDNRequest', entry: firstDn(constructed(el, APP, n, 'ModifyDNRequest'), 'ModifyDNRequest') };
    case APPLICATION_TAG.compareRequest:
      return { op: 'compareRequest', entry: firstDn(constructed(el, APP, n, 'CompareRequest'), 'CompareRequest') };
    case APPLICATION_TAG.abandonRequest:
      return {
        op: 'abandonRequest',
        messageId: integerFrom(primitive(el, APP, n, 'AbandonRequest'), 0, MAX_MESSAGE_ID, 'AbandonRequest'),
      };
    case APPLICATION_TAG.extendedRequest:
      return decodeExtendedRequest(constructed(el, APP, n, 'ExtendedRequest'));
    case APPLICATION_TAG.bindResponse:
      return decodeBindResponse(constructed(el, APP, n, 'BindResponse'));
    case APPLICATION_TAG.searchResultEntry:
      return decodeEntry(constructed(el, APP, n, 'SearchResultEntry'));
    case APPLICATION_TAG.searchResultDone: {
      const parts = constructed(el, APP, n, 'SearchResultDone');
      return { op: 'searchResultDone', ...decodeResult(parts, 'SearchResultDone').result };
    }
    case APPLICATION_TAG.extendedResponse:
      return decodeExtendedResponse(constructed(el, APP, n, 'ExtendedResponse'));
    default: {
      const simple = SIMPLE_RESPONSES[n];
      if (!simple) throw new BerError(`unknown protocol operation [APPLICATION ${n}]`);
      const parts = constructed(el, APP, n, simple);
      const { result, rest } = decodeResult(parts, simple);
      if (rest.length > 0) throw new BerError(`${simple}: unexpected field`);
      return { op: simple, ...result };
    }
  }
}

/** the operations we refuse still have to be well formed up to their entry name */
function firstDn(parts: Element[], what: string): string {
  return string(parts[0], `${what} entry`);
}

function decodeBind(parts: Element[]): ProtocolOp {
  if (parts.length !== 3) throw new BerError('BindRequest must hold a version, a name and an authentication');
  const version = integer(parts[0], 1, 127, 'BindRequest version');
  const name = string(parts[1], 'BindRequest name');
  const authEl = parts[2]!;
  let auth: BindAuthentication;
  if (hasTag(authEl, CTX, 0)) {
    auth = { kind: 'simple', password: primitive(authEl, CTX, 0, 'simple password') };
  } else if (hasTag(authEl, CTX, 3)) {
    const sasl = constructed(authEl, CTX, 3, 'SaslCredentials');
    if (sasl.length < 1 || sasl.length > 2) throw new BerError('SaslCredentials must hold a mechanism and optional credentials');
    auth = { kind: 'sasl', mechanism: string(sasl[0], 'SASL mechanism') };
    if (sasl[1]) auth.credentials = octets(sasl[1], 'SASL credentials');
  } else if (authEl.idBlock.tagClass === CTX) {
    auth = { kind: 'other', tag: authEl.idBlock.tagNumber };
  } else {
    throw new BerError('BindRequest: bad authentication choice');
  }
  return { op: 'bindRequest', version, name, auth };
}

function decodeSearch(parts: Element[]): ProtocolOp {
  if (parts.length !== 8) throw new BerError('SearchRequest must hold eight fields');
  return {
    op: 'searchRequest',
    baseObject: string(parts[0], 'baseObject'),
    scope: enumerated(parts[1], 0, 2, 'scope') as SearchScopeValue,
    derefAliases: enumerated(parts[2], 0, 3, 'derefAliases'),
    sizeLimit: integer(parts[3], 0, MAX_MESSAGE_ID, 'sizeLimit'),
    timeLimit: integer(parts[4], 0, MAX_MESSAGE_ID, 'timeLimit'),
    typesOnly: boolean(parts[5], 'typesOnly'),
    filter: decodeFilter(parts[6]),
    attributes: sequence(parts[7], 'attributes').map((a) => string(a, 'attribute selector')),
  };
}

function decodeExtendedRequest(parts: Element[]): ProtocolOp {
  if (parts.length < 1 || parts.length > 2) throw new BerError('ExtendedRequest must hold a name and an optional value');
  const name = utf8String(primitive(parts[0], CTX, 0, 'requestName'), 'requestName');
  const op: ProtocolOp = { op: 'extendedRequest', name };
  if (parts[1]) op.value = primitive(parts[1], CTX, 1, 'requestValue');
  return op;
}

function decodeResult(parts: Element[], what: string): { result: LdapResult; rest: Element[] } {
  if (parts.length < 3) throw new BerError(`${what}: LDAPResult is incomplete`);
  const result: LdapResult = {
    resultCode: enumerated(parts[0], 0, MAX_MESSAGE_ID, `${what} resultCode`),
    matchedDN: string(parts[1], `${what} matchedDN`),
    diagnosticMessage: string(parts[2], `${what} diagnosticMessage`),
  };
  let rest = parts.slice(3);
  // referrals are read past: this server never sends one
  if (rest[0] && hasTag(rest[0], CTX, 3)) rest = rest.slice(1);
  return { result, rest };
}

function decodeBindResponse(parts: Element[]): ProtocolOp {
  const { result, rest } = decodeResult(parts, 'BindResponse');
  const op: ProtocolOp = { op: 'bindResponse', ...result };
  if (rest[0]) op.serverSaslCreds = primitive(rest[0], CTX, 7, 'serverSaslCreds');
  if (rest.length > 1) throw new BerError('BindResponse: unexpected field');
  return op;
}

function decodeExtendedResponse(parts: Element[]): ProtocolOp {
  const { result, rest } = decodeResult(parts, 'ExtendedResponse');
  const op: ProtocolOp = { op: 'extendedResponse', ...result };
  let i = 0;
  if (rest[i] && hasTag(rest[i]!, CTX, 10)) op.name = utf8String(primitive(rest[i++], CTX, 10, 'responseName'), 'responseName');
  if (rest[i]) op.value = primitive(rest[i++], CTX, 11, 'responseValue');
  if (i !== rest.length) throw new BerError('ExtendedResponse: unexpected field');
  return op;
}

function decodeEntry(parts: Element[]): ProtocolOp {
  if (parts.length !== 2) throw new BerError('SearchResultEntry must hold a name and attributes');
  const attributes: Attribute[] = sequence(parts[1], 'attributes').map((a) => {
    const fields = sequence(a, 'attribute');
    if (fields.length !== 2) throw new BerError('attribute must hold a type and values');
    return { type: string(fields[0], 'attribute type'), values: set(fields[1], 'attribute values').map((v) => octets(v, 'value')) };
  });
  return { op: 'searchResultEntry', objectName: string(parts[0], 'objectName'), attributes };
}
