export { createPopHandler } from './session/handler.js';
export { PopSession, type PopState } from './session/pop-session.js';
export { DEFAULT_MAX_BAD_COMMANDS, type PopOptions } from './session/options.js';
export { capabilityLines, IMPLEMENTATION, type CapabilityFacts } from './session/capabilities.js';
export { failureReply } from './session/failure-replies.js';
export * as codec from './codec/index.js';
