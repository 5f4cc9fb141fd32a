-- seal (recovery, last step): ARGV = prefix, lock token, new generation. Sets the generation
-- marker — admissions resume — only if this node still holds the rebuild lock.
-- (No prelude: the marker is absent by definition.)
local P = ARGV[1]
if redis.call('GET', P .. 'gate:rebuild') ~= ARGV[2] then return {'LOST'} end
redis.call('SET', P .. 'gate:generation', ARGV[3])
redis.call('DEL', P .. 'gate:rebuild')
return {'OK'}
