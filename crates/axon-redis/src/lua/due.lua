-- due: ARGV = prefix, now, max, lease (ms). Claims what is due atomically — expired holds,
-- writing seats and confirms whose node died (their lease ended), and claims whose claimer died
-- (a RELEASING seat whose lease ended) — each moves to RELEASING and is queued again at
-- now + lease, so exactly one caller settles it, and another one if that caller dies first.
-- Answers activity, user, entryId, units per claimed seat.
local now, max, lease = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local out = {}
local members = redis.call('ZRANGEBYSCORE', HOLDS, '-inf', now, 'LIMIT', 0, max)
for _, m in ipairs(members) do
  local c = string.find(m, ':', 1, true)
  local a, user = string.sub(m, 1, c - 1), string.sub(m, c + 1)
  local s = redis.call('HGET', k_seats(a), user)
  local f = s and split(s)
  if f and (f[1] == 'HELD' or f[1] == 'WRITING' or f[1] == 'CONFIRMING' or f[1] == 'RELEASING') then
    if f[1] == 'WRITING' then
      -- Counted as held from now on, so held + sold stays what it was.
      redis.call('HINCRBY', k_meta(a), 'held', tonumber(f[2]))
    end
    f[1] = 'RELEASING'
    redis.call('HSET', k_seats(a), user, join(f))
    redis.call('ZADD', HOLDS, tonumber(now) + lease, m)
    out[#out + 1] = a
    out[#out + 1] = user
    out[#out + 1] = f[4]
    out[#out + 1] = f[2]
  else
    redis.call('ZREM', HOLDS, m)
  end
end
return out
