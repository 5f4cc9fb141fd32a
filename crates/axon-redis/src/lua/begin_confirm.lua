-- begin_confirm: ARGV = prefix, activity, user, now. Of a confirm and an expiry racing for one
-- hold, whichever script runs first wins: `HELD → CONFIRMING` leaves the expiry queue, so no
-- node can claim it while the purchase is written.
local a, user, now = ARGV[2], ARGV[3], tonumber(ARGV[4])
local s = redis.call('HGET', k_seats(a), user)
if not s then return {'UNKNOWN'} end
local f = split(s)
if f[1] == 'HELD' and tonumber(f[7]) > now then
  f[1] = 'CONFIRMING'
  redis.call('HSET', k_seats(a), user, join(f))
  redis.call('ZREM', HOLDS, a .. ':' .. user)
  return {'OK', f[2]}
end
if f[1] == 'FINAL' then return {'FINAL'} end
if f[1] == 'CONFIRMING' then return {'INPROGRESS'} end
if f[1] == 'WRITING' then return {'UNKNOWN'} end
return {'EXPIRED'}
