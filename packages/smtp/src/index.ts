export { createSmtpHandler } from './session/handler.js';
export { SmtpSession, type SmtpPhase } from './session/smtp-session.js';
export {
  DEFAULT_MAX_BAD_COMMANDS,
  DEFAULT_MAX_MESSAGE_SIZE,
  DEFAULT_MAX_RECIPIENTS,
  type SmtpOptions,
} from './session/options.js';
export { ehloKeywords, type EhloFacts } from './session/ehlo.js';
export { failureReply } from './session/failure-replies.js';
export { DeliveryError, type Envelope, type MessageSink, type MessageWriter } from './delivery/sink.js';
export { SpoolSink } from './delivery/spool.js';
export { SmarthostSink, type SmarthostOptions } from './delivery/smarthost.js';
export * as codec from './codec/index.js';
