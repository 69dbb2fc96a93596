-- An event the daemon refused before touching any state (missing fields, unknown type, ...). A
-- well-formed conversion the programme refused (below the minimum order, outside the window,
-- ...) goes to the ledger as `rejected` too; amount "" = not such a conversion.
local ev = event_header(KEYS, ARGV)
local reason, detail = ARGV[7], ARGV[8]
local event_id, site, order_id, code, customer = ARGV[9], ARGV[10], ARGV[11], ARGV[12], ARGV[13]
local amount, currency, ts = ARGV[14], ARGV[15], ARGV[16]

if event_seen(ev) then
  return {'duplicate'}
end
if amount ~= '' then
  return reject_conversion(ev, {event = event_id, site = site, order = order_id, code = code,
                                customer = customer, amount = amount, currency = currency,
                                ts = ts}, reason, detail)
end
return reject(ev, reason, detail)
