// Helpers shared by the ca_store*.cpp files: binding several values in one call, times as Unix
// seconds, and the canonical text forms of serials and nonces. Private to ca/.
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
#include "stores/sqlite.h"

namespace ca::detail {

// One value for a "?N" parameter; nullptr binds SQL NULL.
using SqlValue = std::variant<std::nullptr_t, std::int64_t, std::string_view, crypto::ByteView>;

// Prepares sql and binds values to ?1, ?2, ... in order. The values are copied.
common::Result<stores::Statement> prepare_bound(stores::Database& db, std::string_view sql,
                                                std::initializer_list<SqlValue> values);

// Runs a statement that changes rows and returns how many it changed.
common::Result<std::int64_t> run(stores::Database& db, std::string_view sql,
                                 std::initializer_list<SqlValue> values);

// Times are stored as whole seconds since the Unix epoch, UTC (rounded down).
std::int64_t to_unix(common::SystemTime t);
// Saturates at SystemTime's range (which ends in 2262).
common::SystemTime from_unix(std::int64_t seconds);
SqlValue time_or_null(const std::optional<common::SystemTime>& t);
std::optional<common::SystemTime> optional_time(const stores::Statement& row, int column);

SqlValue text_or_null(std::string_view text);  // "" binds NULL

// Upper-case hex without leading zeros ("0" for zero); accepts any case, ':' and ' ' separators
// and leading zeros. Errc::invalid_argument for anything else.
common::Result<std::string> canonical_serial(std::string_view serial);

// Lower-case hex of 1 to 64 bytes; Errc::invalid_argument for anything else.
common::Result<std::string> canonical_nonce(std::string_view nonce_hex);

}  // namespace ca::detail
