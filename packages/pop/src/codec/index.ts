export * from './command.js';
export * from './base64.js';
export * from './dot-stuffing.js';
export * from './response.js';
