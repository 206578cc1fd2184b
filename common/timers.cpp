#include "common/timers.h"

#include <algorithm>

namespace common {

ThreadTimers::ThreadTimers() : m_thread([this] { run(); }) {}

ThreadTimers::~ThreadTimers() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
        m_pending.clear();
    }
    m_cv.notify_all();
    m_thread.join();
}

TimerId ThreadTimers::start(std::chrono::steady_clock::duration delay,
                            std::function<void()> on_fire) {
    std::lock_guard lock(m_mutex);
    const TimerId id = m_next_id++;
    m_pending.emplace(id, Entry{std::chrono::steady_clock::now() + delay, std::move(on_fire)});
    m_cv.notify_all();
    return id;
}

bool ThreadTimers::cancel(TimerId id) {
    std::lock_guard lock(m_mutex);
    return m_pending.erase(id) > 0;
}

void ThreadTimers::run() {
    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
        if (m_pending.empty()) {
            m_cv.wait(lock);
            continue;
        }
        // Earliest due first; ties by id (= start order).
        auto next = std::min_element(m_pending.begin(), m_pending.end(),
                                     [](const auto& a, const auto& b) {
                                         return a.second.due < b.second.due;
                                     });
        if (next->second.due > std::chrono::steady_clock::now()) {
            m_cv.wait_until(lock, next->second.due);
            continue;
        }
        auto callback = std::move(next->second.on_fire);
        m_pending.erase(next);
        lock.unlock();
        callback();
        lock.lock();
    }
}

}  // namespace common
