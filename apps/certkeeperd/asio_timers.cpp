#include "asio_timers.h"

namespace certkeeperd {

AsioTimers::~AsioTimers() {
    *m_self = nullptr;
    for (auto& [id, entry] : m_pending) entry->timer.cancel();
}

common::TimerId AsioTimers::start(std::chrono::steady_clock::duration delay,
                                  std::function<void()> on_fire) {
    const common::TimerId id = m_next_id++;
    auto entry = std::make_unique<Entry>(m_io);
    entry->on_fire = std::move(on_fire);
    entry->timer.expires_after(delay.count() > 0 ? delay : delay.zero());
    entry->timer.async_wait(
        [weak = std::weak_ptr<AsioTimers*>(m_self), id](const boost::system::error_code&) {
            // Whatever the wait's outcome: the map decides. A timer cancelled after its wait
            // completed but before this handler ran is no longer there.
            auto self = weak.lock();
            if (!self || *self == nullptr) return;
            AsioTimers& timers = **self;
            auto it = timers.m_pending.find(id);
            if (it == timers.m_pending.end()) return;
            std::unique_ptr<Entry> fired = std::move(it->second);
            timers.m_pending.erase(it);
            fired->on_fire();
        });
    m_pending.emplace(id, std::move(entry));
    return id;
}

bool AsioTimers::cancel(common::TimerId id) {
    auto it = m_pending.find(id);
    if (it == m_pending.end()) return false;
    it->second->timer.cancel();
    m_pending.erase(it);
    return true;
}

}  // namespace certkeeperd
