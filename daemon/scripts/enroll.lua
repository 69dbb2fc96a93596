-- Gives a customer a code, optionally under the code that referred them. Re-running the same
-- enrolment is a no-op; anything contradicting the books is refused.
--   KEYS[1] owner, KEYS[2] code_of, KEYS[3] referred_by, KEYS[4] codes
--   ARGV[1] customer, ARGV[2] code, ARGV[3] parent code ("" = none)
local customer, code, parent = ARGV[1], ARGV[2], ARGV[3]
local owner = redis.call('HGET', KEYS[1], code)
if owner and owner ~= customer then
  return {'error', 'code ' .. code .. ' belongs to ' .. owner}
end
local own = redis.call('HGET', KEYS[2], customer)
if own and own ~= code then
  return {'error', 'customer ' .. customer .. ' already has code ' .. own}
end
if parent ~= '' then
  local referrer = redis.call('HGET', KEYS[1], parent)
  if not referrer then
    return {'error', 'parent code ' .. parent .. ' is not enrolled'}
  end
  local known = redis.call('HGET', KEYS[3], customer)
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
    local up = redis.call('HGET', KEYS[3], referrer)
    referrer = up and redis.call('HGET', KEYS[1], up)
  end
  redis.call('HSET', KEYS[3], customer, parent)
end
redis.call('HSET', KEYS[1], code, customer)
redis.call('HSET', KEYS[2], customer, code)
redis.call('SADD', KEYS[4], code)
return {'ok'}
