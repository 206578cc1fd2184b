// Clock: the one way logic asks what time it is (STYLE.md habit 3).
//
// now() is wall-clock time and is used only to judge certificate validity; steady_now() is
// monotonic and is used for delays, deadlines and back-off. A test passes a FakeClock
// (tests/fakes/fake_clock.h) and moves both by hand.
//
// Thread-safety: implementations must allow concurrent calls.
#pragma once

#include <chrono>

namespace common {

using SystemTime = std::chrono::system_clock::time_point;
using SteadyTime = std::chrono::steady_clock::time_point;

class Clock {
public:
    virtual ~Clock() = default;
    virtual SystemTime now() const = 0;
    virtual SteadyTime steady_now() const = 0;
};

// The operating system's clocks.
class SystemClock final : public Clock {
public:
    SystemTime now() const override { return std::chrono::system_clock::now(); }
    SteadyTime steady_now() const override { return std::chrono::steady_clock::now(); }
};

}  // namespace common
