-- The eligibility cache, write after a miss: KEYS[1] `validation:{user}:{activity}`, KEYS[2]
-- the person's set of cached activities `validation-of:{user}`, KEYS[3] the generation.
-- ARGV: the generation of the miss, the value, the TTL in ms, the activity id. Stores nothing
-- (answers 0) when the person was forgotten since the miss.
if (redis.call('GET', KEYS[3]) or '0') ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('SADD', KEYS[2], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 1
