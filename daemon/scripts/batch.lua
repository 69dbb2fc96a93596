-- Events applied in their stream's order in one call (docs/design.md#script-interfaces): the
-- scripts of event_scripts (click, conversion, hold, reject, signup, each wrapped as a function
-- of its own KEYS and ARGV when embedded) run one after another; the entries they acknowledge
-- are acknowledged together at the end, and the counters they change written then, once each
-- (flush_counters). The call is as atomic as one event's script: a daemon that dies sees all
-- of the batch applied or none of it. An event whose script fails has its error
-- in its place in the reply (as on its own, writes it made before failing stay), and the events
-- after it still run.
local event_keys = KEYS  -- every event's keys, one event after another
local calls = ARGV  -- per event: its script's name, its key count, its arg count, its args

batch_acks, counters, changed, lookups, expiring = {}, {}, {}, {}, {}
-- Each event's key and arg counts, and its seen flag (KEYS[4] and ARGV[6] of every event
-- script, event_header): all of them read before the first event.
local key_counts, arg_counts, seen, seen_ids = {}, {}, {}, {}
local k, a = 1, 1
while a <= #calls do
  local nkeys, nargs = tonumber(calls[a + 1]), tonumber(calls[a + 2])
  local n = #seen + 1
  key_counts[n], arg_counts[n] = nkeys, nargs
  seen[n], seen_ids[n] = event_keys[k + 3], calls[a + 8]
  k, a = k + nkeys, a + 3 + nargs
end
prefetch_seen(event_keys[1], seen, seen_ids)

local replies = {}
k, a = 1, 1
for e = 1, #seen do
  local name, nkeys, nargs = calls[a], key_counts[e], arg_counts[e]
  local keys, args = {unpack(event_keys, k, k + nkeys - 1)}, {unpack(calls, a + 3, a + 2 + nargs)}
  local acked = #batch_acks
  local ok, reply = pcall(event_scripts[name], keys, args)
  if not ok then
    -- An error of redis.call is {err = message}; anything else is Lua's message.
    reply = {err = type(reply) == 'table' and reply.err or tostring(reply)}
    for i = #batch_acks, acked + 1, -1 do
      batch_acks[i] = nil
    end
  end
  replies[#replies + 1] = reply
  k, a = k + nkeys, a + 3 + nargs
end
flush_counters()
flush_seen()
-- XACK takes as many ids as there are: in slices, so no slice overflows Lua's stack.
for first = 1, #batch_acks, 1000 do
  redis.call('XACK', batch_acks.events, batch_acks.group,
             unpack(batch_acks, first, math.min(first + 999, #batch_acks)))
end
return replies
