// AsioTimers against the common::Timers contract (common/timers.h; the same cases as
// tests/unit/common/timers_test.cpp's FakeTimers and ThreadTimers tests). The loop runs on the
// test's thread, so ordering and cancellation are deterministic.
#include "asio_timers.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace certkeeperd {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class AsioTimersTest : public ::testing::Test {
protected:
    boost::asio::io_context io;
    AsioTimers timers{io};
    std::vector<std::string> fired;

    std::function<void()> record(std::string name) {
        return [this, name] { fired.push_back(name); };
    }
    // Runs the loop until nothing is left to do (or a bound passes).
    void run() {
        io.restart();
        io.run_for(5s);
    }
};

TEST_F(AsioTimersTest, StartNeverCallsBackSynchronously) {
    timers.start(0s, record("now"));
    timers.start(-1s, record("overdue"));
    EXPECT_TRUE(fired.empty());
    EXPECT_EQ(timers.pending(), 2u);
    run();
    EXPECT_EQ(fired.size(), 2u);
    EXPECT_EQ(timers.pending(), 0u);
}

TEST_F(AsioTimersTest, FiresInDueOrderAndNotBeforeItsDelay) {
    const auto started = Clock::now();
    timers.start(30ms, record("c"));
    timers.start(10ms, record("a"));
    timers.start(20ms, record("b"));
    run();
    EXPECT_EQ(fired, (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_GE(Clock::now() - started, 30ms);
}

TEST_F(AsioTimersTest, CancelBeforeFiring) {
    const common::TimerId a = timers.start(5ms, record("a"));
    const common::TimerId b = timers.start(5ms, record("b"));
    EXPECT_NE(a, b);
    EXPECT_TRUE(timers.cancel(a));
    EXPECT_FALSE(timers.cancel(a)) << "second cancel of the same id";
    run();
    EXPECT_EQ(fired, std::vector<std::string>{"b"});
}

TEST_F(AsioTimersTest, CancelUnknownOrFiredIdReturnsFalse) {
    EXPECT_FALSE(timers.cancel(12345));
    const common::TimerId id = timers.start(0s, record("x"));
    run();
    EXPECT_FALSE(timers.cancel(id));
}

TEST_F(AsioTimersTest, CancelAfterExpiryButBeforeTheHandlerRanStillWins) {
    // Both timers are due; the first handler to run cancels the other, whose wait has already
    // completed: it must not fire.
    common::TimerId second = 0;
    timers.start(0s, [&] {
        fired.push_back("first");
        EXPECT_TRUE(timers.cancel(second));
    });
    second = timers.start(0s, record("second"));
    std::this_thread::sleep_for(2ms);
    run();
    EXPECT_EQ(fired, std::vector<std::string>{"first"});
}

TEST_F(AsioTimersTest, CallbacksMayStartTimers) {
    timers.start(1ms, [&] {
        fired.push_back("outer");
        timers.start(1ms, [&] {
            fired.push_back("inner");
            timers.start(0s, record("innermost"));
        });
    });
    run();
    EXPECT_EQ(fired, (std::vector<std::string>{"outer", "inner", "innermost"}));
}

TEST_F(AsioTimersTest, CallbacksRunOnTheLoopThread) {
    std::thread::id ran_on;
    std::thread::id loop_id;
    timers.start(0s, [&] { ran_on = std::this_thread::get_id(); });
    std::thread loop([&] {
        loop_id = std::this_thread::get_id();
        io.run_for(5s);
    });
    loop.join();
    EXPECT_EQ(ran_on, loop_id);
}

TEST_F(AsioTimersTest, DestructionDropsPendingTimersAndTheLoopEndsAtOnce) {
    bool called = false;
    {
        AsioTimers local(io);
        local.start(1h, [&] { called = true; });
    }
    const auto started = Clock::now();
    io.restart();
    io.run_for(5s);  // the aborted wait completes; nothing else keeps the loop busy
    EXPECT_FALSE(called);
    EXPECT_LT(Clock::now() - started, 1s);
}

TEST_F(AsioTimersTest, IdleLoopWithAFarTimerDoesNotSpin) {
    // One timer an hour away: run_for(50ms) returns having handled nothing.
    timers.start(1h, record("far"));
    io.restart();
    EXPECT_EQ(io.run_for(50ms), 0u);
    EXPECT_TRUE(fired.empty());
    EXPECT_EQ(timers.pending(), 1u);
}

}  // namespace
}  // namespace certkeeperd
