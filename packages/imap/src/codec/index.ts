export * from './tokenizer.js';
export * from './response.js';
export * from './values.js';
