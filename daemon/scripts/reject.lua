-- An event the daemon refused before touching any state (missing fields, unknown type, ...).
--   ARGV[5] reason, ARGV[6] detail
if event_seen() then
  return {'duplicate'}
end
return reject(ARGV[5], ARGV[6])
