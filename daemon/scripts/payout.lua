-- Pays out an account's approved balance in every currency.
local ledger_key, balance_keys = KEYS[1], {unpack(KEYS, 2)}  -- balance of currency i
local account, currencies = ARGV[1], {unpack(ARGV, 2)}

local amounts = {}
for i, balance_key in ipairs(balance_keys) do
  amounts[i] = num(redis.call('HGET', balance_key, account .. ':approved'))
end

local paid = {}
for i, balance_key in ipairs(balance_keys) do
  local amount = amounts[i]
  if amount > 0 then
    redis.call('HINCRBY', balance_key, account .. ':approved', int(-amount))
    redis.call('HINCRBY', balance_key, account .. ':paid', int(amount))
    ledger(ledger_key, 'payout', amount, 'approved', 'paid',
           {'account', account, 'currency', currencies[i], 'ts', int(now_ms())})
    paid[#paid + 1] = currencies[i]
    paid[#paid + 1] = int(amount)
  end
end
return paid
