-- release_failed: ARGV = prefix, activity, user, retry at. The cancellation could not be
-- written: the (expired) hold goes back to the queue for a retry.
local a, user, retry = ARGV[2], ARGV[3], ARGV[4]
local s = redis.call('HGET', k_seats(a), user)
if not s then return {'OK'} end
local f = split(s)
if f[1] ~= 'RELEASING' then return {'OK'} end
f[1], f[5], f[6], f[7] = 'HELD', '', '-9223372036854775808', retry
redis.call('HSET', k_seats(a), user, join(f))
redis.call('ZADD', HOLDS, retry, a .. ':' .. user)
return {'OK'}
