-- released: ARGV = prefix, activity, user. The cancellation is durable: the units come back,
-- exactly once (only a RELEASING seat gives them), and the claim leaves the queue.
local a, user = ARGV[2], ARGV[3]
local s = redis.call('HGET', k_seats(a), user)
if not s then return {'NO'} end
local f = split(s)
if f[1] ~= 'RELEASING' then return {'NO'} end
f[1] = 'CANCELLED'
redis.call('HSET', k_seats(a), user, join(f))
redis.call('ZREM', HOLDS, a .. ':' .. user)
redis.call('HINCRBY', k_meta(a), 'held', -tonumber(f[2]))
add_used(a, -tonumber(f[2]))
return {'OK'}
