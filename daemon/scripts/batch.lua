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

batch_acks, counters, changed, lookups = {}, {}, {}, {}

-- Per shape: its script, keys and args, and the positions each event fills with its own.
local shapes, k, a = {}, 1, 2
for s = 1, tonumber(calls[1]) do
  local nkeys, nargs = tonumber(calls[a + 1]), tonumber(calls[a + 2])
  local nown_keys, nown_args = tonumber(calls[a + 3]), tonumber(calls[a + 4])
  local shape = {name = calls[a], own_keys = {}, own_args = {}}
  for i = 1, nown_keys do
    shape.own_keys[i] = tonumber(calls[a + 4 + i])
    -- Every event script's KEYS[4] is its seen key.
    if shape.own_keys[i] == 4 then
      shape.own_seen = i
    end
  end
  for i = 1, nown_args do
    shape.own_args[i] = tonumber(calls[a + 4 + nown_keys + i])
  end
  a = a + 5 + nown_keys + nown_args
  shape.keys, shape.args = {unpack(event_keys, k, k + nkeys - 1)}, {unpack(calls, a, a + nargs - 1)}
  shapes[s] = shape
  k, a = k + nkeys, a + nargs
end

-- Each event's shape and where its own keys and args start, and its seen key: the seen keys of
-- all of them read in one MGET.
local event_shapes, key_starts, arg_starts, seen_keys = {}, {}, {}, {}
while a <= #calls do
  local shape = shapes[tonumber(calls[a])]
  local n = #event_shapes + 1
  event_shapes[n], key_starts[n], arg_starts[n] = shape, k, a + 1
  seen_keys[n] = shape.own_seen and event_keys[k + shape.own_seen - 1] or shape.keys[4]
  k, a = k + #shape.own_keys, a + 1 + #shape.own_args
end
batch_seen = {}
for first = 1, #seen_keys, 1000 do
  local values = redis.call('MGET', unpack(seen_keys, first, math.min(first + 999, #seen_keys)))
  for i = 1, #values do
    batch_seen[seen_keys[first + i - 1]] = values[i] and true or false
  end
end

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
-- XACK takes as many ids as there are: in slices, so no slice overflows Lua's stack.
for first = 1, #batch_acks, 1000 do
  redis.call('XACK', batch_acks.events, batch_acks.group,
             unpack(batch_acks, first, math.min(first + 999, #batch_acks)))
end
return replies
