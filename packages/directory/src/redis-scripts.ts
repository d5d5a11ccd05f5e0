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
