export * from './command.js';
export * from './reply.js';
