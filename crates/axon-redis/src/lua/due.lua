-- due: ARGV = prefix, now, max. Claims expired holds (and writing leases of nodes that died
-- mid-write) atomically: each moves to RELEASING and leaves the queue, so exactly one caller
-- releases it. Answers activity, user, entryId, units per claimed seat.
local now, max = ARGV[2], tonumber(ARGV[3])
local out = {}
local members = redis.call('ZRANGEBYSCORE', HOLDS, '-inf', now, 'LIMIT', 0, max)
for _, m in ipairs(members) do
  redis.call('ZREM', HOLDS, m)
  local c = string.find(m, ':', 1, true)
  local a, user = string.sub(m, 1, c - 1), string.sub(m, c + 1)
  local s = redis.call('HGET', k_seats(a), user)
  if s then
    local f = split(s)
    if f[1] == 'HELD' or f[1] == 'WRITING' then
      if f[1] == 'WRITING' then
        -- Counted as held from now on, so held + sold stays what it was.
        redis.call('HINCRBY', k_meta(a), 'held', tonumber(f[2]))
      end
      f[1] = 'RELEASING'
      redis.call('HSET', k_seats(a), user, join(f))
      out[#out + 1] = a
      out[#out + 1] = user
      out[#out + 1] = f[4]
      out[#out + 1] = f[2]
    end
  end
end
return out
