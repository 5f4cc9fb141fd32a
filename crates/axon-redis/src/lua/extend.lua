-- extend: ARGV = prefix, activity, user, approval expiry, now. Prepare: the hold must be live;
-- it is extended to cover the approval token.
local a, user, until_, now = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local s = redis.call('HGET', k_seats(a), user)
if not s then return {'UNKNOWN'} end
local f = split(s)
if f[1] == 'FINAL' then return {'FINAL'} end
if f[1] == 'CONFIRMING' then return {'INPROGRESS'} end
if f[1] ~= 'HELD' or tonumber(f[6]) <= now then return {'EXPIRED'} end
if tonumber(until_) > tonumber(f[7]) then
  f[7] = until_
  redis.call('HSET', k_seats(a), user, join(f))
  redis.call('ZADD', HOLDS, until_, a .. ':' .. user)
end
return {'OK'}
