// Session retry back-off of a CPE (TR-069 Amd 6 §3.2.1.1, Table 3): after the n-th consecutive
// failed session, wait a random time in [m·(k/1000)^(n-1), m·(k/1000)^n] seconds before the
// next attempt, with m = CWMPRetryMinimumWaitInterval (default 5 s) and k =
// CWMPRetryIntervalMultiplier (default 2000); from n = 10 on the range stays that of n = 10
// (2560-5120 s with the defaults). Pure functions; the caller supplies the randomness.
#pragma once

#include <chrono>
#include <cstdint>

namespace cwmp {

struct RetryPolicy {
    std::chrono::seconds minimum_wait{5};  // m, 1..65535
    std::uint32_t interval_multiplier = 2000;  // k, 1000..65535 (per mille)
};

struct RetryWindow {
    std::chrono::milliseconds min;
    std::chrono::milliseconds max;
};

// REQUIRES: failures >= 1 (the count of consecutive failed sessions, the Inform's RetryCount).
RetryWindow retry_window(std::uint32_t failures, const RetryPolicy& policy = {});

// A point of retry_window(failures): uniform01 in [0, 1) picks where (0 = min, 1 = max).
std::chrono::milliseconds retry_delay(std::uint32_t failures, double uniform01,
                                      const RetryPolicy& policy = {});

}  // namespace cwmp
