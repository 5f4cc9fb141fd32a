-- committed: ARGV = prefix, activity, user, entryId, 'HELD'|'FINAL', token, resExp, exp.
local a, user = ARGV[2], ARGV[3]
local s = redis.call('HGET', k_seats(a), user)
if not s then return {'MISSING'} end
local f = split(s)
if f[1] ~= 'WRITING' then return {'STALE', f[1]} end
local member = a .. ':' .. user
redis.call('ZREM', HOLDS, member)
f[1], f[4] = ARGV[5], ARGV[4]
if ARGV[5] == 'HELD' then
  f[5], f[6], f[7] = ARGV[6], ARGV[7], ARGV[8]
  redis.call('ZADD', HOLDS, ARGV[8], member)
  redis.call('HINCRBY', k_meta(a), 'held', tonumber(f[2]))
end
redis.call('HSET', k_seats(a), user, join(f))
return {'OK'}
