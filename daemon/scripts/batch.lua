-- Events applied in their stream's order in one call (docs/design.md#script-interfaces): the
-- scripts of event_scripts (click, conversion, hold, reject, signup, each wrapped as a function
-- of its own KEYS and ARGV when embedded) run one after another; the entries they acknowledge
-- are acknowledged together at the end, and the counters they change written then, once each
-- (flush_counters). The call is as atomic as one event's script: a daemon that dies sees all
-- of the batch applied or none of it. An event whose script fails has its error
-- in its place in the reply (as on its own, writes it made before failing stay), and the events
-- after it still run.
-- The events of one script with as many keys and args are of one shape, which carries what they
-- all hold; each event brings its own values (BatchCall in daemon/script_calls.h).
local event_keys = KEYS  -- each shape's keys, then each event's own keys
local calls = ARGV  -- the shape count, the shapes, then per event its shape and its own args

batch_acks, counters, changed, lookups, expiring = {}, {}, {}, {}, {}

-- Per shape: its script, keys and args, and which positions each event fills with its own
-- (own_key_at[position] = i: the event's i-th own key).
local shapes, k, a = {}, 1, 2
for s = 1, tonumber(calls[1]) do
  local nkeys, nargs = tonumber(calls[a + 1]), tonumber(calls[a + 2])
  local nown_keys, nown_args = tonumber(calls[a + 3]), tonumber(calls[a + 4])
  local shape = {name = calls[a], own_keys = {}, own_args = {}, own_key_at = {}, own_arg_at = {}}
  for i = 1, nown_keys do
    local p = tonumber(calls[a + 4 + i])
    shape.own_keys[i], shape.own_key_at[p] = p, i
  end
  for i = 1, nown_args do
    local p = tonumber(calls[a + 4 + nown_keys + i])
    shape.own_args[i], shape.own_arg_at[p] = p, i
  end
  a = a + 5 + nown_keys + nown_args
  shape.keys, shape.args = {unpack(event_keys, k, k + nkeys - 1)}, {unpack(calls, a, a + nargs - 1)}
  shapes[s] = shape
  k, a = k + nkeys, a + nargs
end

-- An event's value at position p of its keys or args: its own, from start in values, or its
-- shape's.
local function value_at(shape_values, own_at, p, values, start)
  local i = own_at[p]
  if i then
    return values[start + i - 1]
  end
  return shape_values[p]
end

-- Each event's shape and where its own keys and args start, and its seen flag (KEYS[4] and
-- ARGV[6] of every event script, event_header): all of them read before the first event.
local event_shapes, key_starts, arg_starts, seen, seen_ids = {}, {}, {}, {}, {}
while a <= #calls do
  local shape = shapes[tonumber(calls[a])]
  local n = #event_shapes + 1
  event_shapes[n], key_starts[n], arg_starts[n] = shape, k, a + 1
  seen[n] = value_at(shape.keys, shape.own_key_at, 4, event_keys, k)
  seen_ids[n] = value_at(shape.args, shape.own_arg_at, 6, calls, a + 1)
  k, a = k + #shape.own_keys, a + 1 + #shape.own_args
end
local first_shape = event_shapes[1]
local events_key = value_at(first_shape.keys, first_shape.own_key_at, 1, event_keys, key_starts[1])
prefetch_seen(events_key, seen, seen_ids)

local replies = {}
for e = 1, #event_shapes do
  local shape, k, a = event_shapes[e], key_starts[e], arg_starts[e]
  local keys, args = {unpack(shape.keys)}, {unpack(shape.args)}
  local own_keys, own_args = shape.own_keys, shape.own_args
  for i = 1, #own_keys do
    keys[own_keys[i]] = event_keys[k + i - 1]
  end
  for i = 1, #own_args do
    args[own_args[i]] = calls[a + i - 1]
  end
  local acked = #batch_acks
  local ok, reply = pcall(event_scripts[shape.name], keys, args)
  if not ok then
    -- An error of redis.call is {err = message}; anything else is Lua's message.
    reply = {err = type(reply) == 'table' and reply.err or tostring(reply)}
    for i = #batch_acks, acked + 1, -1 do
      batch_acks[i] = nil
    end
  end
  replies[#replies + 1] = reply
end
flush_counters()
flush_seen()
-- XACK takes as many ids as there are: in slices, so no slice overflows Lua's stack.
for first = 1, #batch_acks, 1000 do
  redis.call('XACK', batch_acks.events, batch_acks.group,
             unpack(batch_acks, first, math.min(first + 999, #batch_acks)))
end
return replies
