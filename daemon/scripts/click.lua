-- A click: counted for its code unless the code is unknown or its ip is over the hourly limit.
local ev = event_header(KEYS, ARGV)
local owner_key, stats_key, codes_key, ip_clicks_key = KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local code, ip, source, open_enrolment = ARGV[7], ARGV[8], ARGV[9], ARGV[10]
local clicks_per_ip, hour_ttl = ARGV[11], ARGV[12]  -- per hour (0 = no limit); the key's TTL

if event_seen(ev) then
  return {'duplicate'}
end
if open_enrolment ~= '1' and not lookup(owner_key, code) then
  return reject(ev, 'unknown_code', code)
end
local limit = num(clicks_per_ip)
if limit > 0 and ip ~= '' then
  -- Counts the address's clicks this hour, refused ones too: past the limit is past it.
  local clicks = count(ip_clicks_key, ip, 1)
  expire_new(ip_clicks_key, hour_ttl, clicks, 1)
  if clicks > limit then
    return reject(ev, 'click_limit', ip)
  end
end
-- The set of codes only changes the first time a code's counter moves off zero.
if count(stats_key, 'clicks', 1) == 1 then
  redis.call('SADD', codes_key, code)
end
if source ~= '' then
  count(stats_key, 'src:' .. source, 1)
  daily_count(ev, 'k:s:' .. source)
end
daily_count(ev, 'k')
daily_count(ev, 'k:c:' .. code)
event_done(ev)
return {'applied'}
