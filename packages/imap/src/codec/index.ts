export * from './tokenizer.js';
export * from './response.js';
export * from './base64.js';
export * from './values.js';
