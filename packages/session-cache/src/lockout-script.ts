/**
 * One failed login in one round trip. KEYS[1] the counter, KEYS[2] the lock;
 * ARGV[1] the limit (0: never lock), ARGV[2] the period in milliseconds.
 *
 * The counter's window opens at the first failure. Reaching the limit sets the lock for the
 * period and stretches the counter to the same end, so both go together; failures while
 * locked are counted but do not extend the lock. Every key written has a TTL (a counter found
 * without one, which only a foreign writer could cause, gets the period).
 * Returns { count, locked (0/1) }.
 */
export const RECORD_FAILURE_LUA = `
local limit = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local count = redis.call('INCR', KEYS[1])
if count == 1 or redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], period)
end
if redis.call('EXISTS', KEYS[2]) == 1 then
  return {count, 1}
end
if limit > 0 and count >= limit then
  redis.call('SET', KEYS[2], '1', 'PX', period)
  redis.call('PEXPIRE', KEYS[1], period)
  return {count, 1}
end
return {count, 0}
`;
