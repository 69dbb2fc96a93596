-- A refund, planned by the daemon from the order as it read it (reversals need exact integer
-- arithmetic): applied only if the order has not changed since, otherwise {'stale'} and the
-- daemon plans again. Nothing is acknowledged in that case.
--   KEYS[5] order:<site>:<sha256(order)>, KEYS[6] due;
--   mode "reverse" only: KEYS[7] stats:<code>, KEYS[7 + i] balance of reward i's currency
--   ARGV[5] order version read ("" = no order), ARGV[6] mode: early | reverse | complete,
--   ARGV[7] early: the refund to remember ("full" or the amount so far);
--           reverse: the order's refunded total after this refund,
--   ARGV[8] amount of this refund, ARGV[9] ts, ARGV[10] TTL of a remembered refund,
--   ARGV[10 + i] reversal of reward i
if event_seen() then
  return {'duplicate'}
end
local order_key = KEYS[5]
if (redis.call('HGET', order_key, 'version') or '') ~= ARGV[5] then
  return {'stale'}
end
local mode = ARGV[6]
if mode == 'complete' then
  return reject('already_refunded', ARGV[5])
end
if mode == 'early' then
  redis.call('HSET', order_key, 'early_refund', ARGV[7])
  redis.call('HINCRBY', order_key, 'version', 1)
  redis.call('PEXPIRE', order_key, ARGV[10])
  event_done()
  return {'remembered'}
end

local state = redis.call('HGET', order_key, 'state')
local bucket = state == 'approved' and 'approved' or 'pending'
local reversals = 0
for i = 1, #ARGV - 10 do
  local amount = num(ARGV[10 + i])
  if amount > 0 then
    local account, _, fields = reward_fields(order_key, i, ARGV[9])
    redis.call('HINCRBY', KEYS[7 + i], account .. ':' .. bucket, int(-amount))
    redis.call('HINCRBY', order_key, 'r' .. i .. ':left', int(-amount))
    ledger(KEYS[2], 'reversal', amount, bucket, '', fields)
    reversals = reversals + 1
  end
end
redis.call('HSET', order_key, 'refunded', ARGV[7])
redis.call('HINCRBY', order_key, 'version', 1)
if ARGV[7] == redis.call('HGET', order_key, 'amount') then
  redis.call('HSET', order_key, 'state', 'refunded')
  redis.call('ZREM', KEYS[6], order_key)
end
redis.call('HINCRBY', KEYS[7], 'refunds', 1)
redis.call('HINCRBY', KEYS[7], 'refunded:' .. redis.call('HGET', order_key, 'currency'), ARGV[8])
event_done()
return {'applied', reversals}
