export { createFileStore, type FileStoreOptions } from './file-store.js';
export { DirectoryError, type DirectoryErrorCode } from './errors.js';
export { canonicalAccount, canonicalDomain, isAccountName, isDomainName } from './names.js';
export { createRedisStore, DEFAULT_DIRECTORY_KEY_PREFIX, type RedisStoreOptions } from './redis-store.js';
export { exportDirectory, importDirectory, type ImportOptions, type TransferResult } from './export-import.js';
export { checkDirectorySpec, FILE_DIRECTORY, isRedisDirectory, openDirectoryStore, type OpenDirectoryOptions } from './open-store.js';
export { createFileMailboxStore, type FileMailboxStoreOptions } from './mailboxes-file.js';
export { createRedisMailboxStore, type RedisMailboxStoreOptions } from './mailboxes-redis.js';
export { openMailboxStore } from './mailboxes-open.js';
