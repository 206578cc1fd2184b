#include "worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace certkeeperd {
namespace {

using namespace std::chrono_literals;

struct Ctx {
    std::thread::id thread = std::this_thread::get_id();
};

std::function<std::unique_ptr<Ctx>()> factory() {
    return [] { return std::make_unique<Ctx>(); };
}

TEST(WorkerPoolTest, JobsOfOneKeyRunInOrderOneAtATime) {
    std::mutex mutex;
    std::vector<int> order;
    std::atomic<int> running{0};
    std::atomic<bool> overlap{false};
    std::promise<void> done;
    WorkerPool<Ctx> pool(3, factory());  // last: joined before the jobs' state goes away
    for (int i = 0; i < 20; ++i) {
        pool.submit("p", [&, i](Ctx&) {
            if (running.fetch_add(1) != 0) overlap = true;
            std::this_thread::sleep_for(1ms);
            {
                std::lock_guard lock(mutex);
                order.push_back(i);
            }
            running.fetch_sub(1);
            if (i == 19) done.set_value();
        });
    }
    ASSERT_EQ(done.get_future().wait_for(10s), std::future_status::ready);
    EXPECT_FALSE(overlap);
    std::vector<int> expected(20);
    for (int i = 0; i < 20; ++i) expected[static_cast<std::size_t>(i)] = i;
    EXPECT_EQ(order, expected);
}

TEST(WorkerPoolTest, DifferentKeysRunInParallel) {
    std::promise<void> a_started, b_started;
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    // Declared last, destroyed first: its threads are joined before what the jobs use goes away.
    WorkerPool<Ctx> pool(2, factory());
    pool.submit("a", [&](Ctx&) { a_started.set_value(); released.wait(); });
    pool.submit("b", [&](Ctx&) { b_started.set_value(); released.wait(); });
    EXPECT_EQ(a_started.get_future().wait_for(5s), std::future_status::ready);
    EXPECT_EQ(b_started.get_future().wait_for(5s), std::future_status::ready)
        << "b waited behind a although it has another key";
    release.set_value();
}

TEST(WorkerPoolTest, EachThreadHasItsOwnContextMadeOnIt) {
    std::promise<bool> same;
    WorkerPool<Ctx> pool(1, factory());  // last: joined before `same` goes away
    pool.submit("x", [&](Ctx& c) { same.set_value(c.thread == std::this_thread::get_id()); });
    auto f = same.get_future();
    ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
    EXPECT_TRUE(f.get());
}

TEST(WorkerPoolTest, StopDropsQueuedJobsAndRefusesNewOnes) {
    WorkerPool<Ctx> pool(1, factory());
    std::promise<void> started;
    std::promise<void> release;
    std::atomic<int> ran{0};
    pool.submit("a", [&](Ctx&) {
        started.set_value();
        release.get_future().wait();
        ++ran;
    });
    for (int i = 0; i < 5; ++i) pool.submit("a", [&](Ctx&) { ++ran; });
    ASSERT_EQ(started.get_future().wait_for(5s), std::future_status::ready);
    EXPECT_EQ(pool.outstanding(), 6u);
    std::thread stopper([&] { pool.stop(); });
    std::this_thread::sleep_for(10ms);
    release.set_value();
    stopper.join();
    EXPECT_EQ(ran, 1) << "the running job finishes, the queued ones are dropped";
    EXPECT_FALSE(pool.submit("a", [](Ctx&) {}));
}

}  // namespace
}  // namespace certkeeperd
