#include "common/timers.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fakes/fake_clock.h"
#include "fakes/fake_timers.h"

namespace common {
namespace {

using namespace std::chrono_literals;

class FakeTimersTest : public ::testing::Test {
protected:
    fakes::FakeClock clock;
    fakes::FakeTimers timers{clock};
    std::vector<std::string> fired;

    std::function<void()> record(std::string name) {
        return [this, name] { fired.push_back(name); };
    }
};

TEST_F(FakeTimersTest, NothingFiresUntilAdvanced) {
    timers.start(0s, record("now"));
    timers.start(10s, record("later"));
    EXPECT_TRUE(fired.empty()) << "start() must never call back synchronously";
    EXPECT_EQ(timers.pending(), 2u);
}

TEST_F(FakeTimersTest, FiresInDueOrderAndTiesInStartOrder) {
    timers.start(30s, record("c"));
    timers.start(10s, record("a1"));
    timers.start(20s, record("b"));
    timers.start(10s, record("a2"));
    EXPECT_EQ(timers.advance(9s), 0);
    EXPECT_TRUE(fired.empty());
    EXPECT_EQ(timers.advance(1s), 2);
    EXPECT_EQ(fired, (std::vector<std::string>{"a1", "a2"}));
    EXPECT_EQ(timers.advance(1h), 2);
    EXPECT_EQ(fired, (std::vector<std::string>{"a1", "a2", "b", "c"}));
    EXPECT_EQ(timers.pending(), 0u);
}

TEST_F(FakeTimersTest, ClockReadsTheDueTimeInsideTheCallback) {
    const SteadyTime start = clock.steady_now();
    const SystemTime wall_start = clock.now();
    std::vector<std::chrono::steady_clock::duration> seen;
    timers.start(5s, [&] { seen.push_back(clock.steady_now() - start); });
    timers.start(7s, [&] { seen.push_back(clock.steady_now() - start); });
    EXPECT_EQ(timers.advance(1min), 2);
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0], 5s);
    EXPECT_EQ(seen[1], 7s);
    EXPECT_EQ(clock.steady_now() - start, 1min);
    EXPECT_EQ(clock.now() - wall_start, 1min);
}

TEST_F(FakeTimersTest, NegativeDelayFiresOnTheNextAdvance) {
    timers.start(-5s, record("overdue"));
    const SteadyTime before = clock.steady_now();
    EXPECT_EQ(timers.advance(0s), 1);
    EXPECT_EQ(fired, std::vector<std::string>{"overdue"});
    EXPECT_EQ(clock.steady_now(), before) << "the clock must never go backwards";
}

TEST_F(FakeTimersTest, CancelBeforeFiring) {
    const TimerId a = timers.start(10s, record("a"));
    const TimerId b = timers.start(10s, record("b"));
    EXPECT_NE(a, b);
    EXPECT_TRUE(timers.cancel(a));
    EXPECT_FALSE(timers.cancel(a)) << "second cancel of the same id";
    EXPECT_EQ(timers.pending(), 1u);
    EXPECT_EQ(timers.advance(10s), 1);
    EXPECT_EQ(fired, std::vector<std::string>{"b"});
}

TEST_F(FakeTimersTest, CancelUnknownOrFiredIdReturnsFalse) {
    EXPECT_FALSE(timers.cancel(12345));
    const TimerId id = timers.start(1s, record("x"));
    EXPECT_EQ(timers.advance(1s), 1);
    EXPECT_FALSE(timers.cancel(id));
}

TEST_F(FakeTimersTest, CallbacksStartingTimersFireWithinTheSameAdvance) {
    timers.start(10s, [&] {
        fired.push_back("outer");
        timers.start(5s, [&] {
            fired.push_back("inner");
            timers.start(0s, record("innermost"));
        });
        timers.start(1h, record("beyond"));
    });
    EXPECT_EQ(timers.advance(20s), 3);
    EXPECT_EQ(fired, (std::vector<std::string>{"outer", "inner", "innermost"}));
    EXPECT_EQ(timers.pending(), 1u);
    EXPECT_EQ(timers.advance(1h), 1);
    EXPECT_EQ(fired.back(), "beyond");
}

TEST_F(FakeTimersTest, NestedTimerDueLaterThanTheWindowWaits) {
    timers.start(10s, [&] { timers.start(15s, record("nested")); });
    EXPECT_EQ(timers.advance(20s), 1);  // nested is due at 25 s
    EXPECT_TRUE(fired.empty());
    EXPECT_EQ(timers.advance(4s), 0);
    EXPECT_EQ(timers.advance(1s), 1);
    EXPECT_EQ(fired, std::vector<std::string>{"nested"});
}

TEST_F(FakeTimersTest, CallbackCanCancelAnotherPendingTimer) {
    TimerId victim = 0;
    timers.start(1s, [&] { EXPECT_TRUE(timers.cancel(victim)); });
    victim = timers.start(2s, record("victim"));
    EXPECT_EQ(timers.advance(5s), 1);
    EXPECT_TRUE(fired.empty());
}

// ThreadTimers: real threads, so every wait has a generous upper bound and nothing depends on
// exact timing. The "blocker" timer keeps the timer thread busy while the test arranges state, so
// that ordering and cancellation are deterministic.
class Blocker {
public:
    explicit Blocker(Timers& timers) {
        timers.start(0s, [this] {
            m_entered.set_value();
            m_release.get_future().wait();
        });
        EXPECT_EQ(m_entered.get_future().wait_for(5s), std::future_status::ready);
    }
    void release() { m_release.set_value(); }

private:
    std::promise<void> m_entered;
    std::promise<void> m_release;
};

TEST(ThreadTimersTest, FiresOnItsOwnThread) {
    ThreadTimers timers;
    std::promise<std::thread::id> fired_on;
    const auto started = std::chrono::steady_clock::now();
    timers.start(2ms, [&] { fired_on.set_value(std::this_thread::get_id()); });
    auto future = fired_on.get_future();
    ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
    EXPECT_GE(std::chrono::steady_clock::now() - started, 2ms) << "fired before its delay";
    EXPECT_NE(future.get(), std::this_thread::get_id());
}

TEST(ThreadTimersTest, FiresInDueOrderThenStartOrder) {
    ThreadTimers timers;
    std::mutex mutex;
    std::vector<std::string> order;
    auto record = [&](std::string name) {
        return [&, name] {
            std::lock_guard lock(mutex);
            order.push_back(name);
        };
    };
    Blocker blocker(timers);
    timers.start(0s, record("a"));
    timers.start(0s, record("b"));
    timers.start(-1s, record("overdue"));  // due before a and b
    timers.start(0s, record("c"));
    std::promise<void> done;
    timers.start(0s, [&] { done.set_value(); });
    blocker.release();
    ASSERT_EQ(done.get_future().wait_for(5s), std::future_status::ready);
    std::lock_guard lock(mutex);
    EXPECT_EQ(order, (std::vector<std::string>{"overdue", "a", "b", "c"}));
}

TEST(ThreadTimersTest, CancelledTimerNeverFires) {
    ThreadTimers timers;
    std::atomic<bool> cancelled_fired{false};
    Blocker blocker(timers);
    // Already due, but the timer thread is busy in the blocker, so it cannot have fired yet.
    const TimerId id = timers.start(0s, [&] { cancelled_fired = true; });
    EXPECT_TRUE(timers.cancel(id));
    EXPECT_FALSE(timers.cancel(id));
    std::promise<void> sentinel;
    timers.start(1ms, [&] { sentinel.set_value(); });  // due after the cancelled one
    blocker.release();
    ASSERT_EQ(sentinel.get_future().wait_for(5s), std::future_status::ready);
    EXPECT_FALSE(cancelled_fired);
}

TEST(ThreadTimersTest, CancelAfterFiringOrOfUnknownIdReturnsFalse) {
    ThreadTimers timers;
    EXPECT_FALSE(timers.cancel(999));
    std::promise<void> fired;
    const TimerId id = timers.start(0s, [&] { fired.set_value(); });
    ASSERT_EQ(fired.get_future().wait_for(5s), std::future_status::ready);
    EXPECT_FALSE(timers.cancel(id));
}

TEST(ThreadTimersTest, CallbackMayStartAnotherTimer) {
    ThreadTimers timers;
    std::promise<void> second;
    timers.start(1ms, [&] { timers.start(1ms, [&] { second.set_value(); }); });
    EXPECT_EQ(second.get_future().wait_for(5s), std::future_status::ready);
}

TEST(ThreadTimersTest, DestructorDropsPendingTimersWithoutWaitingForThem) {
    std::atomic<bool> fired{false};
    const auto started = std::chrono::steady_clock::now();
    {
        ThreadTimers timers;
        timers.start(1h, [&] { fired = true; });
    }
    EXPECT_FALSE(fired);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

}  // namespace
}  // namespace common
