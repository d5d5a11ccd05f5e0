export {
  HELPER_COMMANDS,
  INTERFACE_VERSION,
  isSaslMethod,
  MAX_LINE_BYTES,
  REPLY_WORDS,
  SASL_METHODS,
  type CommandSpec,
  type HelperCommand,
  type ReplyWord,
  type SaslMethod,
} from './vocabulary.js';
export { decodeArgs, encodeArg, formatRequest, parseHelperLine, UnsendableError, type HelperLine } from './wire.js';
export {
  HelperProcess,
  HelperStoppedError,
  HelperTimeoutError,
  HelperUnavailableError,
  type HelperLogger,
  type HelperProcessOptions,
  type HelperReply,
} from './helper-process.js';
export { ExternalAuthService, DEFAULT_RESTART_PAUSE_MS, DEFAULT_TIMEOUT_SEC, type ExternalAuthServiceOptions, type ExternalAuthSettings } from './service.js';
export { createExternalPasswordChecker, type PasswordVerifier } from './checker.js';
