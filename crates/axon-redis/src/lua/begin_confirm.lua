-- begin_confirm: ARGV = prefix, activity, user, now, lease (ms). Of a confirm and an expiry
-- racing for one hold, whichever script runs first wins: `HELD → CONFIRMING` is no longer
-- claimable as an expired hold. The seat stays queued, due at its expiry + the lease: a confirm
-- still in flight then is presumed dead with its node, and the seat is claimed for the sweeper
-- to settle against the SQL store (paid → final, otherwise released).
local a, user, now, lease = ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local s = redis.call('HGET', k_seats(a), user)
if not s then return {'UNKNOWN'} end
local f = split(s)
if f[1] == 'HELD' and tonumber(f[7]) > now then
  f[1] = 'CONFIRMING'
  redis.call('HSET', k_seats(a), user, join(f))
  redis.call('ZADD', HOLDS, tonumber(f[7]) + lease, a .. ':' .. user)
  return {'OK', f[2]}
end
if f[1] == 'FINAL' then return {'FINAL'} end
if f[1] == 'CONFIRMING' then return {'INPROGRESS'} end
if f[1] == 'WRITING' then return {'UNKNOWN'} end
return {'EXPIRED'}
