-- end_confirm: ARGV = prefix, activity, user, '1' (paid) | '0'. Paid → final (off the queue);
-- otherwise the hold goes back to the queue as it was, due at its expiry.
local a, user = ARGV[2], ARGV[3]
local s = redis.call('HGET', k_seats(a), user)
if not s then return {'OK'} end
local f = split(s)
if f[1] ~= 'CONFIRMING' then return {'OK'} end
if ARGV[4] == '1' then
  f[1] = 'FINAL'
  redis.call('HINCRBY', k_meta(a), 'held', -tonumber(f[2]))
  redis.call('ZREM', HOLDS, a .. ':' .. user)
else
  f[1] = 'HELD'
  redis.call('ZADD', HOLDS, f[7], a .. ':' .. user)
end
redis.call('HSET', k_seats(a), user, join(f))
return {'OK'}
