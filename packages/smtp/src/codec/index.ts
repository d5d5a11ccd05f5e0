export * from './command.js';
export * from './path.js';
export * from './reply.js';
export * from './data-decoder.js';
export * from './received.js';
