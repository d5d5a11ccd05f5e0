/**
 * The `directory` config value -> a store: `files` (the default) is the file store in the data
 * folder, a Redis URL (redis://, rediss://, redis+sentinel://, redis+cluster://) the Redis store.
 */
import type { AccessRightsStore, DirectoryStore } from '@portcullis/auth-core';
import { describeRedisUrl, isRedisUrl, type RedisClientLogger } from '@portcullis/redis-client';
import { createFileStore } from './file-store.js';
import { createRedisStore } from './redis-store.js';

export const FILE_DIRECTORY = 'files';

export interface OpenDirectoryOptions {
  /** the file store's folder (used when the spec is `files`) */
  dataDir: string;
  /** connection errors of a Redis directory go here (never with a password) */
  logger?: RedisClientLogger;
}

/** Null when `spec` names a directory; otherwise why not (a message without the password). */
export function checkDirectorySpec(spec: string): string | null {
  if (spec === FILE_DIRECTORY) return null;
  if (!isRedisUrl(spec)) return `expected '${FILE_DIRECTORY}' or a Redis URL (redis://, rediss://, redis+sentinel://, redis+cluster://)`;
  try {
    describeRedisUrl(spec);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

export function isRedisDirectory(spec: string): boolean {
  return spec !== FILE_DIRECTORY && isRedisUrl(spec);
}

export function openDirectoryStore(spec: string, options: OpenDirectoryOptions): DirectoryStore & AccessRightsStore {
  if (!isRedisDirectory(spec)) return createFileStore(options.dataDir);
  return createRedisStore(spec, options.logger ? { logger: options.logger } : {});
}
