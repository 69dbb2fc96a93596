// Each Lua script names its KEYS and ARGV in one block at its top; each call struct in
// script_calls.h must send exactly as many, and the scripts must read KEYS and ARGV nowhere
// else. The scripts are read from the source tree and compared with what is embedded.
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "script_calls.h"
#include "scripts.h"

namespace referral::rewardd {
namespace {

std::string read(const std::string &name) {
    std::ifstream in(std::string(SCRIPT_DIR) + "/" + name + ".lua");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

struct Line {
    bool blank;
    std::string code;  // without its comment
};

std::vector<Line> lines_of(const std::string &text) {
    std::vector<Line> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        // No script has "--" in a string.
        lines.push_back(
            {line.find_first_not_of(" \t") == std::string::npos, line.substr(0, line.find("--"))});
    }
    return lines;
}

// What a block of locals unpacks: KEYS[i] / ARGV[i] indices and where a {unpack(X, n)} tail
// starts (0 = none).
struct Unpacked {
    std::set<int> keys, args;
    int keys_tail = 0, args_tail = 0;
    bool header = false;  // event_header()
};

void scan(const std::string &line, Unpacked *u) {
    static const std::regex indexed(R"((KEYS|ARGV)\[(\d+)\])");
    static const std::regex tail(R"(unpack\((KEYS|ARGV), (\d+)\))");
    for (std::sregex_iterator m(line.begin(), line.end(), indexed), end; m != end; ++m) {
        ((*m)[1] == "KEYS" ? u->keys : u->args).insert(std::stoi((*m)[2]));
    }
    for (std::sregex_iterator m(line.begin(), line.end(), tail), end; m != end; ++m) {
        ((*m)[1] == "KEYS" ? u->keys_tail : u->args_tail) = std::stoi((*m)[2]);
    }
    u->header = u->header || line.find("event_header(KEYS, ARGV)") != std::string::npos;
}

bool mentions_keys_or_argv(const std::string &line) {
    static const std::regex any(R"(\b(KEYS|ARGV)\b)");
    return std::regex_search(line, any);
}

// The script's block: from its first line of code to the first blank line, comments
// included. Fails the test if KEYS or ARGV appear anywhere else.
Unpacked interface_of(const std::string &name) {
    std::vector<Line> lines = lines_of(read(name));
    size_t begin = 0;
    while (begin < lines.size() && (lines[begin].blank || lines[begin].code.empty())) {
        ++begin;
    }
    size_t end = begin;
    while (end < lines.size() && !lines[end].blank) {
        ++end;
    }
    Unpacked u;
    for (size_t i = 0; i < lines.size(); ++i) {
        if (i >= begin && i < end) {
            scan(lines[i].code, &u);
        } else {
            EXPECT_FALSE(mentions_keys_or_argv(lines[i].code))
                << name << ".lua line " << i + 1 << " reads KEYS or ARGV outside its top block";
        }
    }
    return u;
}

// In common.lua KEYS and ARGV are read by event_header() only.
Unpacked event_header_interface() {
    std::vector<Line> lines = lines_of(read("common"));
    Unpacked u;
    bool inside = false;
    for (size_t i = 0; i < lines.size(); ++i) {
        const std::string &code = lines[i].code;
        if (code.find("local function event_header(KEYS, ARGV)") != std::string::npos) {
            inside = true;
        } else if (inside && code == "end") {
            inside = false;
        } else if (inside) {
            scan(code, &u);
        } else {
            EXPECT_FALSE(mentions_keys_or_argv(code))
                << "common.lua line " << i + 1 << " reads KEYS or ARGV outside event_header()";
        }
    }
    return u;
}

// 1..n without gaps; returns n.
int contiguous_count(const std::set<int> &indices, int first, const std::string &what) {
    int expected = first;
    for (int i : indices) {
        EXPECT_EQ(i, expected) << what << ": a gap or a repeat in the indices";
        expected = i + 1;
    }
    return expected - 1;
}

// How many KEYS and ARGV the script's block names, with `tail` elements in each tail.
std::pair<size_t, size_t> expected_counts(Script script, size_t tail) {
    std::string name(script_name(script));
    Unpacked u = interface_of(name);
    int key_base = 0, arg_base = 0;
    if (u.header) {
        Unpacked h = event_header_interface();
        key_base = contiguous_count(h.keys, 1, "event_header KEYS");
        arg_base = contiguous_count(h.args, 1, "event_header ARGV");
    }
    int keys = contiguous_count(u.keys, key_base + 1, name + " KEYS");
    int args = contiguous_count(u.args, arg_base + 1, name + " ARGV");
    size_t nkeys = keys, nargs = args;
    if (u.keys_tail) {
        EXPECT_EQ(u.keys_tail, keys + 1) << name << ": KEYS tail must follow the named keys";
        nkeys += tail;
    }
    if (u.args_tail) {
        EXPECT_EQ(u.args_tail, args + 1) << name << ": ARGV tail must follow the named args";
        nargs += tail;
    }
    return {nkeys, nargs};
}

void expect_matches_script(const ScriptCall &call, size_t tail) {
    auto [keys, args] = expected_counts(call.script, tail);
    EXPECT_EQ(call.keys.size(), keys) << script_name(call.script) << " KEYS";
    EXPECT_EQ(call.args.size(), args) << script_name(call.script) << " ARGV";
}

TEST(ScriptInterface, EmbeddedScriptsAreCommonThenTheFile) {
    std::string common = read("common");
    ASSERT_FALSE(common.empty()) << SCRIPT_DIR;
    std::string batch = common + "\nlocal event_scripts = {}\n";
    for (Script s :
         {Script::kClick, Script::kConversion, Script::kHold, Script::kReject, Script::kSignup}) {
        std::string name(script_name(s));
        batch += "event_scripts." + name + " = function(KEYS, ARGV)\n" + read(name) + "\nend\n";
    }
    batch += read("batch");
    for (size_t i = 0; i < kEmbeddedScriptCount; ++i) {
        std::string name = kEmbeddedScripts[i].name;
        EXPECT_TRUE(kEmbeddedScripts[i].source ==
                    (name == "batch" ? batch : common + "\n" + read(name)))
            << name << ".lua differs from the embedded script: rebuild";
    }
}

TEST(ScriptInterface, EventHeaderMatchesCommonLua) {
    ScriptCall call = EventHeader{}.start(Script::kReject);
    Unpacked h = event_header_interface();
    EXPECT_EQ(call.keys.size(), static_cast<size_t>(contiguous_count(h.keys, 1, "KEYS")));
    EXPECT_EQ(call.args.size(), static_cast<size_t>(contiguous_count(h.args, 1, "ARGV")));
}

TEST(ScriptInterface, EveryCallMatchesItsScript) {
    constexpr size_t kTail = 3;  // levels, reversals, currencies
    std::map<Script, ScriptCall> calls;
    auto add = [&](ScriptCall call) { calls.emplace(call.script, std::move(call)); };

    add(ClickCall{}.to_call());
    ConversionCall conversion;
    conversion.referrer_rewards.assign(kTail, 1);
    add(conversion.to_call());
    add(HoldCall{}.to_call());
    add(SignupCall{}.to_call());
    RefundCall refund;
    refund.stats = "stats";
    refund.balances.assign(kTail, "balance");
    refund.reversals.assign(kTail, 1);
    add(refund.to_call());
    add(RejectCall{}.to_call());
    add(PromoteCall{}.to_call());
    add(ApproveCall{}.to_call());
    add(DropHeldCall{}.to_call());
    add(ExpireHeldCall{}.to_call());
    PayoutCall payout;
    payout.balances.assign(kTail, "balance");
    payout.currencies.assign(kTail, "EUR");
    add(payout.to_call());
    add(EnrollCall{}.to_call());
    PayoutBatchCall batch;
    batch.balances.assign(kTail, "balance");
    batch.minimums.assign(kTail, "EUR 0");
    add(batch.to_call());
    // Their tails are field/value pairs: one pair.
    HookCall hook;
    hook.fields = {{"type", "confirm"}};
    add(hook.to_call());
    ConfirmCall confirm;
    confirm.fields = {{"type", "confirm"}};
    add(confirm.to_call());

    add(ScriptCall{Script::kBatch, {}, {}});  // BatchCarriesEveryEventInOrder

    ASSERT_EQ(calls.size(), kScriptCount) << "every script has a call struct";
    for (const auto &[script, call] : calls) {
        if (script == Script::kBatch) {
            continue;  // BatchCarriesEveryEventInOrder
        }
        bool pairs = script == Script::kHook || script == Script::kConfirm;
        expect_matches_script(call, pairs ? 2 : kTail);
    }
}

// The events of a batch as batch.lua takes them apart: each one's script, KEYS and ARGV.
std::vector<ScriptCall> unbatch(const BatchCall::Layout &layout) {
    struct Shape {
        std::string name;
        Argv keys, args;
        std::vector<size_t> own_keys, own_args;
    };
    auto number = [](std::string_view s) { return std::stoul(std::string(s)); };
    const auto &keys = layout.keys;
    const auto &args = layout.args;
    std::vector<Shape> shapes(number(args.at(0)));
    size_t k = 0, a = 1;
    for (Shape &s : shapes) {
        s.name = args.at(a);
        size_t nkeys = number(args.at(a + 1)), nargs = number(args.at(a + 2));
        size_t own_keys = number(args.at(a + 3)), own_args = number(args.at(a + 4));
        a += 5;
        for (size_t i = 0; i < own_keys; ++i) {
            s.own_keys.push_back(number(args.at(a++)));
        }
        for (size_t i = 0; i < own_args; ++i) {
            s.own_args.push_back(number(args.at(a++)));
        }
        for (size_t i = 0; i < nkeys; ++i) {
            s.keys.emplace_back(keys.at(k++));
        }
        for (size_t i = 0; i < nargs; ++i) {
            s.args.emplace_back(args.at(a++));
        }
    }
    std::vector<ScriptCall> events;
    while (a < args.size()) {
        const Shape &s = shapes.at(number(args.at(a++)) - 1);
        Script script{};
        for (size_t i = 0; i < kScriptCount; ++i) {
            if (script_name(static_cast<Script>(i)) == s.name) {
                script = static_cast<Script>(i);
            }
        }
        ScriptCall e{script, s.keys, s.args};
        for (size_t p : s.own_keys) {
            e.keys.at(p - 1) = keys.at(k++);
        }
        for (size_t p : s.own_args) {
            e.args.at(p - 1) = args.at(a++);
        }
        events.push_back(std::move(e));
    }
    EXPECT_EQ(k, keys.size()) << "every key belongs to a shape or an event";
    return events;
}

TEST(ScriptInterface, BatchCarriesEveryEventInOrder) {
    ClickCall click;
    click.header.events = "events";
    click.code = "abc";
    ClickCall other = click;
    other.header.seen = "seen:2";
    other.code = "def";
    ConversionCall conversion;
    conversion.referrer_rewards = {1, 2};
    ConversionCall longer = conversion;
    longer.referrer_rewards = {1, 2, 3};
    std::vector<ScriptCall> events = {click.to_call(),  conversion.to_call(), other.to_call(),
                                      longer.to_call(), click.to_call(),      conversion.to_call()};
    BatchCall::Layout layout = BatchCall{events.data(), events.size()}.layout();
    std::vector<ScriptCall> unbatched = unbatch(layout);
    ASSERT_EQ(unbatched.size(), events.size());
    for (size_t i = 0; i < events.size(); ++i) {
        EXPECT_EQ(unbatched[i].script, events[i].script) << i;
        EXPECT_EQ(unbatched[i].keys, events[i].keys) << i;
        EXPECT_EQ(unbatched[i].args, events[i].args) << i;
    }
    // Three shapes (clicks; conversions of two levels; of three), the clicks' seen key their
    // own: one key a click, no other key sent twice.
    EXPECT_EQ(layout.args.at(0), "3");
    EXPECT_EQ(layout.keys.size(), events[0].keys.size() + 2 * events[1].keys.size() + 3);
    // batch.lua names KEYS and ARGV whole, in its top block only.
    interface_of("batch");
}

TEST(ScriptInterface, RefundWithoutReversalsSendsNoTail) {
    // early and complete refunds touch neither stats nor balances.
    ScriptCall call = RefundCall{}.to_call();
    auto [keys, args] = expected_counts(Script::kRefund, 0);
    EXPECT_EQ(call.keys.size(), keys - 1);  // no stats key
    EXPECT_EQ(call.args.size(), args);
}

}  // namespace
}  // namespace referral::rewardd
