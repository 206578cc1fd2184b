// Timers driven by a FakeClock: nothing fires until the test calls advance(), which moves the
// clock to each due time in order and runs the callbacks on the caller's thread. No threads,
// no sleeps.
#pragma once

#include <map>
#include <tuple>

#include "common/timers.h"
#include "fakes/fake_clock.h"

namespace fakes {

class FakeTimers final : public common::Timers {
public:
    explicit FakeTimers(FakeClock& clock) : m_clock(clock) {}

    common::TimerId start(std::chrono::steady_clock::duration delay,
                          std::function<void()> on_fire) override {
        const auto due = m_clock.steady_now() + (delay.count() > 0 ? delay : delay.zero());
        const common::TimerId id = m_next_id++;
        m_pending.emplace(Key{due, id}, std::move(on_fire));
        return id;
    }

    bool cancel(common::TimerId id) override {
        for (auto it = m_pending.begin(); it != m_pending.end(); ++it) {
            if (std::get<1>(it->first) == id) {
                m_pending.erase(it);
                return true;
            }
        }
        return false;
    }

    // Advances the clock by d, firing every timer that falls due on the way (including ones
    // started by callbacks). Returns how many fired.
    int advance(std::chrono::steady_clock::duration d) {
        const auto end = m_clock.steady_now() + d;
        int fired = 0;
        while (!m_pending.empty() && std::get<0>(m_pending.begin()->first) <= end) {
            auto node = m_pending.extract(m_pending.begin());
            const auto due = std::get<0>(node.key());
            if (due > m_clock.steady_now()) {
                m_clock.advance(due - m_clock.steady_now());
            }
            node.mapped()();
            ++fired;
        }
        if (end > m_clock.steady_now()) {
            m_clock.advance(end - m_clock.steady_now());
        }
        return fired;
    }

    std::size_t pending() const { return m_pending.size(); }

private:
    using Key = std::tuple<common::SteadyTime, common::TimerId>;
    FakeClock& m_clock;
    std::map<Key, std::function<void()>> m_pending;
    common::TimerId m_next_id = 1;
};

}  // namespace fakes
