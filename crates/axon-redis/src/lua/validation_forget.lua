-- The eligibility cache, a profile changed: KEYS[1] `validation-of:{user}`, KEYS[2] the
-- generation; ARGV[1] the prefix of the person's keys (`…validation:{user}:`). Moves the
-- generation (so a reader's late store is refused) and drops every cached activity.
redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], 3600000)
local n = 0
for _, a in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  n = n + redis.call('DEL', ARGV[1] .. a)
end
redis.call('DEL', KEYS[1])
return n
