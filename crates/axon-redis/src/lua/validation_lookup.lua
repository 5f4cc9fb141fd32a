-- The eligibility cache, read: KEYS[1] `validation:{user}:{activity}`, KEYS[2] the person's
-- generation `validation-gen:{user}`. Answers {1, cached} or {0, generation}.
local v = redis.call('GET', KEYS[1])
if v then
  return {1, v}
end
return {0, redis.call('GET', KEYS[2]) or '0'}
