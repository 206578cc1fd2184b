// Timers: one-shot timers whose expiry is delivered as a callback (then, by the owner, as an
// event to a state machine). Delays are measured on the steady clock.
//
// Contract for every implementation:
//  - start() never calls on_fire synchronously; a delay <= 0 fires "as soon as possible".
//  - cancel() returns true if the timer had not fired yet; after it returns true, on_fire is
//    never called. Cancelling an unknown or fired id returns false.
//  - Callbacks of one Timers object are never run concurrently with each other.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace common {

using TimerId = std::uint64_t;

class Timers {
public:
    virtual ~Timers() = default;
    virtual TimerId start(std::chrono::steady_clock::duration delay,
                          std::function<void()> on_fire) = 0;
    virtual bool cancel(TimerId id) = 0;
};

// Runs callbacks on one private thread. Idle means blocked on a condition variable until the
// next due timer (no periodic wake-ups). The destructor cancels pending timers and joins.
class ThreadTimers final : public Timers {
public:
    ThreadTimers();
    ~ThreadTimers() override;
    ThreadTimers(const ThreadTimers&) = delete;
    ThreadTimers& operator=(const ThreadTimers&) = delete;

    TimerId start(std::chrono::steady_clock::duration delay,
                  std::function<void()> on_fire) override;
    bool cancel(TimerId id) override;

private:
    struct Entry {
        std::chrono::steady_clock::time_point due;
        std::function<void()> on_fire;
    };
    void run();

    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::map<TimerId, Entry> m_pending;
    TimerId m_next_id = 1;
    bool m_stopping = false;
    std::thread m_thread;  // last: started after the members above exist
};

}  // namespace common
