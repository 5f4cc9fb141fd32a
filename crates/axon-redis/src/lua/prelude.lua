-- Shared by every gate script (prepended by scripts.rs). ARGV[1] is the key prefix.
-- A seat is one field of the activity's seats hash: state|units|order|entryId|token|resExp|exp.
local P = ARGV[1]
if not redis.call('GET', P .. 'gate:generation') then
  -- Redis lost the gate (restart without persistence, flush, empty replica): nothing is decided
  -- until a node has rebuilt it from the SQL store and set the marker again.
  return {'NOGEN'}
end
local HOLDS = P .. 'gate:holds'
local function k_seats(a) return P .. 'campaign:' .. a .. ':seats' end
local function k_meta(a) return P .. 'campaign:' .. a .. ':meta' end
local function k_remaining(a) return P .. 'campaign:' .. a .. ':remaining' end
local function k_participants(a) return P .. 'campaign:' .. a .. ':participants' end
local function split(s)
  local t, i = {}, 1
  while true do
    local j = string.find(s, '|', i, true)
    if not j then t[#t + 1] = string.sub(s, i); return t end
    t[#t + 1] = string.sub(s, i, j - 1)
    i = j + 1
  end
end
local function join(f) return table.concat(f, '|', 1, 7) end
-- Units held or sold changed by `delta`: the book and the mirror of what is left.
local function add_used(a, delta)
  local used = redis.call('HINCRBY', k_meta(a), 'used', delta)
  local limit = redis.call('HGET', k_meta(a), 'limit')
  if limit then
    local left = tonumber(limit) - used
    if left < 0 then left = 0 end
    redis.call('SET', k_remaining(a), left)
  end
  return used
end
