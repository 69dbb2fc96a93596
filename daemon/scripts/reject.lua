-- An event the daemon refused before touching any state (missing fields, unknown type, ...).
local ev = event_header()
local reason, detail = ARGV[5], ARGV[6]

if event_seen(ev) then
  return {'duplicate'}
end
return reject(ev, reason, detail)
