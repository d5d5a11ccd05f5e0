/**
 * The Redis key layout: `<prefix><kind>:<key>`. The two keys of one account's lockout share a
 * hash tag (`{...}`), so Redis Cluster keeps them in one slot and the lockout script, which
 * touches both, stays legal there.
 */
export const DEFAULT_KEY_PREFIX = 'portcullis:';

export interface KeyLayout {
  lockoutCount(key: string): string;
  lockoutLock(key: string): string;
  nonce(nonce: string): string;
  session(id: string): string;
  /** the set of an account's session IDs (for listing them) */
  accountSessions(account: string): string;
}

export function keyLayout(prefix = DEFAULT_KEY_PREFIX): KeyLayout {
  // a brace in the prefix would become the hash tag and put every key in one slot
  if (/[{}]/.test(prefix)) throw new Error('the Redis key prefix must not contain { or }');
  return {
    lockoutCount: (key) => `${prefix}lockout:{${tag(key)}}:count`,
    lockoutLock: (key) => `${prefix}lockout:{${tag(key)}}:lock`,
    nonce: (nonce) => `${prefix}nonce:${nonce}`,
    session: (id) => `${prefix}session:${id}`,
    accountSessions: (account) => `${prefix}account-sessions:${account.toLowerCase()}`,
  };
}

/**
 * The account key as it goes inside a hash tag: braces escaped so that a key such as "}x"
 * cannot end the tag early (an empty tag would make Redis hash the whole name again).
 */
function tag(key: string): string {
  return key.replace(/[%{}]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
