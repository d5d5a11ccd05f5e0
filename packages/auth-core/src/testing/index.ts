export { MemoryDirectory } from './memory-directory.js';
