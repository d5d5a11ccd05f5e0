export { createFtpHandler } from './session/handler.js';
export { FtpSession, type FtpState } from './session/ftp-session.js';
export {
  DEFAULT_DATA_TIMEOUT_MS,
  DEFAULT_MAX_BAD_COMMANDS,
  DEFAULT_MAX_UPLOAD_BYTES,
  type FtpOptions,
  type FtpPassiveOptions,
} from './session/options.js';
export { PassiveChannel, type PassivePorts, type PassiveChannelOptions } from './data/passive-channel.js';
export { ConfinedStorage, StorageError, type WriteMode } from './storage/confined-storage.js';
export * as codec from './codec/index.js';
