// Helpers shared by the ca_store*.cpp files: the SQL helpers of stores/sql_values.h and the
// canonical text forms of serials and nonces. Private to ca/.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "common/clock.h"
#include "common/result.h"
#include "crypto/bytes.h"
#include "stores/sql_values.h"

namespace ca::detail {

using stores::from_unix;
using stores::optional_time;
using stores::prepare_bound;
using stores::run;
using stores::SqlValue;
using stores::text_or_null;
using stores::time_or_null;
using stores::to_unix;

// Upper-case hex without leading zeros ("0" for zero); accepts any case, ':' and ' ' separators
// and leading zeros. Errc::invalid_argument for anything else.
common::Result<std::string> canonical_serial(std::string_view serial);

// Lower-case hex of 1 to 64 bytes; Errc::invalid_argument for anything else.
common::Result<std::string> canonical_nonce(std::string_view nonce_hex);

}  // namespace ca::detail
