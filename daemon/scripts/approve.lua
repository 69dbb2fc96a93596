-- Releases an order that an earlier version of the daemon credited as pending while it awaited
-- approval (state awaiting_approval): into the payout hold if it has not ended yet, otherwise
-- straight to approved. Conversions held now are only recorded (hold.lua) until approved.
local order_key, due_key, ledger_key = KEYS[1], KEYS[2], KEYS[3]  -- order:<site>:<sha256(order)>
local prefix, hold = ARGV[1], ARGV[2]  -- key prefix; hold (ms)

local state = redis.call('HGET', order_key, 'state')
if not state then
  return {'error', 'no conversion is held for this order'}
end
if state ~= 'awaiting_approval' then
  return {'error', 'order is ' .. state .. ': no conversion is held for it'}
end
local now = now_ms()
local due = num(redis.call('HGET', order_key, 'ts')) + num(hold)
if due > now then
  redis.call('HSET', order_key, 'state', 'pending', 'due', int(due))
  redis.call('HINCRBY', order_key, 'version', '1')
  redis.call('ZADD', due_key, int(due), order_key)
  return {'pending', int(due)}
end
approve_order(order_key, ledger_key, prefix, int(now))
return {'approved'}
