/** What the server writes: the stream header and the fixed elements of RFC 6120, as strings. */
import { escapeXML, xml, type Element } from '@xmpp/xml';
import { NS } from './namespaces.js';

export type StreamErrorCondition =
  | 'bad-format'
  | 'conflict'
  | 'connection-timeout'
  | 'host-unknown'
  | 'internal-server-error'
  | 'invalid-namespace'
  | 'invalid-xml'
  | 'not-authorized'
  | 'not-well-formed'
  | 'policy-violation'
  | 'reset'
  | 'restricted-xml'
  | 'system-shutdown'
  | 'unsupported-stanza-type'
  | 'unsupported-version';

export type SaslFailureCondition =
  | 'aborted'
  | 'account-disabled'
  | 'credentials-expired'
  | 'encryption-required'
  | 'incorrect-encoding'
  | 'invalid-authzid'
  | 'invalid-mechanism'
  | 'malformed-request'
  | 'mechanism-too-weak'
  | 'not-authorized'
  | 'temporary-auth-failure';

export type StanzaErrorType = 'auth' | 'cancel' | 'continue' | 'modify' | 'wait';

export type StanzaErrorCondition =
  | 'bad-request'
  | 'feature-not-implemented'
  | 'item-not-found'
  | 'jid-malformed'
  | 'not-allowed'
  | 'policy-violation'
  | 'remote-server-not-found'
  | 'service-unavailable';

export interface StreamHeader {
  id: string;
  from: string;
  /** the client's `from`, echoed when it sent one */
  to?: string;
}

export function streamHeader(h: StreamHeader): string {
  const to = h.to !== undefined ? ` to='${escapeXML(h.to)}'` : '';
  return (
    `<?xml version='1.0'?><stream:stream xmlns='${NS.client}' xmlns:stream='${NS.stream}'` +
    ` id='${escapeXML(h.id)}' from='${escapeXML(h.from)}'${to} version='1.0' xml:lang='en'>`
  );
}

export const STREAM_CLOSE = '</stream:stream>';

export function streamFeatures(children: Element[]): string {
  return xml('stream:features', null, ...children).toString();
}

export function streamError(condition: StreamErrorCondition, text?: string): string {
  return xml(
    'stream:error',
    null,
    xml(condition, { xmlns: NS.streamErrors }),
    text ? xml('text', { xmlns: NS.streamErrors, 'xml:lang': 'en' }, text) : null,
  ).toString();
}

/** RFC 6120 6.4.2: data of zero length is sent as a single '=' */
export function saslPayload(data: Buffer): string {
  return data.length === 0 ? '=' : data.toString('base64');
}

export function saslChallenge(data: Buffer): string {
  return xml('challenge', { xmlns: NS.sasl }, saslPayload(data)).toString();
}

export function saslSuccess(data?: Buffer): string {
  return xml('success', { xmlns: NS.sasl }, data ? saslPayload(data) : null).toString();
}

export function saslFailure(condition: SaslFailureCondition, text?: string): string {
  return xml(
    'failure',
    { xmlns: NS.sasl },
    xml(condition),
    text ? xml('text', { 'xml:lang': 'en' }, text) : null,
  ).toString();
}

export function mechanismsFeature(names: readonly string[]): Element {
  return xml('mechanisms', { xmlns: NS.sasl }, ...names.map((n) => xml('mechanism', null, n)));
}

export function starttlsFeature(required: boolean): Element {
  return xml('starttls', { xmlns: NS.tls }, required ? xml('required') : null);
}

/**
 * The error reply to a stanza (RFC 6120 8.3): to and from swapped, the same id, nothing of the
 * original payload (it may be large and is not needed to match the reply).
 */
export function stanzaError(
  stanza: Element,
  condition: StanzaErrorCondition,
  type: StanzaErrorType,
  from: string | undefined,
  to: string | undefined,
): Element {
  return xml(
    stanza.getName(),
    { type: 'error', id: stanza.attrs.id, from, to },
    xml('error', { type }, xml(condition, { xmlns: NS.stanzas })),
  );
}
