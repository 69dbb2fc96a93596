-- `reject`, or an `approve` the programme refuses: the conversion held for an order leaves the
-- books, recorded in :rejected and the ledger with the reason.
local held_key, held_expiry_key, rejected_key, ledger_key = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
-- id: the held event's, as the command read it; reason and detail for :rejected
local id, reason, detail, rejected_maxlen = ARGV[1], ARGV[2], ARGV[3], ARGV[4]

if redis.call('HGET', held_key, 'id') ~= id then
  return {'error', 'no conversion is held for this order'}
end
drop_held(ledger_key, rejected_key, rejected_maxlen, held_key, held_expiry_key, reason, detail)
return {'ok'}
