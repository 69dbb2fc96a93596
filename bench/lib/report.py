"""Summarises bench/run.sh's HTTP measurements (http.tsv) as a Markdown table.

Each row is the median over the rounds. Two ratios to the plain baseline:
- req/s: the median of each round's req/s divided by the baseline's in the same round, so slow
  drifts of the machine cancel out;
- capacity: the median of each round's baseline worker CPU per request divided by the
  scenario's, the req/s nginx's worker could serve at 100% of its CPU.
Δ CPU is likewise the median of each round's difference to the baseline.
Targets are judged on capacity: they are about what the module adds to nginx's hot path, and
unlike req/s it does not depend on whether the worker or something else (the load generator,
other processes on a busy machine) was the bottleneck. When the worker is near 100% busy the
two agree.
"""

import statistics
import sys
from collections import defaultdict

SCENARIOS = [
    ("plain", "1. plain `return 200` (baseline)", None),
    ("plain_cookie", "1b. plain, the request carrying scenario 5's cookie (reference)", None),
    ("userid", "2. nginx `userid` filter, cookie on every response", None),
    ("lua", "3. Lua peer: capture, HMAC-SHA256, Set-Cookie", None),
    ("capture", "4. module, capturing request (sign, Set-Cookie, click)", 0.95),
    ("capture_nosink", "4n. the same without `referral_redis`: the click is made, not delivered", None),
    ("cookie", "5. module, valid cookie that nothing reads (no verification)", 0.98),
    ("cookie_read", "5b. module, valid cookie read by `$referral_code` (verify)", 0.98),
    ("conv_up", "6. module, conversion, Redis up", 0.95),
    ("conv_down", "7. module, conversion, Redis stopped (spool)", 0.85),
    ("capture_keys8", "4k. scenario 4 with 8 keys in the ring", None),
    ("cookie_read_keys8", "5bk. scenario 5b with 8 keys, the cookie's the last", None),
    ("conv_up_keys8", "6k. scenario 6 with 8 keys, the cookie's the last", None),
    ("plain_cookies20", "1bc. plain, with 5bc's 20 cookies (reference)", None),
    ("capture_cookies20", "4c. scenario 4 with 19 other cookies", None),
    ("cookie_read_cookies20", "5bc. scenario 5b with 19 other cookies before the referral cookie", None),
    ("conv_up_cookies20", "6c. scenario 6 with 19 other cookies before the referral cookie", None),
]
FIELDS = ["round", "name", "rps", "p50", "p99", "requests", "bad", "cpu",
          "clicks", "conversions", "acked", "spooled", "dropped", "busy"]


def load(path):
    rows = []
    for line in open(path):
        values = line.rstrip("\n").split("\t")
        rows.append(dict(zip(FIELDS, values)))
    return rows


def events(rows):
    made = sum(int(r["clicks"]) + int(r["conversions"]) for r in rows if r["clicks"] != "-")
    if made == 0:
        return ""
    parts = [f"{sum(int(r[k]) for r in rows) / made:.0%} {k}" for k in ("acked", "spooled")]
    dropped = sum(int(r["dropped"]) for r in rows)
    return ", ".join(parts) + (f", {dropped} dropped" if dropped else "")


def paired_delta(rows_a, rows_b):
    """Median over rounds of a's worker CPU per request minus b's in the same round."""
    b = {r["round"]: float(r["cpu"]) for r in rows_b}
    return statistics.median(float(r["cpu"]) - b[r["round"]] for r in rows_a if r["round"] in b)


def attribution(by_name):
    """Worker CPU differences between scenarios that differ in one thing."""
    pairs = [
        ("cookie", "plain_cookie", "carrying the cookie where nothing reads it (5 − 1b: the same request to plain nginx)"),
        ("cookie_read", "plain_cookie", "verifying the cookie for `$referral_code` (5b − 1b)"),
        ("conv_up", "cookie_read", "a conversion event delivered to Redis (6 − 5b)"),
        ("conv_down", "cookie_read", "a conversion event written to the spool (7 − 5b)"),
        ("capture", "plain", "a capturing request, its click delivered to Redis (4 − 1)"),
        ("capture_nosink", "plain", "a capturing request, its click made but not delivered (4n − 1)"),
        ("capture", "capture_nosink", "delivering a click to Redis (4 − 4n)"),
        ("capture_keys8", "capture", "8 keys in the ring instead of 1, capturing (4k − 4)"),
        ("cookie_read_keys8", "cookie_read", "8 keys instead of 1, verifying with the last (5bk − 5b)"),
        ("conv_up_keys8", "conv_up", "8 keys instead of 1, converting (6k − 6)"),
        ("plain_cookies20", "plain_cookie", "20 cookies instead of 1, plain nginx (1bc − 1b)"),
        ("capture_cookies20", "capture", "20 cookies instead of none, capturing (4c − 4)"),
        ("cookie_read_cookies20", "cookie_read", "20 cookies instead of 1, verifying (5bc − 5b)"),
        ("conv_up_cookies20", "conv_up", "20 cookies instead of 1, converting (6c − 6)"),
    ]
    for a, b, what in pairs:
        if by_name.get(a) and by_name.get(b):
            delta = paired_delta(by_name[a], by_name[b])
            print(f"- {what}: {delta:+.2f} µs of worker CPU per request")


def main(path):
    rows = load(path)
    by_name = defaultdict(list)
    base_rps, base_cpu = {}, {}
    for r in rows:
        by_name[r["name"]].append(r)
        if r["name"] == "plain":
            base_rps[r["round"]] = float(r["rps"])
            base_cpu[r["round"]] = float(r["cpu"])

    print("| scenario | req/s | p50 µs | p99 µs | worker busy | worker CPU µs/req | Δ CPU µs | "
          "ratio req/s | ratio capacity | events | target |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    ratios, deltas = {}, {}
    for name, title, target in SCENARIOS:
        rs = by_name.get(name)
        if not rs:
            continue
        med = lambda k: statistics.median(float(r[k]) for r in rs)
        paired = [r for r in rs if r["round"] in base_rps]
        ratio = statistics.median(float(r["rps"]) / base_rps[r["round"]] for r in paired)
        capacity = statistics.median(base_cpu[r["round"]] / float(r["cpu"]) for r in paired)
        delta = statistics.median(float(r["cpu"]) - base_cpu[r["round"]] for r in paired)
        ratios[name], deltas[name] = ratio, delta
        cpu = med("cpu")
        verdict = ""
        if target is not None:
            verdict = f"≥ {target:.2f}× {'met' if capacity >= target else 'NOT met'}"
        bad = sum(int(r["bad"]) for r in rs)
        note = f" ({bad} failed)" if bad else ""
        print(f"| {title}{note} | {med('rps'):,.0f} | {med('p50'):.0f} | {med('p99'):.0f} | "
              f"{med('busy'):.0f}% | {cpu:.2f} | {delta:+.2f} | {ratio:.3f}× | "
              f"{capacity:.3f}× | {events(rs)} | {verdict} |")
    print()
    attribution(by_name)
    if "lua" in ratios and "capture" in ratios:
        by_cpu = "beats" if deltas["capture"] < deltas["lua"] else "does NOT beat"
        by_rps = "beats" if ratios["capture"] > ratios["lua"] else "does NOT beat"
        print(f"\nThe module's capturing request ({deltas['capture']:+.2f} µs, "
              f"{ratios['capture']:.3f}×) {by_cpu} the Lua peer ({deltas['lua']:+.2f} µs, "
              f"{ratios['lua']:.3f}×) on worker CPU and {by_rps} it on req/s; the peer sends "
              f"no event.")
    print("\nPer round (req/s, worker CPU µs/request), in the order measured:\n")
    rounds = defaultdict(list)
    for r in rows:
        rounds[r["round"]].append(f"{r['name']} {float(r['rps']):,.0f} / {r['cpu']}")
    for k in sorted(rounds, key=int):
        print(f"- round {k}: " + "; ".join(rounds[k]))


if __name__ == "__main__":
    main(sys.argv[1])
