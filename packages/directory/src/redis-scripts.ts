/**
 * The Lua scripts behind the Redis store's writes. Each runs atomically in Redis, so a check
 * ("does it exist?", "is this alias taken?") and the write that depends on it cannot be split by
 * another instance's write.
 */

/**
 * Create or update a domain and its entries in the name index.
 * KEYS: domain value, name index (hash: name or alias -> domain), domain set.
 * ARGV: mode ('create' | 'update'), domain name, JSON value, then every name it answers to
 * (its own and its aliases).
 * Returns {'ok'}, {'exists'}, {'not-found'} or {'conflict', name, owner}.
 */
export const WRITE_DOMAIN = `
local mode, name, json = ARGV[1], ARGV[2], ARGV[3]
local exists = redis.call('EXISTS', KEYS[1]) == 1
if mode == 'update' and not exists then return {'not-found'} end
for i = 4, #ARGV do
  local owner = redis.call('HGET', KEYS[2], ARGV[i])
  if owner and owner ~= name then return {'conflict', ARGV[i], owner} end
end
if mode == 'create' and exists then return {'exists'} end
if exists then
  local old = cjson.decode(redis.call('GET', KEYS[1]))
  if type(old) == 'table' and type(old.aliases) == 'table' then
    for _, a in ipairs(old.aliases) do
      if redis.call('HGET', KEYS[2], a) == name then redis.call('HDEL', KEYS[2], a) end
    end
  end
end
redis.call('SET', KEYS[1], json)
for i = 4, #ARGV do redis.call('HSET', KEYS[2], ARGV[i], name) end
redis.call('SADD', KEYS[3], name)
return {'ok'}
`;

/**
 * Create an account when its domain exists and it does not.
 * KEYS: domain value, account value, the domain's account set. ARGV: account name, JSON value.
 * Returns 'ok', 'exists' or 'not-found' (the domain).
 */
export const CREATE_ACCOUNT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 'not-found' end
if not redis.call('SET', KEYS[2], ARGV[2], 'NX') then return 'exists' end
redis.call('SADD', KEYS[3], ARGV[1])
return 'ok'
`;

/**
 * Write a key only while the domain exists, so that a write racing with the domain's deletion
 * cannot leave rights or groups behind for a later domain of the same name.
 * KEYS: domain value, the key. ARGV: 'set' JSON | 'hset' field JSON. Returns 1, or 0 (no domain).
 */
export const WRITE_IF_DOMAIN = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[1] == 'hset' then redis.call('HSET', KEYS[2], ARGV[2], ARGV[3]) else redis.call('SET', KEYS[2], ARGV[2]) end
return 1
`;

/**
 * Delete a domain with its accounts, their mailbox documents, its access rights and groups, and
 * the names (own and aliases) that point at it, in one step: an account created meanwhile cannot
 * survive its domain. Account keys are built from prefixes: every directory key carries the same
 * `{dir}` hash tag, so they all live in the slot of the declared keys.
 * KEYS: domain value, name index, domain set, the domain's account set, access rights, groups,
 * mailbox sharers. ARGV: domain name, account key prefix, mailbox key prefix.
 * Returns 'ok' or 'not-found'.
 */
export const DELETE_DOMAIN = `
local d = ARGV[1]
local json = redis.call('GET', KEYS[1])
if not json then return 'not-found' end
for _, a in ipairs(redis.call('SMEMBERS', KEYS[4])) do
  redis.call('DEL', ARGV[2] .. a, ARGV[3] .. a)
  redis.call('SREM', KEYS[7], a .. '@' .. d)
end
local ok, old = pcall(cjson.decode, json)
if ok and type(old) == 'table' and type(old.aliases) == 'table' then
  for _, a in ipairs(old.aliases) do
    if type(a) == 'string' and redis.call('HGET', KEYS[2], a) == d then redis.call('HDEL', KEYS[2], a) end
  end
end
if redis.call('HGET', KEYS[2], d) == d then redis.call('HDEL', KEYS[2], d) end
redis.call('DEL', KEYS[1], KEYS[4], KEYS[5], KEYS[6])
redis.call('SREM', KEYS[3], d)
return 'ok'
`;

/**
 * Delete an account with its mailbox document.
 * KEYS: account value, the domain's account set, mailbox document, mailbox sharers.
 * ARGV: account name, owner (account@domain). Returns 1, or 0 when there was no account.
 */
export const DELETE_ACCOUNT = `
if redis.call('DEL', KEYS[1]) == 0 then return 0 end
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[3])
redis.call('SREM', KEYS[4], ARGV[2])
return 1
`;
