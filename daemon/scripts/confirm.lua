-- A provider's confirmation of an order with nothing yet to confirm: no conversion of the order
-- is held or settled. It is kept until the visitor's conversion comes (hold.lua sends it through
-- the stream again then) or for held_ttl.
local ev = event_header(KEYS, ARGV)
local confirmed_key, ttl = KEYS[6], ARGV[7]  -- confirmed:<site>:<sha256(order)>; ttl: ms
local fields = {unpack(ARGV, 8)}  -- the confirmation's event fields

if event_seen(ev) then
  return {'duplicate'}
end
redis.call('DEL', confirmed_key)
redis.call('HSET', confirmed_key, unpack(fields))
redis.call('PEXPIRE', confirmed_key, ttl)
event_done(ev)
return {'remembered'}
