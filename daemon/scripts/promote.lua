-- Approves the rewards of orders whose hold has ended, by Redis's clock.
local due_key, ledger_key = KEYS[1], KEYS[2]
local prefix, batch = ARGV[1], ARGV[2]  -- key prefix; at most this many orders

local now = now_ms()
local due = redis.call('ZRANGEBYSCORE', due_key, '-inf', now, 'LIMIT', 0, batch)
for _, order_key in ipairs(due) do
  if redis.call('HGET', order_key, 'state') == 'pending' then
    approve_order(order_key, ledger_key, prefix, int(now))
  end
  redis.call('ZREM', due_key, order_key)
end
return #due
