export {
  createXmppHandler,
  DEFAULT_MAX_AUTH_FAILURES,
  DEFAULT_MAX_STANZA_POST_AUTH,
  DEFAULT_MAX_STANZA_PRE_AUTH,
  type XmppOptions,
} from './session/handler.js';
export { XmppRouter, defaultRouter, type RoutedSession } from './session/router.js';
export { TokenBucket } from './session/rate-limit.js';
export { saslConditionFor } from './session/sasl-failures.js';
export * from './codec/index.js';
