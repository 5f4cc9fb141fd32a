-- The shared rate limit: GCRA (the algorithm of the embedded `governor` limiter) on Redis's own
-- clock, so every node reads one time. KEYS[1] holds the key's theoretical arrival time in
-- microseconds; ARGV[1] is the rate: requests per second, and the burst allowed at once.
-- Answers 1 (allowed, counted) or 0 (over the limit, not counted).
local rate = tonumber(ARGV[1])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = math.floor(1000000 / rate)
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then
  tat = now
end
if tat - now > interval * (rate - 1) then
  return 0
end
local new = tat + interval
redis.call('SET', KEYS[1], string.format('%d', new), 'PX', math.ceil((new - now) / 1000) + 1)
return 1
