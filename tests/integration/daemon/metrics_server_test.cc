// /metrics keeps answering while clients hold connections open without finishing a request:
// idle ones, and slow ones that send a partial request a byte at a time.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "rewardd_fixture.h"

namespace rewardd_test {
namespace {

int open_connection(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (fd >= 0 && connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

TEST_F(RewarddTest, MetricsAnswerWhileClientsHoldConnections) {
    start("[referrer]\npercent = 10\n");
    std::vector<int> idle, slow;
    for (int i = 0; i < 8; ++i) {
        idle.push_back(open_connection(metrics_port_));
        ASSERT_GE(idle.back(), 0);
    }
    for (int i = 0; i < 16; ++i) {
        slow.push_back(open_connection(metrics_port_));
        ASSERT_GE(slow.back(), 0);
        const char start_line[] = "GET /metrics HTTP/1.1\r\nX-Slow: ";
        ASSERT_GT(send(slow.back(), start_line, sizeof(start_line) - 1, MSG_NOSIGNAL), 0);
    }
    // The slow clients keep their requests unfinished, a byte now and then, until the test is
    // done: this is the load, not a synchronisation.
    std::atomic<bool> done{false};
    std::thread trickle([&] {
        while (!done) {
            for (int fd : slow) {
                send(fd, "x", 1, MSG_NOSIGNAL);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
    });
    std::string error;
    bool answered = testing_support::eventually(
        [&] {
            try {
                return testing_support::http_get(metrics_port_, "/metrics").status == 200;
            } catch (const std::exception &e) {
                error = e.what();
                return false;
            }
        },
        std::chrono::seconds(60));
    done = true;
    trickle.join();
    for (int fd : idle) {
        close(fd);
    }
    for (int fd : slow) {
        close(fd);
    }
    EXPECT_TRUE(answered) << error;
}

}  // namespace
}  // namespace rewardd_test
