-- Releases a conversion held for approval (trust=request): into the payout hold if it has not
-- ended yet, otherwise straight to approved.
--   KEYS[1] order:<site>:<sha256(order)>, KEYS[2] due, KEYS[3] ledger
--   ARGV[1] key prefix, ARGV[2] hold (ms)
local order_key = KEYS[1]
local state = redis.call('HGET', order_key, 'state')
if not state then
  return {'error', 'no such order'}
end
if state ~= 'awaiting_approval' then
  return {'error', 'order is ' .. state .. ', not awaiting approval'}
end
local now = now_ms()
local due = num(redis.call('HGET', order_key, 'ts')) + num(ARGV[2])
if due > now then
  redis.call('HSET', order_key, 'state', 'pending', 'due', int(due))
  redis.call('HINCRBY', order_key, 'version', 1)
  redis.call('ZADD', KEYS[2], int(due), order_key)
  return {'pending', int(due)}
end
approve_order(order_key, KEYS[3], ARGV[1], int(now))
return {'approved'}
