#!/usr/bin/env bash
# The README's first command: sets up a Debian 12 machine, builds everything, starts
# redis-server, nginx with the module and referral-rewardd on loopback in a temp dir, and walks
# through a two-level referral story — alice invites bob, who registers and later buys from
# another device; bob invites carol, who buys — and a
# purchase on a hosted checkout page confirmed by the payment provider's signed webhook, printing
# the cookie, the events in Redis, the rewards they earned and the signed notifications a small
# webhook receiver (scripts/lib/webhook_receiver.py) got when they were credited.
#
#   scripts/demo.sh         run the demo (services keep running so you can explore)
#   scripts/demo.sh stop    stop the services of the last demo and remove its directory
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
state=/tmp/referral-demo.current

stop_demo() {
  [ -f "$state" ] || { echo "No demo is running."; return 0; }
  dir=$(cat "$state")
  for pidfile in "$dir"/nginx.pid "$dir"/rewardd.pid "$dir"/receiver.pid "$dir"/redis.pid; do
    if [ -f "$pidfile" ]; then kill "$(cat "$pidfile")" 2>/dev/null || true; fi
  done
  sleep 0.5
  rm -rf "$dir" "$state"
  echo "Demo stopped."
}

if [ "${1:-}" = "stop" ]; then stop_demo; exit 0; fi
[ -f "$state" ] && stop_demo >/dev/null

say() { printf '\n\033[1m%s\033[0m\n' "$*"; }
# shellcheck source=lib/ports.sh
. scripts/lib/ports.sh

say "1/7 Installing dependencies (Debian packages)"
bash scripts/deps.sh >/dev/null

say "2/7 Building the module and the daemon"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target ngx_http_referral_module referral-rewardd 2>&1 | grep -E '^\[ *[0-9]+%\] (Built|Linking)' || true

dir=$(mktemp -d /tmp/referral-demo.XXXXXX)
chmod 755 "$dir"
echo "$dir" > "$state"
read -r redis_port front_port shop_port metrics_port hook_port <<<"$(free_ports 5 | xargs)"
(umask 077 && echo "demo:$(openssl rand -hex 32)" > "$dir/referral.keys")
mkdir -p "$dir/logs"
mkdir -m 700 "$dir/spool"

say "3/7 Starting redis-server :$redis_port, nginx :$front_port (shop :$shop_port), referral-rewardd, a webhook receiver :$hook_port"
redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$dir" --appendonly yes \
  --maxmemory-policy noeviction --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
wait_port "$redis_port"

cat > "$dir/nginx.conf" <<CONF
load_module $repo/build/ngx_http_referral_module.so;
$( [ "$(id -u)" = 0 ] && echo "user root;" )
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log notice;
events { worker_connections 256; }
http {
    access_log $dir/logs/access.log;
    referral_secret_file $dir/referral.keys;
    referral_redis 127.0.0.1:$redis_port;
    referral_spool $dir/spool;

    # The shop: an unchanged application that says which order was paid in response headers.
    server {
        listen 127.0.0.1:$shop_port;
        location / { return 200 "Welcome to the demo shop\n"; }
        location /account/created {
            add_header X-Customer-Id \$arg_customer;
            return 200 "Welcome aboard\n";
        }
        location /checkout/done {
            add_header X-Order-Id \$arg_order;
            add_header X-Order-Total \$arg_total;
            add_header X-Customer \$arg_customer;
            return 200 "Thank you for your order\n";
        }
    }

    # nginx in front of it, with the referral module.
    server {
        listen 127.0.0.1:$front_port;
        server_name shop.example;
        referral on;
        location / { proxy_pass http://127.0.0.1:$shop_port; }
        # Registration: the shop names the new customer; the daemon binds them to the referrer.
        location /account/created {
            referral_signup          on;
            referral_signup_customer \$upstream_http_x_customer_id;
            proxy_hide_header X-Customer-Id;
            proxy_pass http://127.0.0.1:$shop_port;
        }
        location /checkout/done {
            referral_conversion          on;
            referral_conversion_order_id \$upstream_http_x_order_id;
            referral_conversion_amount   \$upstream_http_x_order_total;
            referral_conversion_customer \$upstream_http_x_customer;
            referral_conversion_currency EUR;
            proxy_hide_header X-Order-Id;
            proxy_hide_header X-Order-Total;
            proxy_hide_header X-Customer;
            proxy_pass http://127.0.0.1:$shop_port;
        }
        # A hosted checkout (Stripe Checkout) sends the buyer back here with the session id;
        # these values come from the URL, so the daemon holds the conversion for confirmation.
        location = /thanks {
            referral_conversion          on;
            referral_conversion_order_id \$arg_session_id;
            referral_conversion_amount   \$arg_amount;
            referral_conversion_currency EUR;
            return 200 "Thank you for your payment\n";
        }
        location = /referral/status { referral_status; }
    }
}
CONF
# nginx warns that /thanks takes its values from the URL: on purpose, see step 6.
if ! check=$(nginx -q -t -p "$dir" -c "$dir/nginx.conf" 2>&1); then echo "$check"; exit 1; fi
nginx -p "$dir" -c "$dir/nginx.conf" 2>/dev/null
wait_port "$front_port"

stripe_secret="whsec_demo$(openssl rand -hex 16)"
echo "$stripe_secret" > "$dir/stripe-webhook.secret"
front="http://127.0.0.1:$front_port"
cat > "$dir/rewards.toml" <<CONF
[redis]
address = "127.0.0.1:$redis_port"

[http]
listen = "127.0.0.1:$metrics_port"
# The dashboard (open on loopback) and each referrer's own page with their link's QR code.
secret_file = "$dir/pages.secret"
public_url = "http://127.0.0.1:$metrics_port"
link = "$front/?ref={code}"

[stripe]
webhook_secret_file = "$dir/stripe-webhook.secret"
site = "shop.example"

[programme]
currency = "EUR"

[referrer]
levels = [15, 5]         # 15% to the referrer, 5% to the referrer's referrer

[signup]                 # paid when a referred visitor registers
referrer = { points = 500 }
friend = { fixed = "5.00" }

# The shop hears of every reward: a signed POST to its webhook receiver.
[[webhook]]
url = "http://127.0.0.1:$hook_port/referral"
secret_file = "$dir/webhook.secret"
CONF
echo "whsec_$(openssl rand -base64 32)" > "$dir/webhook.secret"
(umask 077 && openssl rand -hex 32 > "$dir/pages.secret")
nohup python3 "$repo/scripts/lib/webhook_receiver.py" "$hook_port" "$dir/webhook.secret" > "$dir/logs/receiver.log" 2>&1 &
echo $! > "$dir/receiver.pid"
wait_port "$hook_port"
rewardd() { "$repo/build/daemon/referral-rewardd" "$@"; }
nohup "$repo/build/daemon/referral-rewardd" run --config "$dir/rewards.toml" > "$dir/logs/rewardd.log" 2>&1 &
echo $! > "$dir/rewardd.pid"
wait_port "$metrics_port"

say "4/7 alice invites bob; bob opens her link and registers, then buys for 120.00 EUR on his phone"
rewardd enroll --config "$dir/rewards.toml" alice alice
curl -s -D - -o /dev/null -c "$dir/bob.jar" "$front/?ref=alice&utm_source=newsletter" | grep -i '^set-cookie' | cut -c1-110
echo "  ... bob's browser now holds the signed cookie"
curl -s -b "$dir/bob.jar" "$front/account/created?customer=bob"
echo "  ... his phone has no cookie: the registration bound him to alice"
curl -s "$front/checkout/done?order=1001&total=120.00&customer=bob"

say "5/7 bob invites carol; carol opens his link and buys for 80.00 EUR"
rewardd enroll --config "$dir/rewards.toml" bob bob --parent alice
curl -s -o /dev/null -c "$dir/carol.jar" "$front/?ref=bob&utm_source=whatsapp"
curl -s -b "$dir/carol.jar" "$front/checkout/done?order=1002&total=80.00&customer=carol"

echo "  events in Redis ({referral}:events):"
for _ in $(seq 50); do [ "$(redis-cli -p "$redis_port" XLEN '{referral}:events')" -ge 5 ] && break; sleep 0.1; done
redis-cli -p "$redis_port" --raw XRANGE '{referral}:events' - + | awk '
  /^[0-9]+-[0-9]+$/ { if (id) print line; id = $0; line = "    " id; next }
  { if (k == "") { k = $0 } else { if (k ~ /^(type|code|customer|order|amount|currency|trust)$/) line = line "  " k "=" $0; k = "" } }
  END { if (id) print line }'

say "6/7 dave opens alice's link and pays 59.00 EUR on a hosted checkout page"
curl -s -o /dev/null -c "$dir/dave.jar" "$front/?ref=alice"
# The return URL is the visitor's to edit: he claims 590.00.
curl -s -b "$dir/dave.jar" "$front/thanks?session_id=cs_demo_1&amount=590.00"
for _ in $(seq 50); do [ "$(redis-cli -p "$redis_port" --raw KEYS '{referral}:held:*' | wc -l)" -ge 1 ] && break; sleep 0.1; done
echo "  held, crediting nothing: $(redis-cli -p "$redis_port" --raw KEYS '{referral}:held:*' | wc -l) conversion(s) wait for confirmation"
# Stripe's checkout.session.completed, signed as Stripe signs: HMAC-SHA256 of "<t>.<body>".
body='{"id":"evt_demo_1","object":"event","type":"checkout.session.completed","created":'"$(date +%s)"',"data":{"object":{"id":"cs_demo_1","object":"checkout.session","amount_total":5900,"currency":"eur","customer":"cus_demo","payment_intent":"pi_demo_1","payment_status":"paid","status":"complete"}}}'
t=$(date +%s)
v1=$(printf '%s.%s' "$t" "$body" | openssl dgst -sha256 -hmac "$stripe_secret" | awk '{print $NF}')
echo "  Stripe's webhook: $(curl -s -X POST -H 'Content-Type: application/json' \
  -H "Stripe-Signature: t=$t,v1=$v1" --data-binary "$body" "http://127.0.0.1:$metrics_port/hooks/stripe")"
echo "  a forged one:     $(curl -s -o /dev/null -w '%{http_code}' -X POST \
  -H "Stripe-Signature: t=$t,v1=$(printf '%064d' 0)" --data-binary "$body" "http://127.0.0.1:$metrics_port/hooks/stripe")"

say "7/7 Rewards credited by referral-rewardd"
sleep 1
for code in alice bob; do echo "  $code:"; rewardd balance --config "$dir/rewards.toml" "$code" | sed 's/^/    /'; done
echo "  bob, for registering:"; rewardd balance --config "$dir/rewards.toml" --customer bob | sed 's/^/    /'
echo "  customers bound to a referrer ({referral}:referred_by):"
redis-cli -p "$redis_port" --raw HGETALL '{referral}:referred_by' | paste - - | sed 's/^/    /'
echo
rewardd report --config "$dir/rewards.toml"

echo
echo "  the shop's webhook receiver (signatures verified) heard:"
for _ in $(seq 100); do [ "$(wc -l < "$dir/logs/receiver.log")" -ge 5 ] && break; sleep 0.1; done
cat "$dir/logs/receiver.log"

cat <<TXT

Open in a browser:
  http://127.0.0.1:$metrics_port/dashboard                   # the programme at a glance
  $(rewardd partner-link --config "$dir/rewards.toml" alice)   # alice's own page and QR code

Everything is still running in $dir:
  curl -si '$front/?ref=alice'            # a referral link
  curl -s  $front/referral/status         # the module's counters
  curl -s  http://127.0.0.1:$metrics_port/metrics   # the daemon's metrics
  # and its hooks: POST http://127.0.0.1:$metrics_port/hooks/stripe
  redis-cli -p $redis_port XRANGE '{referral}:ledger' - +
  cat $dir/logs/receiver.log              # notifications the shop received
Stop it with: bash scripts/demo.sh stop
TXT
