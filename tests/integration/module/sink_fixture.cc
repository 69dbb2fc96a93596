#include "sink_fixture.h"

#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

namespace module_test {

using testing_support::eventually;
using namespace std::chrono_literals;

std::string SinkTest::site(const std::string &redis_params, const std::string &spool_params,
                           const std::string &address, const std::string &http_extra) {
    return "referral_secret_file @KEYS@;\n" + http_extra + "referral_redis " +
           (address.empty() ? "127.0.0.1:" + std::to_string(redis->port()) : address) + " " +
           redis_params +
           ";\n"
           "referral_spool @PREFIX@/spool " +
           spool_params +
           ";\n"
           "server {\n"
           "  listen 127.0.0.1:@PORT@; server_name shop.example;\n"
           "  location / { referral on; add_header X-Click $referral_click_id; return 200 ok; "
           "}\n"
           "  location = /status { referral_status; }\n"
           "  location = /metrics { referral_status prometheus; }\n"
           "}\n";
}

std::set<std::string> SinkTest::clicks(int n, int threads, std::atomic<int> *progress) {
    std::set<std::string> ids;
    std::mutex m;
    std::vector<std::thread> pool;
    std::atomic<int> next{0};
    for (int t = 0; t < threads; t++) {
        pool.emplace_back([&] {
            for (int i; (i = next++) < n;) {
                testing_support::HttpResponse r;
                try {
                    r = get("/?ref=u" + std::to_string(i) + "&utm_source=s" + std::to_string(i));
                } catch (const std::exception &) {
                    continue;  // nginx is stopping
                }
                if (progress)
                    ++*progress;
                EXPECT_EQ(r.status, 200);
                std::lock_guard<std::mutex> lock(m);
                EXPECT_TRUE(ids.insert(r.header("x-click")).second);
            }
        });
    }
    for (auto &t : pool)
        t.join();
    return ids;
}

long long SinkTest::stream_length() {
    auto r = redis->command({"XLEN", "{referral}:events"});
    return r->integer;
}

size_t SinkTest::spool_files() const {
    size_t n = 0;
    std::error_code ec;
    for (auto &e : std::filesystem::directory_iterator(nginx_->prefix() + "/spool", ec)) {
        if (e.path().extension() == ".spool")
            n++;
    }
    return n;
}

void SinkTest::expect_delivered_once(const std::set<std::string> &sent) {
    ASSERT_TRUE(eventually(
        [&] {
            return stream_length() >= static_cast<long long>(sent.size()) && spool_files() == 0;
        },
        20s))
        << stream_length() << " of " << sent.size() << ", spool files: " << spool_files() << "\n"
        << status().dump() << "\n"
        << nginx_->error_log();
    std::multiset<std::string> ids, click_ids;
    for (auto &e : events()) {
        ids.insert(e["id"]);
        click_ids.insert(e["click"]);
    }
    EXPECT_EQ(ids.size(), sent.size());
    EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size()) << "duplicates";
    EXPECT_EQ(std::set<std::string>(click_ids.begin(), click_ids.end()), sent);
}

}  // namespace module_test
