-- admit: ARGV = prefix, activity, user, units, limit ('' = unlimited), now, writing lease end.
-- One entry per user (the participants set and the seat), quantity against the limit, and a
-- `WRITING` seat whose lease lets a surviving node reclaim it if this one dies mid-write.
local a, user, units, limit, now, lease = ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5], tonumber(ARGV[6]), ARGV[7]
local s = redis.call('HGET', k_seats(a), user)
if s then
  local f = split(s)
  if f[1] == 'HELD' and tonumber(f[6]) > now then return {'RETRY', f[5], f[6], f[7], f[3]} end
  if f[1] == 'WRITING' then return {'DUP', '1'} end
  return {'DUP', '0'}
end
local used = tonumber(redis.call('HGET', k_meta(a), 'used') or '0')
if limit ~= '' then
  local l = tonumber(limit)
  redis.call('HSET', k_meta(a), 'limit', limit)
  if used + units > l then
    local left = l - used
    if left < 0 then left = 0 end
    redis.call('SET', k_remaining(a), left)
    return {'SOLDOUT', tostring(left)}
  end
else
  redis.call('HDEL', k_meta(a), 'limit')
  redis.call('DEL', k_remaining(a))
end
add_used(a, units)
local order = redis.call('HINCRBY', k_meta(a), 'next_order', 1)
redis.call('SADD', k_participants(a), user)
redis.call('HSET', k_seats(a), user, join({'WRITING', tostring(units), tostring(order), '0', '', '0', '0'}))
redis.call('ZADD', HOLDS, lease, a .. ':' .. user)
return {'OK', tostring(order)}
