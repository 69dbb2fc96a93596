-- Pays out an account's approved balance in every currency.
--   KEYS[1] ledger, KEYS[1 + i] balance of currency i; ARGV[1] account, ARGV[1 + i] currency i
local account = ARGV[1]
local paid = {}
for i = 2, #KEYS do
  local amount = num(redis.call('HGET', KEYS[i], account .. ':approved'))
  if amount > 0 then
    redis.call('HINCRBY', KEYS[i], account .. ':approved', int(-amount))
    redis.call('HINCRBY', KEYS[i], account .. ':paid', int(amount))
    ledger(KEYS[1], 'payout', amount, 'approved', 'paid',
           {'account', account, 'currency', ARGV[i], 'ts', int(now_ms())})
    paid[#paid + 1] = ARGV[i]
    paid[#paid + 1] = int(amount)
  end
end
return paid
