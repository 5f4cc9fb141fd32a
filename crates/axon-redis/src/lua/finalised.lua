-- finalised: ARGV = prefix, activity, user. A claimed seat whose entry the SQL store shows paid
-- (its node died between the purchase's durable write and end_confirm): final, its units stay
-- sold and are no longer held; the claim leaves the queue.
local a, user = ARGV[2], ARGV[3]
local s = redis.call('HGET', k_seats(a), user)
if not s then return {'NO'} end
local f = split(s)
if f[1] ~= 'RELEASING' then return {'NO'} end
f[1] = 'FINAL'
redis.call('HSET', k_seats(a), user, join(f))
redis.call('ZREM', HOLDS, a .. ':' .. user)
redis.call('HINCRBY', k_meta(a), 'held', -tonumber(f[2]))
return {'OK'}
