-- A conversion: checks that need the books (duplicate order, enrolment, self-referral, first
-- purchase, daily limit, monthly cap), then credits every level's referrer and the friend.
-- Reward amounts come computed from the daemon (exact integer arithmetic, floored).
--   KEYS[5] order:<site>:<sha256(order)>, KEYS[6] owner, KEYS[7] code_of, KEYS[8] referred_by,
--   KEYS[9] stats:<code>, KEYS[10] codes, KEYS[11] buyers (kept for first purchase only),
--   KEYS[12] conversions per code today, KEYS[13] rewards per code this month, KEYS[14] due,
--   KEYS[15] currencies,
--   KEYS[16] balance of the referrers' currency, KEYS[17] balance of the friend's currency
--   ARGV[5] event id, ARGV[6] site, ARGV[7] order, ARGV[8] code, ARGV[9] customer,
--   ARGV[10] amount, ARGV[11] currency, ARGV[12] ts, ARGV[13] state, ARGV[14] due (0 = none),
--   ARGV[15] order TTL, ARGV[16] open enrolment, ARGV[17] first purchase only,
--   ARGV[18] conversions per referrer per day (0 = none), ARGV[19] TTL of the day's key,
--   ARGV[20] reward cap per month (0 = none), ARGV[21] TTL of the month's key,
--   ARGV[22] referrers' currency, ARGV[23] friend's currency, ARGV[24] friend's reward,
--   ARGV[25..] referrer's reward at level 1, 2, ...
if event_seen() then
  return {'duplicate'}
end
local order_key = KEYS[5]
local order = redis.call('HMGET', order_key, 'id', 'early_refund', 'version')
-- An applied conversion is remembered by its order, not by a key of its own.
if order[1] == ARGV[5] then
  acknowledge()
  return {'duplicate'}
end
if order[1] then
  return reject('duplicate_order', order[1])
end

local code, customer = ARGV[8], ARGV[9]
local owner = redis.call('HGET', KEYS[6], code)
if not owner and ARGV[16] ~= '1' then
  return reject('unknown_code', code)
end
if customer ~= '' then
  if owner == customer or redis.call('HGET', KEYS[7], customer) == code then
    return reject('self_referral', customer)
  end
  if ARGV[17] == '1' and redis.call('SISMEMBER', KEYS[11], customer) == 1 then
    return reject('not_first_purchase', customer)
  end
end
local daily = num(ARGV[18])
if daily > 0 and num(redis.call('HGET', KEYS[12], code)) >= daily then
  return reject('conversion_limit', code)
end

-- Whether the chain of referrers above `from` (a customer) reaches `customer`: recording
-- such a customer as referred would close a loop.
local function leads_to(customer, from)
  local visited = {}
  while from and not visited[from] do
    if from == customer then
      return true
    end
    visited[from] = true
    local up = redis.call('HGET', KEYS[8], from)
    from = up and redis.call('HGET', KEYS[6], up)
  end
  return false
end

-- Level k's referrer: the code, then the code that referred its owner, and so on; never the
-- buyer, never a code twice.
local codes = {code}
local seen, current_owner = {[code] = true}, owner
for _ = 2, #ARGV - 24 do
  if not current_owner then
    break
  end
  local parent = redis.call('HGET', KEYS[8], current_owner)
  if not parent or seen[parent] then
    break
  end
  current_owner = redis.call('HGET', KEYS[6], parent)
  if current_owner == customer then
    break
  end
  seen[parent] = true
  codes[#codes + 1] = parent
end

local state, ts = ARGV[13], ARGV[12]
local bucket = state == 'approved' and 'approved' or 'pending'
local rewards, capped = {}, 0
local cap, referrer_currency = num(ARGV[20]), ARGV[22]
for level, c in ipairs(codes) do
  local amount = num(ARGV[24 + level])
  if cap > 0 and amount > 0 then
    local used = num(redis.call('HGET', KEYS[13], referrer_currency .. ':' .. c))
    local room = math.max(cap - used, 0)
    if amount > room then
      record_rejection('reward_cap', 'code:' .. c .. ' level ' .. level .. ' ' .. int(amount) ..
                       ' capped to ' .. int(room))
      amount = room
      capped = capped + 1
    end
  end
  if amount > 0 then
    rewards[#rewards + 1] = {account = 'code:' .. c, code = c, currency = referrer_currency,
                             amount = amount, party = 'referrer', level = level, balance = KEYS[16]}
  end
end
local friend = num(ARGV[24])
if friend > 0 and customer ~= '' then
  rewards[#rewards + 1] = {account = 'customer:' .. customer, currency = ARGV[23],
                           amount = friend, party = 'friend', level = 0, balance = KEYS[17]}
end

-- Every check passed: from here on only writes.
if customer ~= '' then
  if ARGV[17] == '1' then
    redis.call('SADD', KEYS[11], customer)
  end
  if redis.call('HEXISTS', KEYS[8], customer) == 0 and not leads_to(customer, owner) then
    redis.call('HSET', KEYS[8], customer, code)
  end
end
if daily > 0 then
  redis.call('HINCRBY', KEYS[12], code, 1)
  expire_new(KEYS[12], ARGV[19])
end
-- Sets of codes and currencies only change the first time a counter moves off zero.
if redis.call('HINCRBY', KEYS[9], 'conversions', 1) == 1 then
  redis.call('SADD', KEYS[10], code)
end
redis.call('HINCRBY', KEYS[9], 'revenue:' .. ARGV[11], ARGV[10])

local early_refund = order[2]
if early_refund then
  redis.call('HDEL', order_key, 'early_refund')
end
local fields = {'id', ARGV[5], 'site', ARGV[6], 'order', ARGV[7], 'code', code,
                'customer', customer, 'amount', ARGV[10], 'currency', ARGV[11], 'ts', ts,
                'state', state, 'due', ARGV[14], 'refunded', '0', 'n', #rewards,
                'version', int(num(order[3]) + 1)}
for i, r in ipairs(rewards) do
  local p = 'r' .. i
  fields[#fields + 1] = p
  fields[#fields + 1] = reward_record(r.account, r.currency, r.amount, r.party, r.level)
  fields[#fields + 1] = p .. ':left'
  fields[#fields + 1] = int(r.amount)
  if redis.call('HINCRBY', r.balance, r.account .. ':' .. bucket, int(r.amount)) == r.amount then
    redis.call('SADD', KEYS[15], r.currency)
  end
  if r.code and cap > 0 then
    redis.call('HINCRBY', KEYS[13], r.currency .. ':' .. r.code, int(r.amount))
    expire_new(KEYS[13], ARGV[21])
  end
  ledger(KEYS[2], 'reward', r.amount, '', bucket, {'account', r.account, 'currency', r.currency,
         'party', r.party, 'level', r.level, 'site', ARGV[6], 'order', ARGV[7], 'code', code,
         'event', ARGV[5], 'ts', ts})
end
redis.call('HSET', order_key, unpack(fields))
redis.call('PEXPIRE', order_key, ARGV[15])
if state == 'pending' then
  redis.call('ZADD', KEYS[14], ARGV[14], order_key)
end
-- A refund that came first goes through the stream again, now that there is something to
-- reverse; its id is derived from this conversion so it is applied once.
if early_refund then
  local refund = {'v', '1', 'type', 'refund', 'id', 'early-refund:' .. ARGV[5], 'ts', ts,
                  'site', ARGV[6], 'order', ARGV[7]}
  if early_refund ~= 'full' then
    refund[#refund + 1] = 'amount'
    refund[#refund + 1] = early_refund
  end
  redis.call('XADD', KEYS[1], '*', unpack(refund))
end
acknowledge()
return {'applied', #rewards, capped}
