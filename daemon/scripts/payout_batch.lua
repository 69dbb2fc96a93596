-- Pays one payee of a payout batch: each currency whose approved balance reaches the batch's
-- minimum moves to paid, with a ledger entry carrying the batch id, and the batch records what
-- it paid and to whom. A payee the batch already holds is left alone, so running the batch again
-- completes it without paying anyone twice.
local ledger_key, batch_key, payee_key, balance_keys = KEYS[1], KEYS[2], KEYS[3], {unpack(KEYS, 4)}
local batch, code, minimums = ARGV[1], ARGV[2], {unpack(ARGV, 3)}  -- "<currency> <minor units>"

if redis.call('HEXISTS', batch_key, 'paid:' .. code) == 1 then
  return {'done'}
end
-- Read before any write: Redis keeps what a script wrote before an error. The payee's details
-- are kept as they were when paid, so the batch's file never changes.
local payee = redis.call('HMGET', payee_key, 'customer', 'email', 'payout_id')
local account = 'code:' .. code
local ts = int(now_ms())
local paid = {}
for i, balance_key in ipairs(balance_keys) do
  local currency, minimum = minimums[i]:match('(%S+) (%S+)')
  local amount = num(redis.call('HGET', balance_key, account .. ':approved'))
  if amount > 0 and amount >= tonumber(minimum) then
    redis.call('HINCRBY', balance_key, account .. ':approved', int(-amount))
    redis.call('HINCRBY', balance_key, account .. ':paid', int(amount))
    ledger(ledger_key, 'payout', amount, 'approved', 'paid',
           {'account', account, 'currency', currency, 'batch', batch, 'ts', ts})
    paid[#paid + 1] = currency .. ' ' .. int(amount)
  end
end
if #paid == 0 then
  return {'nothing'}
end
redis.call('HSET', batch_key, 'paid:' .. code, table.concat(paid, ' '),
           'customer:' .. code, payee[1] or '', 'email:' .. code, payee[2] or '',
           'payout_id:' .. code, payee[3] or '')
return {'paid'}
