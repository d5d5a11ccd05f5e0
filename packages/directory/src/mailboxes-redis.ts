/**
 * The Redis store's mailbox documents: the same JSON document as the file store's YAML under
 * `<prefix>{dir}:mailboxes:<domain>:<account>`, and a set of the owners that share something.
 * A write is a compare-and-set script (the document as read must still be there), retried when
 * another instance wrote in between.
 */
import type { AccountMailboxes, MailboxStore } from '@portcullis/auth-core';
import type { RedisClient } from '@portcullis/redis-client';
import { DirectoryError } from './errors.js';
import { applyChange, mailboxesFrom, requireOwner, sharesAnything } from './mailboxes-document.js';
import { DEFAULT_DIRECTORY_KEY_PREFIX } from './redis-store.js';
import { storeConnection, type RedisConnectionOptions } from './redis-connection.js';

export interface RedisMailboxStoreOptions extends RedisConnectionOptions {
  /** the directory's key prefix (default `portcullis:dir:`) */
  keyPrefix?: string;
}

/** How often a write is retried against concurrent writers before it gives up. */
const MAX_ATTEMPTS = 50;

/**
 * KEYS: the document, the set of sharing owners. ARGV: the document as read ('' for none), the new
 * document, '1' when it shares something, the owner. Returns 1 when written, 0 when it changed.
 */
const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1]) or ''
if current ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
if ARGV[3] == '1' then redis.call('SADD', KEYS[2], ARGV[4]) else redis.call('SREM', KEYS[2], ARGV[4]) end
return 1
`;

function parse(text: string | null, key: string): AccountMailboxes {
  if (text === null) return mailboxesFrom(null, key);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new DirectoryError('corrupt', `redis key ${key}: not valid JSON`);
  }
  return mailboxesFrom(value, key);
}

export function createRedisMailboxStore(connection: string | RedisClient, options: RedisMailboxStoreOptions = {}): MailboxStore {
  const { connected, close } = storeConnection(connection, options, 'portcullis-mailboxes', 'mailboxes');
  // the directory's `{dir}` hash tag: a Redis Cluster keeps these keys in the directory's slot
  const base = `${options.keyPrefix ?? DEFAULT_DIRECTORY_KEY_PREFIX}{dir}:`;
  const docKey = (owner: string) => {
    const { domain, account } = requireOwner(owner);
    return `${base}mailboxes:${domain}:${account}`;
  };
  const sharersKey = `${base}mailbox-sharers`;

  return {
    async getMailboxes(owner) {
      const key = docKey(owner);
      return parse(await (await connected()).get(key), key);
    },

    async updateMailboxes(owner, change) {
      const key = docKey(owner);
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const redis = await connected();
        const text = await redis.get(key);
        const current = parse(text, key);
        const { next, result } = applyChange(current, change, key);
        if (next === null || JSON.stringify(next) === JSON.stringify(current)) return result;
        const json = JSON.stringify(next);
        const written = await redis.eval(COMPARE_AND_SET, 2, key, sharersKey, text ?? '', json, sharesAnything(next) ? '1' : '0', owner);
        if (written === 1) return result;
      }
      throw new DirectoryError('unavailable', `${key}: too many concurrent writers`);
    },

    async listSharingOwners() {
      const owners = await (await connected()).smembers(sharersKey);
      return owners.filter((o) => {
        try {
          requireOwner(o);
          return true;
        } catch {
          return false;
        }
      }).sort();
    },

    close,
  };
}
