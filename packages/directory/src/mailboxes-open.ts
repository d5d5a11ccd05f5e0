/** The `directory` config value -> the mailbox store beside that directory (files or Redis). */
import type { MailboxStore } from '@portcullis/auth-core';
import type { RedisClientLogger } from '@portcullis/redis-client';
import { createFileMailboxStore } from './mailboxes-file.js';
import { createRedisMailboxStore } from './mailboxes-redis.js';
import { isRedisDirectory } from './open-store.js';

export function openMailboxStore(spec: string, options: { dataDir: string; logger?: RedisClientLogger }): MailboxStore {
  if (!isRedisDirectory(spec)) return createFileMailboxStore(options.dataDir);
  return createRedisMailboxStore(spec, options.logger ? { logger: options.logger } : {});
}
