-- A click: counted for its code unless the code is unknown or its ip is over the hourly limit.
--   KEYS[5] owner, KEYS[6] stats:<code>, KEYS[7] codes, KEYS[8] clicks per ip this hour
--   ARGV[5] code, ARGV[6] ip, ARGV[7] utm source, ARGV[8] open enrolment (0|1),
--   ARGV[9] clicks per ip per hour (0 = no limit), ARGV[10] TTL of the hour's key (ms)
if event_seen() then
  return {'duplicate'}
end
local code, ip, source = ARGV[5], ARGV[6], ARGV[7]
if ARGV[8] ~= '1' and redis.call('HEXISTS', KEYS[5], code) == 0 then
  return reject('unknown_code', code)
end
local limit = num(ARGV[9])
if limit > 0 and ip ~= '' then
  if num(redis.call('HGET', KEYS[8], ip)) >= limit then
    return reject('click_limit', ip)
  end
  redis.call('HINCRBY', KEYS[8], ip, 1)
  expire_new(KEYS[8], ARGV[10])
end
redis.call('HINCRBY', KEYS[6], 'clicks', 1)
if source ~= '' then
  redis.call('HINCRBY', KEYS[6], 'src:' .. source, 1)
end
redis.call('SADD', KEYS[7], code)
event_done()
return {'applied'}
