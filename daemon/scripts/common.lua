-- Shared by every script (prepended at build time). Redis hands Lua numbers to commands as
-- "%.14g", which would turn 1e15 into "1e+15": every number goes back through int(), and
-- counters grow by the string '1' (formatting a number costs more than the HINCRBY).
local function int(n)
  return string.format('%d', n)
end

local function num(v)
  return tonumber(v) or 0
end

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Every script unpacks its KEYS and ARGV into named locals in one block at its top, in the order
-- its struct in daemon/script_calls.h sends them, and reads them nowhere else. The event scripts
-- (click, conversion, hold, refund, reject) start theirs with this shared header, KEYS[1..5] and
-- ARGV[1..6]; their own KEYS follow from index 6, their own ARGV from index 7. daily is
-- daily:<yyyymmdd> of the event's day, kept daily_ttl (ms) after its last new field. seen and
-- seen_id: the event's seen flag (event_seen). They are passed in because in a batch
-- (batch.lua) each event has its own.
local function event_header(KEYS, ARGV)
  return {events = KEYS[1], ledger = KEYS[2], rejected = KEYS[3], seen = KEYS[4], daily = KEYS[5],
          group = ARGV[1], entry = ARGV[2], seen_ttl = ARGV[3], rejected_maxlen = ARGV[4],
          daily_ttl = ARGV[5], seen_id = ARGV[6]}
end

-- Within a batch (batch.lua) the entries are acknowledged together, in one XACK at its end:
-- {events, group, entry, ...} of its events, nil outside a batch.
local batch_acks = nil

local function acknowledge(ev)
  if batch_acks then
    batch_acks.events, batch_acks.group = ev.events, ev.group
    batch_acks[#batch_acks + 1] = ev.entry
  else
    redis.call('XACK', ev.events, ev.group, ev.entry)
  end
end

-- Seen flags (docs/design.md#redis-keys). An event whose ts is its own (the same on every
-- replay) is flagged by the field seen_id of seen_hour:<hours since the epoch of its ts>, a hash
-- that every write keeps seen_ttl more, so each flag lives at least seen_ttl; any other event
-- by a key of its own (seen_id ""), seen:<id>. Before the hashes every event had a key of its
-- own: seen_hour:since is the hour of the first flag written in a hash, and an event of an hour
-- up to the next one (clocks differ) may have been applied under its own key, so it is looked
-- for there too.
local old_seen_since = nil  -- that hour, read once per script call

-- Whether the events flagged in the hash seen may have been applied under keys of their own.
local function old_seen_window(events_key, seen)
  if not old_seen_since then
    local since_key = events_key:sub(1, -8) .. ':seen_hour:since'  -- <prefix>:events
    old_seen_since = tonumber(redis.call('GET', since_key))
    if not old_seen_since then
      old_seen_since = math.floor(now_ms() / 3600000)
      redis.call('SET', since_key, int(old_seen_since))
    end
  end
  return tonumber(seen:match(':(%-?%d+)$')) <= old_seen_since + 1
end

local function old_seen_prefix(events_key)
  return events_key:sub(1, -8) .. ':seen:'
end

-- Within a batch, batch_seen[seen][seen_id] of its events (true: the event was done), read
-- before the first event (prefetch_seen) and kept up to date as events are done, and the flags
-- its events set, seen_writes[hash] = {field, '1', ...}, written at its end (flush_seen); nil
-- outside a batch.
local batch_seen, seen_writes, seen_ttl = nil, nil, nil

local function event_seen(ev)
  local seen
  if batch_seen then
    seen = batch_seen[ev.seen][ev.seen_id]
  elseif ev.seen_id == '' then
    seen = redis.call('EXISTS', ev.seen) == 1
  else
    seen = redis.call('HEXISTS', ev.seen, ev.seen_id) == 1 or
           (old_seen_window(ev.events, ev.seen) and
            redis.call('EXISTS', old_seen_prefix(ev.events) .. ev.seen_id) == 1)
  end
  if seen then
    acknowledge(ev)
  end
  return seen
end

-- MGET of keys in slices, so no slice overflows Lua's stack: calls found(i) for each key i
-- that exists.
local function mget_each(keys, found)
  for first = 1, #keys, 1000 do
    local values = redis.call('MGET', unpack(keys, first, math.min(first + 999, #keys)))
    for i = 1, #values do
      if values[i] then
        found(first + i - 1)
      end
    end
  end
end

-- Reads the seen flags of a batch's events, seen (KEYS[4]) and ids (ARGV[6]) of each: one
-- HMGET per hash, one MGET of the keys of their own and one of the old keys to look at.
local function prefetch_seen(events_key, seen, ids)
  batch_seen, seen_writes = {}, {}
  local fields, own = {}, {}
  for i = 1, #seen do
    local key, id = seen[i], ids[i]
    local f = fields[key]
    if not f then
      f = {}
      fields[key], batch_seen[key] = f, {}
    end
    if id == '' then
      own[#own + 1] = key
      batch_seen[key][''] = false
    else
      f[#f + 1] = id
    end
  end
  for key, f in pairs(fields) do
    local flags, old = batch_seen[key], {}
    local look_old = #f > 0 and old_seen_window(events_key, key)
    for first = 1, #f, 1000 do
      local values = redis.call('HMGET', key, unpack(f, first, math.min(first + 999, #f)))
      for i = 1, #values do
        local id = f[first + i - 1]
        flags[id] = values[i] ~= false
        if look_old and not values[i] then
          old[#old + 1] = id
        end
      end
    end
    if #old > 0 then
      local prefix, names = old_seen_prefix(events_key), {}
      for i = 1, #old do
        names[i] = prefix .. old[i]
      end
      mget_each(names, function(i) flags[old[i]] = true end)
    end
  end
  mget_each(own, function(i) batch_seen[own[i]][''] = true end)
end

-- The event has had its whole effect: a replay of the same id is a no-op from now on.
local function event_done(ev)
  if ev.seen_id == '' then
    redis.call('SET', ev.seen, '1', 'PX', ev.seen_ttl)
  elseif seen_writes then
    local w = seen_writes[ev.seen]
    if not w then
      w = {}
      seen_writes[ev.seen] = w
    end
    local n = #w
    w[n + 1], w[n + 2], seen_ttl = ev.seen_id, '1', ev.seen_ttl
  else
    redis.call('HSET', ev.seen, ev.seen_id, '1')
    redis.call('PEXPIRE', ev.seen, ev.seen_ttl)
  end
  if batch_seen then
    batch_seen[ev.seen][ev.seen_id] = true
  end
  acknowledge(ev)
end

local function flush_seen()
  for key, w in pairs(seen_writes) do
    for first = 1, #w, 1000 do
      redis.call('HSET', key, unpack(w, first, math.min(first + 999, #w)))
    end
    redis.call('PEXPIRE', key, seen_ttl)
  end
end

-- Write-behind counters (docs/design.md#life-of-an-event). Within a batch, counters[key][field]
-- is a hash field's value as this script knows it, read from Redis at most once per batch, and
-- changed[key][field] is true when events since have changed it; flush_counters() writes each
-- changed field once, at the end of the batch, one HSET per hash. A limit or cap reads its
-- counter here, so it decides exactly as with every write made at once: the batch is atomic,
-- nobody sees the state in between. A field that is zero (or absent) is written at once, with
-- the TTL rule of its caller, since the write may create the field or the hash; so is a value
-- Lua cannot hold exactly (2^52 and up). nil outside a batch: every counter goes straight to
-- Redis.
local counters, changed = nil, nil
local exact_below = 2^52
-- Within a batch, the per-day hashes that got a new field, each with its daily_ttl: one PEXPIRE
-- each at the end, after the batch's last new field (daily_count); nil until there is one.
local daily_expiries = nil

-- A counter's value, 0 when absent.
local function counter(key, field)
  local values = counters and counters[key]
  local value = values and values[field]
  if value then
    return value
  end
  value = num(redis.call('HGET', key, field))
  if counters then
    if not values then
      values = {}
      counters[key] = values
    end
    values[field] = value
  end
  return value
end

-- Adds n (an integer, not negative) to a counter and returns its value after. saturate: an
-- addition past the int64 maximum sets the field to it instead of failing (the answer is then
-- that maximum).
local function count(key, field, n, saturate)
  local values = counters and counters[key]
  local value = values and values[field]
  if value and value > 0 then
    if value + n < exact_below then
      value = value + n
      values[field] = value
      local fields = changed[key]
      if fields then
        fields[field] = true
      else
        changed[key] = {[field] = true}
      end
      return value
    end
    -- What the batch added before is written first: the field ends where it would have had
    -- every addition been made at once, saturated or not.
    if changed[key] and changed[key][field] then
      redis.call('HSET', key, field, int(value))
      changed[key][field] = nil
    end
  end
  local after
  if saturate then
    after = redis.pcall('HINCRBY', key, field, int(n))
    if type(after) == 'table' then
      redis.call('HSET', key, field, '9223372036854775807')
      after = 2^63
    end
  else
    after = redis.call('HINCRBY', key, field, n == 1 and '1' or int(n))
  end
  if counters then
    if not values then
      values = {}
      counters[key] = values
    end
    values[field] = after < exact_below and after or nil
  end
  return after
end

-- Within a batch, lookups[key][field] of the hashes events read often and change rarely
-- (owner, code_of, referred_by), false for an absent field; a script that writes one of them
-- forgets the field. nil outside a batch.
local lookups = nil

local function lookup(key, field)
  if not lookups then
    return redis.call('HGET', key, field)
  end
  local fields = lookups[key]
  if not fields then
    fields = {}
    lookups[key] = fields
  end
  local value = fields[field]
  if value == nil then
    value = redis.call('HGET', key, field)
    fields[field] = value
  end
  return value
end

local function forget(key, field)
  if lookups and lookups[key] then
    lookups[key][field] = nil
  end
end

local function flush_counters()
  for key, fields in pairs(changed) do
    local values, i = counters[key], 0
    local args = {}
    for field in pairs(fields) do
      args[i + 1], args[i + 2], i = field, int(values[field]), i + 2
    end
    if i > 0 then
      redis.call('HSET', key, unpack(args))
    end
  end
  for key, ttl in pairs(daily_expiries or {}) do
    redis.call('PEXPIRE', key, ttl)
  end
end

-- Per-day counters (docs/rewards.md, Per-day counters): a PEXPIRE only when the field is new,
-- so a day's hash lives daily_ttl after its last new field; in a batch once, at its end.
local function daily_field_new(ev)
  if counters then
    daily_expiries = daily_expiries or {}
    daily_expiries[ev.daily] = ev.daily_ttl
  else
    redis.call('PEXPIRE', ev.daily, ev.daily_ttl)
  end
end

local function daily_count(ev, field)
  if count(ev.daily, field, 1) == 1 then
    daily_field_new(ev)
  end
end

-- Statistics saturate at the int64 maximum instead of failing, so no amount, however often it
-- comes, makes a later script fail: HINCRBY refuses an overflow and changes nothing, and the
-- field is set to the maximum instead. Returns whether the field was new (or zero) before.
local function add_statistic(key, field, n)
  return count(key, field, n, true) == n
end

local function daily_amount(ev, field, n)
  if add_statistic(ev.daily, field, n) then
    daily_field_new(ev)
  end
end

-- A rejected entry carries the reason and the original event's fields, so nothing is dropped
-- without a trace even when the events stream is trimmed later.
local function record_rejection(ev, reason, detail)
  daily_count(ev, 'x:' .. reason)
  local fields = {'reason', reason, 'detail', detail or '', 'entry', ev.entry}
  local original = redis.call('XRANGE', ev.events, ev.entry, ev.entry)
  if original[1] then
    for _, v in ipairs(original[1][2]) do
      fields[#fields + 1] = v
    end
  end
  redis.call('XADD', ev.rejected, 'MAXLEN', '~', ev.rejected_maxlen, '*', unpack(fields))
end

local function reject(ev, reason, detail)
  record_rejection(ev, reason, detail)
  event_done(ev)
  return {'rejected', reason}
end

-- Ledger entries move `amount` of `currency` for `account` from one bucket to another
-- ("" = outside the books); docs/rewards.md has the schema.
local function ledger(key, kind, amount, from, to, fields)
  local entry = {'kind', kind, 'amount', int(amount), 'from', from, 'to', to}
  for i = 1, #fields do
    entry[#entry + 1] = fields[i]
  end
  redis.call('XADD', key, '*', unpack(entry))
end

-- What happened to a conversion that moves no money: `held` (recorded for approval) or
-- `rejected` (with its reason), from "" to "" so the sum of the ledger stays the balances. c has
-- the order's event, site, order, code, customer, amount, currency and ts as strings; a
-- rejection adds reason and detail. Only conversions write these: a flood of refused clicks
-- must not become a flood of notifications.
local function ledger_conversion(key, kind, c, reason, detail)
  local entry = {'kind', kind, 'amount', c.amount, 'from', '', 'to', '', 'currency', c.currency,
                 'site', c.site, 'order', c.order, 'code', c.code, 'customer', c.customer,
                 'event', c.event, 'ts', c.ts}
  if reason then
    entry[#entry + 1] = 'reason'
    entry[#entry + 1] = reason
    entry[#entry + 1] = 'detail'
    entry[#entry + 1] = detail or ''
  end
  redis.call('XADD', key, '*', unpack(entry))
end

-- A conversion refused by the books or the programme: in :rejected and in the ledger.
local function reject_conversion(ev, c, reason, detail)
  record_rejection(ev, reason, detail)
  ledger_conversion(ev.ledger, 'rejected', c, reason, detail)
  event_done(ev)
  return {'rejected', reason}
end

-- An order hash keeps reward i as "r<i>" = "<account> <currency> <amount> <party> <level>"
-- (no part holds a space) and what is left of it after refunds as "r<i>:left".
local function reward_record(account, currency, amount, party, level)
  return account .. ' ' .. currency .. ' ' .. int(amount) .. ' ' .. party .. ' ' .. level
end

-- Reward i of an order hash: its account, currency and ledger fields (with the experiment's
-- variant the order was paid under, if any).
local function reward_fields(order, i, ts)
  local r = redis.call('HMGET', order, 'r' .. i, 'site', 'order', 'code', 'id', 'variant')
  local account, currency, _, party, level = r[1]:match('(%S+) (%S+) (%S+) (%S+) (%S+)')
  local fields = {'account', account, 'currency', currency, 'party', party, 'level', level,
                  'site', r[2], 'order', r[3], 'code', r[4], 'event', r[5], 'ts', ts}
  if r[6] then
    fields[#fields + 1] = 'variant'
    fields[#fields + 1] = r[6]
  end
  return account, currency, fields
end

-- Moves what is left of every reward of a pending order to approved, every reward read before
-- the first write.
local function approve_order(order, ledger_key, prefix, ts)
  local n = num(redis.call('HGET', order, 'n'))
  local moves = {}
  for i = 1, n do
    local left = num(redis.call('HGET', order, 'r' .. i .. ':left'))
    if left > 0 then
      local account, currency, fields = reward_fields(order, i, ts)
      moves[#moves + 1] = {left = left, account = account, fields = fields,
                           balance = prefix .. ':balance:' .. currency}
    end
  end
  for _, m in ipairs(moves) do
    redis.call('HINCRBY', m.balance, m.account .. ':pending', int(-m.left))
    redis.call('HINCRBY', m.balance, m.account .. ':approved', int(m.left))
    ledger(ledger_key, 'approved', m.left, 'pending', 'approved', m.fields)
  end
  redis.call('HSET', order, 'state', 'approved')
  redis.call('HINCRBY', order, 'version', '1')
end

-- The id of the conversion held for an order (false: none). Every held key is in held_expiry
-- from its HSET to its DEL, so within a batch none is held while held_expiry was empty at the
-- batch's first ask and hold.lua has held nothing since (note_held()); asked once per batch,
-- it spares the conversions of a programme that holds nothing their HGET. nothing_held is nil
-- until asked and outside a batch.
local nothing_held = nil

local function held_id(held_key, held_expiry_key)
  if counters and nothing_held == nil then
    nothing_held = redis.call('ZCARD', held_expiry_key) == 0
  end
  if nothing_held then
    return false
  end
  return redis.call('HGET', held_key, 'id')
end

local function note_held()
  nothing_held = false
end

-- A held conversion leaves the books: its record goes to :rejected with the reason, shaped like
-- a rejected event (reason, detail, entry, then the event's fields), and to the ledger as a
-- `rejected` conversion.
local function drop_held(ledger_key, rejected_key, rejected_maxlen, held_key, held_expiry_key,
                         reason, detail)
  local fields = {'reason', reason, 'detail', detail}
  local held = {}
  local record = redis.call('HGETALL', held_key)
  for i = 1, #record, 2 do
    fields[#fields + 1] = record[i]
    fields[#fields + 1] = record[i + 1]
    held[record[i]] = record[i + 1]
  end
  redis.call('XADD', rejected_key, 'MAXLEN', '~', rejected_maxlen, '*', unpack(fields))
  ledger_conversion(ledger_key, 'rejected',
                    {event = held.id or '', site = held.site or '', order = held.order or '',
                     code = held.code or '', customer = held.customer or '',
                     amount = held.amount or '', currency = held.currency or '',
                     ts = held.ts or ''}, reason, detail)
  redis.call('DEL', held_key)
  redis.call('ZREM', held_expiry_key, held_key)
end

-- Whether the chain of referrers above `from` (a customer) reaches `customer`: recording
-- such a customer as referred would close a loop.
local function leads_to(referred_by_key, owner_key, customer, from)
  local visited = {}
  while from and not visited[from] do
    if from == customer then
      return true
    end
    visited[from] = true
    local up = lookup(referred_by_key, from)
    from = up and lookup(owner_key, up)
  end
  return false
end

-- Keys of fixed-length periods (limits, caps) live a little longer than their period. A
-- counter's key can only be new when its field is: after is what HINCRBY answered, n what it
-- added. Within a batch, expiring[key] is true once the key is known to have its TTL (nothing
-- in a batch takes one away), so each key is asked once; nil outside a batch.
local expiring = nil

local function expire_new(key, ttl, after, n)
  if after ~= n or (expiring and expiring[key]) then
    return
  end
  if redis.call('PTTL', key) == -1 then
    redis.call('PEXPIRE', key, ttl)
  end
  if expiring then
    expiring[key] = true
  end
end

-- An order's rewards paid into bucket, for conversions and signups alike: each one's balance,
-- statistics, the month's cap counter and ledger entry, and its record appended to the order's
-- fields (docs/design.md#life-of-an-event). p: the order's site, order, code, customer (signups
-- name theirs in the ledger), event, ts, variant, source, bucket, cap, and the keys
-- currencies_key, stats_key, month_rewards_key with month_ttl.
local function pay_rewards(ev, p, rewards, fields)
  for i, r in ipairs(rewards) do
    local n = 'r' .. i
    fields[#fields + 1] = n
    fields[#fields + 1] = reward_record(r.account, r.currency, r.amount, r.party, r.level)
    fields[#fields + 1] = n .. ':left'
    fields[#fields + 1] = int(r.amount)
    if redis.call('HINCRBY', r.balance, r.account .. ':' .. p.bucket, int(r.amount)) == r.amount then
      redis.call('SADD', p.currencies_key, r.currency)
    end
    daily_amount(ev, 'w:' .. r.currency, r.amount)
    add_statistic(p.stats_key, 'cost:' .. r.currency, r.amount)
    if p.source ~= '' then
      daily_amount(ev, 'w:' .. r.currency .. ':s:' .. p.source, r.amount)
    end
    if r.code then
      daily_amount(ev, 'w:' .. r.currency .. ':c:' .. r.code, r.amount)
      if p.cap > 0 then
        expire_new(p.month_rewards_key, p.month_ttl,
                   count(p.month_rewards_key, r.currency .. ':' .. r.code, r.amount), r.amount)
      end
    end
    local entry = {'account', r.account, 'currency', r.currency, 'party', r.party,
                   'level', r.level, 'site', p.site, 'order', p.order, 'code', p.code,
                   'event', p.event, 'ts', p.ts}
    if p.customer then
      entry[#entry + 1] = 'customer'
      entry[#entry + 1] = p.customer
    end
    if p.variant ~= '' then
      entry[#entry + 1] = 'variant'
      entry[#entry + 1] = p.variant
    end
    ledger(ev.ledger, 'reward', r.amount, '', p.bucket, entry)
  end
  if p.variant ~= '' then
    fields[#fields + 1] = 'variant'
    fields[#fields + 1] = p.variant
  end
end
