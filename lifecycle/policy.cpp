#include "lifecycle/policy.h"

#include <algorithm>
#include <string>

namespace lifecycle::policy {

using std::chrono::seconds;

std::uint64_t fnv1a(std::string_view text) {
    std::uint64_t h = 14695981039346656037ULL;
    for (const char c : text) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ULL;
    }
    return h;
}

seconds renewal_jitter(seconds lifetime, std::string_view seed) {
    if (lifetime.count() <= 0)
        return seconds{0};
    const seconds bound = std::min<seconds>(lifetime * 2 / 100, std::chrono::hours{6});
    if (bound.count() <= 0)
        return seconds{0};
    const auto span = static_cast<std::uint64_t>(bound.count()) + 1;
    return seconds{static_cast<seconds::rep>(fnv1a(seed) % span)};
}

common::SystemTime renewal_due(common::SystemTime not_before, common::SystemTime not_after,
                               unsigned percent, std::string_view seed) {
    const auto nb = std::chrono::time_point_cast<seconds>(not_before);
    const auto na = std::chrono::time_point_cast<seconds>(not_after);
    const seconds lifetime = na - nb;
    if (lifetime.count() <= 0)
        return nb;
    // Multiply first: lifetime * percent fits easily in 64 bits (lifetimes are years at most).
    const seconds at_percent{lifetime.count() * static_cast<seconds::rep>(percent) / 100};
    const auto due = nb + at_percent + renewal_jitter(lifetime, seed);
    return std::min<common::SystemTime>(due, na);
}

common::SystemTime poll_window_end(common::SystemTime started, seconds window) {
    return started + window;
}

common::SystemTime next_poll_at(common::SystemTime last, seconds interval,
                                common::SystemTime window_end) {
    return std::min(last + interval, window_end);
}

bool poll_window_expired(common::SystemTime now, common::SystemTime window_end) {
    return now >= window_end;
}

seconds retry_delay(const profiles::RetryPolicy& retry, unsigned attempt, std::string_view seed) {
    const seconds minimum = std::max(retry.minimum, seconds{1});
    const seconds maximum = std::max(retry.maximum, minimum);
    seconds base = minimum;
    for (unsigned i = 1; i < attempt && base < maximum; ++i) base *= 2;
    base = std::min(base, maximum);
    const auto span = static_cast<std::uint64_t>(base.count() / 10) + 1;
    const std::string key = std::string(seed) + "#" + std::to_string(attempt);
    const seconds jitter{static_cast<seconds::rep>(fnv1a(key) % span)};
    return std::clamp(base - jitter, minimum, maximum);
}

common::SystemTime expiry_warning_from(common::SystemTime not_before,
                                       common::SystemTime not_after) {
    const auto lifetime =
        std::chrono::duration_cast<std::chrono::seconds>(not_after - not_before);
    const std::chrono::seconds tenth = lifetime / 10;
    const std::chrono::seconds week = std::chrono::hours(7 * 24);
    return not_after - std::min(tenth, week);
}

bool clock_trustworthy(common::SystemTime now, common::SystemTime floor,
                       std::optional<common::SystemTime> installed_not_before) {
    if (now < floor)
        return false;
    return !installed_not_before || now >= *installed_not_before;
}

}  // namespace lifecycle::policy
