-- Gives a customer a code, optionally under the code that referred them. Re-running the same
-- enrolment is a no-op; anything contradicting the books is refused.
local owner_key, code_of_key, referred_by_key, codes_key = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local customer, code, parent = ARGV[1], ARGV[2], ARGV[3]  -- parent code ("" = none)

local owner = redis.call('HGET', owner_key, code)
if owner and owner ~= customer then
  return {'error', 'code ' .. code .. ' belongs to ' .. owner}
end
local own = redis.call('HGET', code_of_key, customer)
if own and own ~= code then
  return {'error', 'customer ' .. customer .. ' already has code ' .. own}
end
if parent ~= '' then
  local referrer = redis.call('HGET', owner_key, parent)
  if not referrer then
    return {'error', 'parent code ' .. parent .. ' is not enrolled'}
  end
  local known = redis.call('HGET', referred_by_key, customer)
  if known and known ~= parent then
    return {'error', 'customer ' .. customer .. ' was already referred by ' .. known}
  end
  -- The parent's chain must not lead back to this customer.
  local seen = {}
  while referrer and not seen[referrer] do
    if referrer == customer then
      return {'error', 'parent code ' .. parent .. ' would make a referral cycle'}
    end
    seen[referrer] = true
    local up = redis.call('HGET', referred_by_key, referrer)
    referrer = up and redis.call('HGET', owner_key, up)
  end
  redis.call('HSET', referred_by_key, customer, parent)
end
redis.call('HSET', owner_key, code, customer)
redis.call('HSET', code_of_key, customer, code)
redis.call('SADD', codes_key, code)
return {'ok'}
