-- A verified message from a payment provider or shop becomes one event on the stream, once per
-- message id however often it is delivered. Refunds that Stripe reports as a running total
-- become the difference to the total seen so far; a total not above it (a late or repeated
-- report) adds nothing.
-- hooked:<message id>; refunded: the payment's refunded total so far, link: payment → order
-- (each the hooked key again when the message has none, so every key stays in one slot)
local events_key, hooked_key, refunded_key, link_key = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
-- ttl: of the hooked key; link_ttl: of the link and the refunded total; link_value "" = none;
-- refunded_total "" = not a running total
local ttl, link_ttl, link_value, refunded_total = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local fields = {unpack(ARGV, 5)}

if redis.call('EXISTS', hooked_key) == 1 then
  return {'duplicate'}
end
if refunded_total ~= '' then
  local before = num(redis.call('GET', refunded_key))
  local total = num(refunded_total)
  if total <= before then
    redis.call('SET', hooked_key, '1', 'PX', ttl)
    return {'ignored', 'refunded total ' .. refunded_total .. ' not above ' .. int(before)}
  end
  redis.call('SET', refunded_key, int(total), 'PX', link_ttl)
  fields[#fields + 1] = 'amount'
  fields[#fields + 1] = int(total - before)
end
if link_value ~= '' then
  redis.call('SET', link_key, link_value, 'PX', link_ttl)
end
redis.call('SET', hooked_key, '1', 'PX', ttl)
return {'queued', redis.call('XADD', events_key, '*', unpack(fields))}
