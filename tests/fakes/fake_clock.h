// A Clock that only moves when a test says so. Wall and steady time advance together.
#pragma once

#include <mutex>

#include "common/clock.h"

namespace fakes {

class FakeClock final : public common::Clock {
public:
    explicit FakeClock(common::SystemTime start = common::SystemTime{} + std::chrono::hours(24 * 365 * 50))
        : m_wall(start) {}

    common::SystemTime now() const override {
        std::lock_guard lock(m_mutex);
        return m_wall;
    }
    common::SteadyTime steady_now() const override {
        std::lock_guard lock(m_mutex);
        return m_steady;
    }

    // Moves both clocks forward by d.
    void advance(std::chrono::nanoseconds d) {
        std::lock_guard lock(m_mutex);
        m_wall += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
        m_steady += std::chrono::duration_cast<std::chrono::steady_clock::duration>(d);
    }
    // Sets the wall clock only (as an NTP step would); steady time is unaffected.
    void set_wall(common::SystemTime t) {
        std::lock_guard lock(m_mutex);
        m_wall = t;
    }

private:
    mutable std::mutex m_mutex;
    common::SystemTime m_wall;
    common::SteadyTime m_steady{};
};

}  // namespace fakes
