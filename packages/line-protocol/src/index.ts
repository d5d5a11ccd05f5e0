export * from './command-line.js';
export * from './sasl-dialog.js';
