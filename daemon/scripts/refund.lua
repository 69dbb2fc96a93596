-- A refund, planned by the daemon from the order as it read it (reversals need exact integer
-- arithmetic): applied only if the order has not changed since, otherwise {'stale'} and the
-- daemon plans again. Nothing is acknowledged in that case.
local ev = event_header(KEYS, ARGV)
-- order:<site>:<sha256(order)>, due; mode "reverse" only: stats:<code>, and the balance of each
-- reward's currency
local order_key, due_key, stats_key, balance_keys = KEYS[6], KEYS[7], KEYS[8], {unpack(KEYS, 9)}
-- version: the order's as read ("" = no order); mode: early | reverse | complete; total: early:
-- the refund to remember ("full" or the amount so far), reverse: the order's refunded total
-- after this refund; amount: this refund's; reversals: of each reward
local version, mode, total = ARGV[7], ARGV[8], ARGV[9]
local amount, ts, remember_ttl = ARGV[10], ARGV[11], ARGV[12]
local reversals = {unpack(ARGV, 13)}

if event_seen(ev) then
  return {'duplicate'}
end
if (redis.call('HGET', order_key, 'version') or '') ~= version then
  return {'stale'}
end
if mode == 'complete' then
  return reject(ev, 'already_refunded', version)
end
if mode == 'early' then
  redis.call('HSET', order_key, 'early_refund', total)
  redis.call('HINCRBY', order_key, 'version', '1')
  redis.call('PEXPIRE', order_key, remember_ttl)
  event_done(ev)
  return {'remembered'}
end

local order = redis.call('HMGET', order_key, 'state', 'amount', 'currency')
local bucket = order[1] == 'approved' and 'approved' or 'pending'
local moves = {}
for i, reversal in ipairs(reversals) do
  local n = num(reversal)
  if n > 0 then
    local account, currency, fields = reward_fields(order_key, i, ts)
    moves[#moves + 1] = {i = i, n = n, account = account, currency = currency, fields = fields}
  end
end

-- Everything is read: from here on only writes.
for _, m in ipairs(moves) do
  redis.call('HINCRBY', balance_keys[m.i], m.account .. ':' .. bucket, int(-m.n))
  redis.call('HINCRBY', order_key, 'r' .. m.i .. ':left', int(-m.n))
  ledger(ev.ledger, 'reversal', m.n, bucket, '', m.fields)
  redis.call('HINCRBY', stats_key, 'cost:' .. m.currency, int(-m.n))
end
redis.call('HSET', order_key, 'refunded', total)
redis.call('HINCRBY', order_key, 'version', '1')
if total == order[2] then
  redis.call('HSET', order_key, 'state', 'refunded')
  redis.call('ZREM', due_key, order_key)
end
redis.call('HINCRBY', stats_key, 'refunds', '1')
add_statistic(stats_key, 'refunded:' .. order[3], num(amount))
daily_count(ev, 'f')
daily_amount(ev, 'f:' .. order[3], num(amount))
event_done(ev)
return {'applied', #moves}
