export * from './types.js';
export { connectUpstream, connectTcp, proxyHeaderFor } from './connect-upstream.js';
export { relaySession, RELAY_LINGER_MS, type RelayPath, type RelaySessionOptions } from './relay-session.js';
export { imapUpstream, imapIdParams, imapQuote, parseCapabilities } from './imap-upstream.js';
export { UpstreamReader, upgradeClientTls, tlsClientOptions, saslPlain } from './upstream-reader.js';
export { popUpstream, xclientAddress } from './pop-upstream.js';
export { smtpUpstream, readSmtpReply, ehloFacts, xtext, type SmtpReply, type EhloFacts } from './smtp-upstream.js';
export {
  cleartextFromSasl,
  CLEARTEXT_MECHANISMS,
  recordCleartext,
  type CleartextLogin,
  type RecordedExchange,
  type SteppedExchange,
} from './cleartext-login.js';
export { askRelay, canTakeOver, relayClientOf, relayConnection, type ClientCredentials } from './session-relay.js';
