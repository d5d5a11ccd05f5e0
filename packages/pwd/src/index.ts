export { createPwdHandler } from './session/handler.js';
export { PwdSession, type PwdState } from './session/pwd-session.js';
export { DEFAULT_MAX_BAD_COMMANDS, type PwdOptions, type SessionIdLogin } from './session/options.js';
export * as codec from './codec/index.js';
