export * from './namespaces.js';
export * from './restricted-scanner.js';
export * from './stream-parser.js';
export * from './serialize.js';
export * from './jid.js';
