-- A conversion: checks that need the books (duplicate order, enrolment, self-referral, first
-- purchase, daily limit, room in the balances), then credits every level's referrer and the
-- friend, within the monthly cap. Reward amounts come computed from the daemon (exact integer
-- arithmetic, floored). Settling an order supersedes a conversion held for it; `approve` and a
-- provider's confirmation apply a held conversion through this script too, as if it had been
-- trusted, and so do renewals of a referred customer's subscription.
local ev = event_header(KEYS, ARGV)
local order_key, owner_key, code_of_key, referred_by_key = KEYS[6], KEYS[7], KEYS[8], KEYS[9]
-- buyers: kept for first purchase only; day_conversions and month_rewards: per code
local stats_key, codes_key, buyers_key, day_conversions_key = KEYS[10], KEYS[11], KEYS[12], KEYS[13]
local month_rewards_key, due_key, currencies_key = KEYS[14], KEYS[15], KEYS[16]
-- the balances of the referrers' currency and of the friend's
local referrer_balance_key, friend_balance_key = KEYS[17], KEYS[18]
local held_key, held_expiry_key = KEYS[19], KEYS[20]  -- held:<site>:<sha256(order)>, held_expiry
local first_conversion_key = KEYS[21]  -- customer → "<code> <ts>" of their first conversion
local event_id, site, order_id, code, customer = ARGV[7], ARGV[8], ARGV[9], ARGV[10], ARGV[11]
-- state: pending | approved; due: end of the payout hold, 0 = none
local amount, currency, ts, state, due = ARGV[12], ARGV[13], ARGV[14], ARGV[15], ARGV[16]
local order_ttl, open_enrolment, first_purchase_only = ARGV[17], ARGV[18], ARGV[19]
-- limits, 0 = none: conversions per referrer per day, rewards per referrer per month
local daily_limit, day_ttl, monthly_cap, month_ttl = ARGV[20], ARGV[21], ARGV[22], ARGV[23]
local referrer_currency, friend_currency, friend_reward = ARGV[24], ARGV[25], ARGV[26]
local approval = ARGV[27]  -- "1": `approve` of the conversion held for this order, event_id
-- renewal "1": a subscription's payment, not a purchase that refers anybody; alias: the payment
-- provider's id of the same customer ("" = none), remembered for its renewals
local renewal, alias = ARGV[28], ARGV[29]
local source = ARGV[30]  -- utm_source, "" = none
-- "1": attributed through the customer's binding under pay_on = first_purchase
local bound_first_purchase = ARGV[31]
local variant = ARGV[32]  -- the code's [[variant]], "" = none
local referrer_rewards = {unpack(ARGV, 33)}  -- level 1, 2, ...

-- An account's buckets together stay within 2^52 minor units: every balance and payout, and
-- the sum below, is then exact in a Lua number, and no approval, payout or refund can overflow.
local max_balance = 2^52

local conversion = {event = event_id, site = site, order = order_id, code = code,
                    customer = customer, amount = amount, currency = currency, ts = ts}
local held = held_id(held_key, held_expiry_key)
if approval == '1' and held ~= event_id then
  return {'error', 'no conversion is held for this order'}
end
if event_seen(ev) then
  return {'duplicate'}
end

-- A refused approval takes the held conversion off the books with the reason; any other
-- refusal is the event's own. Either way the ledger says the conversion was rejected, once.
local function refuse(reason, detail)
  if approval == '1' then
    drop_held(ev.ledger, ev.rejected, ev.rejected_maxlen, held_key, held_expiry_key, reason,
              detail)
    event_done(ev)
    return {'rejected', reason}
  end
  return reject_conversion(ev, conversion, reason, detail)
end

local existing = redis.call('HMGET', order_key, 'id', 'early_refund', 'version')
-- An applied conversion is remembered by its order, not by a key of its own.
if existing[1] == event_id then
  acknowledge(ev)
  return {'duplicate'}
end
if existing[1] then
  return refuse('duplicate_order', existing[1])
end

local owner = lookup(owner_key, code)
if not owner and open_enrolment ~= '1' then
  return refuse('unknown_code', code)
end
if customer ~= '' then
  if owner == customer or lookup(code_of_key, customer) == code then
    return refuse('self_referral', customer)
  end
  if first_purchase_only == '1' and renewal ~= '1' and
     redis.call('SISMEMBER', buyers_key, customer) == 1 then
    return refuse('not_first_purchase', customer)
  end
  if bound_first_purchase == '1' and redis.call('HEXISTS', first_conversion_key, customer) == 1 then
    return refuse('not_first_purchase', customer)
  end
end
local daily = num(daily_limit)
if daily > 0 and counter(day_conversions_key, code) >= daily then
  return refuse('conversion_limit', code)
end

-- Level k's referrer: the code, then the code that referred its owner, and so on; never the
-- buyer, never a code twice.
local codes = {code}
local seen, current_owner = {[code] = true}, owner
for _ = 2, #referrer_rewards do
  if not current_owner then
    break
  end
  local parent = lookup(referred_by_key, current_owner)
  if not parent or seen[parent] then
    break
  end
  current_owner = lookup(owner_key, parent)
  if current_owner == customer then
    break
  end
  seen[parent] = true
  codes[#codes + 1] = parent
end

local bucket = state == 'approved' and 'approved' or 'pending'
local rewards, cuts = {}, {}
local cap = num(monthly_cap)
for level, c in ipairs(codes) do
  local reward = num(referrer_rewards[level])
  if cap > 0 and reward > 0 then
    local used = counter(month_rewards_key, referrer_currency .. ':' .. c)
    local room = math.max(cap - used, 0)
    if reward > room then
      cuts[#cuts + 1] = 'code:' .. c .. ' level ' .. level .. ' ' .. int(reward) .. ' capped to ' ..
                        int(room)
      reward = room
    end
  end
  if reward > 0 then
    rewards[#rewards + 1] = {account = 'code:' .. c, code = c, currency = referrer_currency,
                             amount = reward, party = 'referrer', level = level,
                             balance = referrer_balance_key}
  end
end
local friend = num(friend_reward)
if friend > 0 and customer ~= '' then
  rewards[#rewards + 1] = {account = 'customer:' .. customer, currency = friend_currency,
                           amount = friend, party = 'friend', level = 0,
                           balance = friend_balance_key}
end

for _, r in ipairs(rewards) do
  local b = redis.call('HMGET', r.balance, r.account .. ':pending', r.account .. ':approved',
                       r.account .. ':paid')
  if num(b[1]) + num(b[2]) + num(b[3]) + r.amount > max_balance then
    return refuse('balance_limit', r.account .. ' ' .. r.currency)
  end
end

-- Every check passed: from here on only writes.
for _, cut in ipairs(cuts) do
  record_rejection(ev, 'reward_cap', cut)
end
if held then
  if approval == '1' then
    redis.call('DEL', held_key)
    redis.call('ZREM', held_expiry_key, held_key)
  else
    drop_held(ev.ledger, ev.rejected, ev.rejected_maxlen, held_key, held_expiry_key,
              'superseded', event_id)
  end
end
local new_buyer = customer == '' and renewal ~= '1'
if customer ~= '' and renewal ~= '1' then
  if first_purchase_only == '1' then
    redis.call('SADD', buyers_key, customer)
  end
  -- A customer keeps the code that referred them first.
  if not leads_to(referred_by_key, owner_key, customer, owner) then
    redis.call('HSETNX', referred_by_key, customer, code)
    forget(referred_by_key, customer)
  end
  for _, c in ipairs({customer, alias}) do
    if c ~= '' and redis.call('HSETNX', first_conversion_key, c, code .. ' ' .. ts) == 1 and
       c == customer then
      new_buyer = true
    end
  end
end
-- A new customer of the programme (docs/rewards.md, Programme economics); without a customer id
-- every purchase counts as one.
if new_buyer then
  count(stats_key, 'buyers', 1)
  daily_count(ev, 'b')
  if source ~= '' then
    daily_count(ev, 'b:s:' .. source)
  end
end
if daily > 0 then
  local today = count(day_conversions_key, code, 1)
  expire_new(day_conversions_key, day_ttl, today, 1)
end
-- Sets of codes and currencies only change the first time a counter moves off zero.
if count(stats_key, 'conversions', 1) == 1 then
  redis.call('SADD', codes_key, code)
end
add_statistic(stats_key, 'revenue:' .. currency, num(amount))
daily_count(ev, 'v')
daily_count(ev, 'v:c:' .. code)
daily_amount(ev, 'r:' .. currency, num(amount))
daily_amount(ev, 'r:' .. currency .. ':c:' .. code, num(amount))
if source ~= '' then
  daily_count(ev, 'v:s:' .. source)
  daily_amount(ev, 'r:' .. currency .. ':s:' .. source, num(amount))
end

local early_refund = existing[2]
if early_refund then
  redis.call('HDEL', order_key, 'early_refund')
end
local fields = {'id', event_id, 'site', site, 'order', order_id, 'code', code,
                'customer', customer, 'amount', amount, 'currency', currency, 'ts', ts,
                'state', state, 'due', due, 'refunded', '0', 'n', #rewards,
                'version', int(num(existing[3]) + 1)}
pay_rewards(ev, {site = site, order = order_id, code = code, event = event_id, ts = ts,
                  variant = variant, source = source, bucket = bucket, cap = cap,
                  currencies_key = currencies_key, stats_key = stats_key,
                  month_rewards_key = month_rewards_key, month_ttl = month_ttl}, rewards, fields)
redis.call('HSET', order_key, unpack(fields))
redis.call('PEXPIRE', order_key, order_ttl)
if state == 'pending' then
  redis.call('ZADD', due_key, due, order_key)
end
-- A refund that came first goes through the stream again, now that there is something to
-- reverse; its id is derived from this conversion so it is applied once.
if early_refund then
  local refund = {'v', '1', 'type', 'refund', 'id', 'early-refund:' .. event_id, 'ts', ts,
                  'site', site, 'order', order_id}
  if early_refund ~= 'full' then
    refund[#refund + 1] = 'amount'
    refund[#refund + 1] = early_refund
  end
  redis.call('XADD', ev.events, '*', unpack(refund))
end
acknowledge(ev)
return {'applied', #rewards, #cuts}
