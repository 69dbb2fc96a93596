-- Approves the rewards of orders whose hold has ended, by Redis's clock.
--   KEYS[1] due, KEYS[2] ledger; ARGV[1] key prefix, ARGV[2] at most this many orders
local now = now_ms()
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, ARGV[2])
for _, order_key in ipairs(due) do
  if redis.call('HGET', order_key, 'state') == 'pending' then
    approve_order(order_key, KEYS[2], ARGV[1], int(now))
  end
  redis.call('ZREM', KEYS[1], order_key)
end
return #due
