export * from './command.js';
export * from './dot-stuffing.js';
export * from './response.js';
