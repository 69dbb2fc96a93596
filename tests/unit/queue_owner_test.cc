#include "queue_owner.h"

#include <gtest/gtest.h>

#include <vector>

namespace referral::queue_owner {
namespace {

// exists() that records what it was asked.
struct Probe {
    bool answer;
    std::vector<int64_t> *asked;
    bool operator()(int64_t pid) const {
        asked->push_back(pid);
        return answer;
    }
};

TEST(QueueOwner, OwnEntryIsNeverProbed) {
    std::vector<int64_t> asked;
    EXPECT_EQ(judge(42, 42, Probe{false, &asked}), Owner::mine);
    EXPECT_TRUE(asked.empty());
}

TEST(QueueOwner, EventsLeftByAnExitedWorkerAreTaken) {
    std::vector<int64_t> asked;
    EXPECT_EQ(judge(0, 42, Probe{true, &asked}), Owner::gone);
    EXPECT_TRUE(asked.empty());
}

TEST(QueueOwner, AnotherLiveWorkerKeepsItsEvents) {
    std::vector<int64_t> asked;
    EXPECT_EQ(judge(7, 42, Probe{true, &asked}), Owner::alive);
    EXPECT_EQ(asked, std::vector<int64_t>{7});
}

TEST(QueueOwner, ADeadWorkersEventsAreTaken) {
    std::vector<int64_t> asked;
    EXPECT_EQ(judge(7, 42, Probe{false, &asked}), Owner::gone);
    EXPECT_EQ(asked, std::vector<int64_t>{7});
}

}  // namespace
}  // namespace referral::queue_owner
