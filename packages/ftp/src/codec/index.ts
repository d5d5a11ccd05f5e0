export * from './command.js';
export * from './reply.js';
export * from './virtual-path.js';
export * from './listing.js';
