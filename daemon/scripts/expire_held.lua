-- Drops the conversions held for longer than held_ttl, by Redis's clock, with reason
-- held_expired.
local held_expiry_key, rejected_key, ledger_key = KEYS[1], KEYS[2], KEYS[3]
local rejected_maxlen, batch = ARGV[1], ARGV[2]  -- at most batch held conversions

local expired = redis.call('ZRANGEBYSCORE', held_expiry_key, '-inf', now_ms(), 'LIMIT', 0, batch)
for _, held_key in ipairs(expired) do
  drop_held(ledger_key, rejected_key, rejected_maxlen, held_key, held_expiry_key, 'held_expired',
            '')
end
return #expired
