export { createFileStore, type FileStoreOptions } from './file-store.js';
export { DirectoryError, type DirectoryErrorCode } from './errors.js';
export { canonicalAccount, canonicalDomain, isAccountName, isDomainName } from './names.js';
