// AsioTimers: common::Timers on the daemon's Asio event loop (one steady_timer per timer). The
// callbacks run on the thread that runs the io_context, so they never run concurrently with each
// other or with anything else the loop runs: the lifecycle machines are driven from the same
// thread. Idle costs nothing: Asio's reactor sleeps in epoll_wait until the earliest due timer
// (timerfd), there is no periodic tick.
//
// Contract: that of common/timers.h (start() never calls back synchronously; a delay <= 0 fires
// as soon as the loop gets to it; a successful cancel() means the callback never runs).
//
// Thread-safety: start() and cancel() only on the loop's thread (or while the loop is not
// running). REQUIRES: the io_context outlives this object; destroying it cancels every pending
// timer without calling it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <map>
#include <memory>

#include "common/timers.h"

namespace certkeeperd {

class AsioTimers final : public common::Timers {
public:
    explicit AsioTimers(boost::asio::io_context& io) : m_io(io) {}
    ~AsioTimers() override;
    AsioTimers(const AsioTimers&) = delete;
    AsioTimers& operator=(const AsioTimers&) = delete;

    common::TimerId start(std::chrono::steady_clock::duration delay,
                          std::function<void()> on_fire) override;
    bool cancel(common::TimerId id) override;

    // Timers started and neither fired nor cancelled.
    std::size_t pending() const { return m_pending.size(); }

private:
    struct Entry {
        explicit Entry(boost::asio::io_context& io) : timer(io) {}
        boost::asio::steady_timer timer;
        std::function<void()> on_fire;
    };

    boost::asio::io_context& m_io;
    std::map<common::TimerId, std::unique_ptr<Entry>> m_pending;
    common::TimerId m_next_id = 1;
    // Shared with every wait handler: a handler that runs after this object is gone (the
    // io_context outlived it and ran the aborted waits) sees it expired and does nothing.
    std::shared_ptr<AsioTimers*> m_self = std::make_shared<AsioTimers*>(this);
};

}  // namespace certkeeperd
