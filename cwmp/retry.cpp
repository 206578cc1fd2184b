#include "cwmp/retry.h"

#include <algorithm>
#include <cmath>

namespace cwmp {

RetryWindow retry_window(std::uint32_t failures, const RetryPolicy& policy) {
    const std::uint32_t n = std::clamp<std::uint32_t>(failures, 1, 10);
    const double m_ms = static_cast<double>(std::chrono::milliseconds(policy.minimum_wait).count());
    const double k = static_cast<double>(std::max<std::uint32_t>(policy.interval_multiplier, 1000)) / 1000.0;
    const double low = m_ms * std::pow(k, static_cast<double>(n - 1));
    const double high = low * k;
    return {std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(low))),
            std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(high)))};
}

std::chrono::milliseconds retry_delay(std::uint32_t failures, double uniform01, const RetryPolicy& policy) {
    const RetryWindow w = retry_window(failures, policy);
    const double u = std::clamp(uniform01, 0.0, 1.0);
    const auto span = static_cast<double>((w.max - w.min).count());
    return w.min + std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(u * span)));
}

}  // namespace cwmp
