-- A registration through a referral link: binds the customer to the code (:referred_by, the
-- first binding wins and is never overwritten; :bound_at keeps its time for customer_window),
-- then pays the programme's [signup] rewards, kept as an order "signup:<customer>" so the
-- payout hold, `approve` and refunds treat them as they treat a conversion's.
local ev = event_header(KEYS, ARGV)
local owner_key, code_of_key, referred_by_key, bound_at_key = KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local stats_key, codes_key = KEYS[10], KEYS[11]
-- limit:signups_ip:<hour> (by ip), limit:signups:<day> (by code), limit:rewards:<month>
local ip_signups_key, code_signups_key, month_rewards_key = KEYS[12], KEYS[13], KEYS[14]
local due_key, currencies_key = KEYS[15], KEYS[16]
-- the balances of the referrer's reward currency and of the friend's; order:<site>:<sha256>
local referrer_balance_key, friend_balance_key, order_key = KEYS[17], KEYS[18], KEYS[19]
local event_id, site, code, customer, ip, source = ARGV[7], ARGV[8], ARGV[9], ARGV[10], ARGV[11],
                                                   ARGV[12]
-- state: pending | approved | awaiting_approval; due: end of the payout hold, 0 = none
local ts, state, due, order_ttl, open_enrolment = ARGV[13], ARGV[14], ARGV[15], ARGV[16], ARGV[17]
-- limits, 0 = none: signups per ip per hour, per referrer per day; rewards per referrer per month
local ip_limit, hour_ttl, code_limit, day_ttl = ARGV[18], ARGV[19], ARGV[20], ARGV[21]
local monthly_cap, month_ttl = ARGV[22], ARGV[23]
local referrer_currency, referrer_reward = ARGV[24], ARGV[25]
local friend_currency, friend_reward, order_id = ARGV[26], ARGV[27], ARGV[28]
local variant = ARGV[29]  -- the code's [[variant]], "" = none

local max_balance = 2^52  -- as in conversion.lua

if event_seen(ev) then
  return {'duplicate'}
end
local owner = lookup(owner_key, code)
if not owner and open_enrolment ~= '1' then
  return reject(ev, 'unknown_code', code)
end
if owner == customer or lookup(code_of_key, customer) == code then
  return reject(ev, 'self_referral', customer)
end
local bound = lookup(referred_by_key, customer)
if bound then
  return reject(ev, 'already_bound', customer .. ' by ' .. bound)
end
if leads_to(referred_by_key, owner_key, customer, owner) then
  return reject(ev, 'referral_cycle', customer)
end
local per_ip, per_code = num(ip_limit), num(code_limit)
if per_ip > 0 and ip ~= '' and counter(ip_signups_key, ip) >= per_ip then
  return reject(ev, 'signup_ip_limit', ip)
end
if per_code > 0 and counter(code_signups_key, code) >= per_code then
  return reject(ev, 'signup_limit', code)
end

local rewards, cuts = {}, {}
local reward, cap = num(referrer_reward), num(monthly_cap)
if cap > 0 and reward > 0 then
  local used = counter(month_rewards_key, referrer_currency .. ':' .. code)
  local room = math.max(cap - used, 0)
  if reward > room then
    cuts[#cuts + 1] = 'code:' .. code .. ' signup ' .. int(reward) .. ' capped to ' .. int(room)
    reward = room
  end
end
if reward > 0 then
  rewards[#rewards + 1] = {account = 'code:' .. code, code = code, currency = referrer_currency,
                           amount = reward, party = 'referrer', level = 1,
                           balance = referrer_balance_key}
end
if num(friend_reward) > 0 then
  rewards[#rewards + 1] = {account = 'customer:' .. customer, currency = friend_currency,
                           amount = num(friend_reward), party = 'friend', level = 0,
                           balance = friend_balance_key}
end
for _, r in ipairs(rewards) do
  local b = redis.call('HMGET', r.balance, r.account .. ':pending', r.account .. ':approved',
                       r.account .. ':paid')
  if num(b[1]) + num(b[2]) + num(b[3]) + r.amount > max_balance then
    return reject(ev, 'balance_limit', r.account .. ' ' .. r.currency)
  end
end

-- Every check passed: from here on only writes.
for _, cut in ipairs(cuts) do
  record_rejection(ev, 'reward_cap', cut)
end
redis.call('HSET', referred_by_key, customer, code)
forget(referred_by_key, customer)
redis.call('HSET', bound_at_key, customer, ts)
if per_ip > 0 and ip ~= '' then
  expire_new(ip_signups_key, hour_ttl, count(ip_signups_key, ip, 1), 1)
end
if per_code > 0 then
  expire_new(code_signups_key, day_ttl, count(code_signups_key, code, 1), 1)
end
-- The set of codes only changes the first time a code's counter moves off zero.
if count(stats_key, 'signups', 1) == 1 then
  redis.call('SADD', codes_key, code)
end
daily_count(ev, 's')
daily_count(ev, 's:c:' .. code)
if source ~= '' then
  daily_count(ev, 's:s:' .. source)
end

if #rewards > 0 then
  -- awaiting_approval rewards wait in pending for `approve` (approve.lua), outside the hold
  local bucket = state == 'approved' and 'approved' or 'pending'
  local fields = {'id', event_id, 'site', site, 'order', order_id, 'code', code,
                  'customer', customer, 'amount', '0', 'currency', referrer_currency, 'ts', ts,
                  'state', state, 'due', due, 'refunded', '0', 'n', #rewards, 'version', '1'}
  pay_rewards(ev, {site = site, order = order_id, code = code, customer = customer,
                    event = event_id, ts = ts, variant = variant, source = source,
                    bucket = bucket, cap = cap, currencies_key = currencies_key,
                    stats_key = stats_key, month_rewards_key = month_rewards_key,
                    month_ttl = month_ttl}, rewards, fields)
  redis.call('HSET', order_key, unpack(fields))
  redis.call('PEXPIRE', order_key, order_ttl)
  if state == 'pending' then
    redis.call('ZADD', due_key, due, order_key)
  end
end
event_done(ev)
return {'applied', #rewards, #cuts}
