export * from './settings.js';
export * from './ports.js';
export * from './connection.js';
export * from './connection-info.js';
export * from './results.js';
export * from './authenticator.js';
export * from './sasl/mechanism.js';
