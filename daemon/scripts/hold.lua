-- A conversion whose values came from the request (trust=request) under hold_for_approval: only
-- recorded, for `approve` or `reject`, until a trusted conversion of the same order supersedes it
-- or it expires. It takes no order, uses no limit or cap, counts in no statistic, credits nobody:
-- its ledger entry (`held`) moves nothing. A provider's confirmation that came first goes through
-- the stream again, now that there is a conversion to confirm; its id is derived from this
-- conversion so it is applied once.
local ev = event_header(KEYS, ARGV)
-- order:<site>:<sha256(order)>, held:<site>:<sha256(order)>, held_expiry
local order_key, held_key, held_expiry_key, owner_key = KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local confirmed_key = KEYS[10]  -- confirmed:<site>:<sha256(order)>
local event_id, site, order_id, code, customer = ARGV[7], ARGV[8], ARGV[9], ARGV[10], ARGV[11]
local amount, currency, ts, first_ts = ARGV[12], ARGV[13], ARGV[14], ARGV[15]  -- first_ts "" = none
local open_enrolment, held_ttl = ARGV[16], ARGV[17]  -- held_ttl: ms
-- "1": attributed through the customer's binding; `approve` plans it through the binding again
local bound = ARGV[18]

local conversion = {event = event_id, site = site, order = order_id, code = code,
                    customer = customer, amount = amount, currency = currency, ts = ts}
if event_seen(ev) then
  return {'duplicate'}
end
local settled = redis.call('HGET', order_key, 'id')
if settled then
  return reject_conversion(ev, conversion, 'duplicate_order', settled)
end
local held = held_id(held_key, held_expiry_key)
if held then
  return reject_conversion(ev, conversion, 'already_held', held)
end
if open_enrolment ~= '1' and not lookup(owner_key, code) then
  return reject_conversion(ev, conversion, 'unknown_code', code)
end

local confirmed = redis.call('HGETALL', confirmed_key)
local expires = now_ms() + num(held_ttl)
redis.call('HSET', held_key, 'entry', ev.entry, 'id', event_id, 'type', 'conversion', 'site', site,
           'order', order_id, 'code', code, 'customer', customer, 'amount', amount,
           'currency', currency, 'ts', ts, 'first_ts', first_ts, 'trust', 'request',
           'expires', int(expires))
if bound == '1' then
  redis.call('HSET', held_key, 'bound', '1')
end
redis.call('ZADD', held_expiry_key, int(expires), held_key)
note_held()
ledger_conversion(ev.ledger, 'held', conversion)
daily_count(ev, 'h')
if #confirmed > 0 then
  for i = 1, #confirmed, 2 do
    if confirmed[i] == 'id' then
      confirmed[i + 1] = 'confirmed:' .. event_id
    end
  end
  redis.call('XADD', ev.events, '*', unpack(confirmed))
  redis.call('DEL', confirmed_key)
end
event_done(ev)
return {'held'}
