// Pure policy functions of the lifecycle: when to renew, when to poll, how long to wait after a
// failure, whether the wall clock can be believed. No clock is read here: every instant is a
// parameter, so the unit tests pin each rule to the second (docs/lifecycle.md, "Timers").
//
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "common/clock.h"
#include "profiles/profile.h"

namespace lifecycle::policy {

// ---- renewal (step 7) ----

// The spread added after the configured percentage so that a fleet issued in the same second
// does not renew in the same second: deterministic (FNV-1a of seed), in [0, bound] with
// bound = min(2 % of lifetime, 6 h), whole seconds. seed: the profile name and the
// certificate's serial ("name/serial"), so one device keeps one time across restarts.
std::chrono::seconds renewal_jitter(std::chrono::seconds lifetime, std::string_view seed);

// notBefore + percent % of the lifetime + renewal_jitter(lifetime, seed), truncated to whole
// seconds. Never earlier than notBefore + percent % (the configured point is a floor, the
// jitter only delays), never later than notAfter.
// REQUIRES: 1 <= percent <= 99 (profiles validate it); not_before < not_after.
common::SystemTime renewal_due(common::SystemTime not_before, common::SystemTime not_after,
                               unsigned percent, std::string_view seed);

// ---- PENDING (RFC 8894 §3.3.3) ----

// When the polling window of a request first answered PENDING at `started` closes.
common::SystemTime poll_window_end(common::SystemTime started, std::chrono::seconds window);
// The next CertPoll after an attempt at `last`: last + interval, but not after the window end
// (one last poll right at the end).
common::SystemTime next_poll_at(common::SystemTime last, std::chrono::seconds interval,
                                common::SystemTime window_end);
// True once `now` reached the window end: give up and report.
bool poll_window_expired(common::SystemTime now, common::SystemTime window_end);

// ---- retry after a retryable failure ----

// Delay before retry number `attempt` (1 = the first retry): retry.minimum * 2^(attempt-1),
// capped at retry.maximum, minus a deterministic jitter of up to 10 % (seeded by seed and
// attempt); never below retry.minimum nor above retry.maximum.
std::chrono::seconds retry_delay(const profiles::RetryPolicy& retry, unsigned attempt,
                                 std::string_view seed);

// ---- revocation re-check of the certificate in service (step 8) ----

inline constexpr std::chrono::hours revocation_recheck_interval{24};

// ---- the "expiring" warning while renewal keeps failing ----

// From when a certificate counts as expiring: notAfter minus the smaller of 10 % of its
// lifetime and 7 days (whole seconds). A renewal that is still failing from then on notifies
// `expiring`, at most once per expiry_warning_interval.
common::SystemTime expiry_warning_from(common::SystemTime not_before, common::SystemTime not_after);
inline constexpr std::chrono::hours expiry_warning_interval{24};

// ---- the wall clock ----

// No certificate of ours can have been issued before this: a device clock earlier than it has
// not been set yet (no RTC, no NTP). Raised with each release (2025-01-01T00:00:00Z).
inline constexpr common::SystemTime clock_floor{std::chrono::seconds{1735689600}};

// Whether `now` may be used to judge validity: not before `floor`, and not before the notBefore
// of the certificate in service (a clock that went back behind it is wrong, not the certificate).
bool clock_trustworthy(common::SystemTime now, common::SystemTime floor,
                       std::optional<common::SystemTime> installed_not_before);

// FNV-1a, 64 bit: the deterministic seed of the jitters above.
std::uint64_t fnv1a(std::string_view text);

}  // namespace lifecycle::policy
