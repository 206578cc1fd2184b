// RFC 3339 / ISO 8601 timestamps in UTC, as the CLI, JSON output and test data use them.
#pragma once

#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"

namespace common {

// "2024-01-01T00:00:00Z" (seconds precision, always UTC).
std::string format_rfc3339(SystemTime t);

// Accepts "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SS" (UTC), with optional fractional seconds, and a
// zone of "Z", "z" or "+HH:MM"/"-HH:MM". 'T' may also be a space. Fractional seconds are
// dropped. From 1950-01-01 to 2262-04-11T23:47:16Z, the last second SystemTime can hold.
Result<SystemTime> parse_rfc3339(std::string_view text);

}  // namespace common
