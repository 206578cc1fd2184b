#include "lifecycle/policy.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "common/time_format.h"

namespace {

using namespace std::chrono_literals;
using lifecycle::policy::clock_floor;
using std::chrono::seconds;

common::SystemTime at(std::string_view text) {
    return common::parse_rfc3339(text).value();
}

TEST(LifecyclePolicy, RenewalIsNeverBeforeThePercentageAndJitterIsBounded) {
    const auto nb = at("2026-01-01T00:00:00Z");
    const auto na = nb + 100 * 24h;  // 100 days: 80 % = day 80, 2 % = 2 days > 6 h cap
    const auto floor = nb + 80 * 24h;
    std::set<common::SystemTime> seen;
    for (int i = 0; i < 200; ++i) {
        const auto seed = "profile-" + std::to_string(i) + "/01AB";
        const auto due = lifecycle::policy::renewal_due(nb, na, 80, seed);
        EXPECT_GE(due, floor) << seed;
        EXPECT_LE(due, floor + 6h) << seed;
        seen.insert(due);
    }
    EXPECT_GT(seen.size(), 150u) << "a fleet must not renew in the same second";
}

TEST(LifecyclePolicy, RenewalJitterIsDeterministicAndTwoPercentForShortLifetimes) {
    const auto nb = at("2026-01-01T00:00:00Z");
    const auto na = nb + 1000s;
    const auto a = lifecycle::policy::renewal_due(nb, na, 50, "p/1");
    EXPECT_EQ(a, lifecycle::policy::renewal_due(nb, na, 50, "p/1"));
    EXPECT_GE(a, nb + 500s);
    EXPECT_LE(a, nb + 520s);                                                     // 2 % of 1000 s
    EXPECT_EQ(lifecycle::policy::renewal_jitter(seconds{40}, "x"), seconds{0});  // 2 % < 1 s
}

TEST(LifecyclePolicy, RenewalDueNeverPassesNotAfter) {
    const auto nb = at("2026-01-01T00:00:00Z");
    const auto na = nb + 100s;
    for (int i = 0; i < 50; ++i) {
        EXPECT_LE(lifecycle::policy::renewal_due(nb, na, 99, std::to_string(i)), na);
    }
}

TEST(LifecyclePolicy, PollTimesStopAtTheWindowEnd) {
    const auto start = at("2026-01-01T00:00:00Z");
    const auto end = lifecycle::policy::poll_window_end(start, 3600s);
    EXPECT_EQ(end, start + 1h);
    EXPECT_EQ(lifecycle::policy::next_poll_at(start, 60s, end), start + 60s);
    EXPECT_EQ(lifecycle::policy::next_poll_at(start + 3590s, 60s, end), end);
    EXPECT_FALSE(lifecycle::policy::poll_window_expired(end - 1s, end));
    EXPECT_TRUE(lifecycle::policy::poll_window_expired(end, end));
}

TEST(LifecyclePolicy, RetryBackOffDoublesWithinBounds) {
    const profiles::RetryPolicy retry{seconds{60}, seconds{3600}};
    seconds previous{0};
    for (unsigned attempt = 1; attempt <= 12; ++attempt) {
        const auto d = lifecycle::policy::retry_delay(retry, attempt, "p");
        EXPECT_GE(d, retry.minimum) << attempt;
        EXPECT_LE(d, retry.maximum) << attempt;
        if (attempt <= 6) {
            const seconds base = retry.minimum * (1 << (attempt - 1));
            EXPECT_LE(d, base) << attempt;
            EXPECT_GE(d, base - base / 10) << attempt;
            EXPECT_GT(d, previous) << attempt;
        } else {
            EXPECT_GE(d, retry.maximum - retry.maximum / 10) << attempt;
        }
        previous = d;
    }
    EXPECT_EQ(lifecycle::policy::retry_delay(retry, 3, "p"),
              lifecycle::policy::retry_delay(retry, 3, "p"));
    EXPECT_EQ(lifecycle::policy::retry_delay(retry, 1000, "p") <= retry.maximum, true);
}

TEST(LifecyclePolicy, ClockTrustworthyNeedsTheFloorAndTheInstalledNotBefore) {
    EXPECT_FALSE(lifecycle::policy::clock_trustworthy(at("1970-01-01T00:01:00Z"), clock_floor,
                                                      std::nullopt));
    EXPECT_TRUE(lifecycle::policy::clock_trustworthy(clock_floor, clock_floor, std::nullopt));
    const auto nb = at("2026-03-01T00:00:00Z");
    EXPECT_FALSE(lifecycle::policy::clock_trustworthy(nb - 1s, clock_floor, nb));
    EXPECT_TRUE(lifecycle::policy::clock_trustworthy(nb, clock_floor, nb));
}

}  // namespace

namespace {

TEST(LifecyclePolicy, ExpiryWarningIsTheSmallerOfTenPercentAndSevenDays) {
    const auto nb = at("2026-01-01T00:00:00Z");
    // 30 days: 10 % = 3 days < 7 days.
    EXPECT_EQ(lifecycle::policy::expiry_warning_from(nb, nb + 30 * 24h), nb + 27 * 24h);
    // 365 days: 7 days < 36.5 days.
    EXPECT_EQ(lifecycle::policy::expiry_warning_from(nb, nb + 365 * 24h), nb + 358 * 24h);
    // 70 days: exactly 7 days either way.
    EXPECT_EQ(lifecycle::policy::expiry_warning_from(nb, nb + 70 * 24h), nb + 63 * 24h);
}

}  // namespace
