-- abort: ARGV = prefix, activity, user. The seat's write failed: forget it, give units back.
local a, user = ARGV[2], ARGV[3]
local s = redis.call('HGET', k_seats(a), user)
if not s then return {'OK'} end
local f = split(s)
if f[1] ~= 'WRITING' then return {'OK'} end
redis.call('HDEL', k_seats(a), user)
redis.call('SREM', k_participants(a), user)
redis.call('ZREM', HOLDS, a .. ':' .. user)
add_used(a, -tonumber(f[2]))
return {'OK'}
