// Helpers for code that talks SQL through stores::Database: binding several values in one call,
// reading all rows or the first one, and times as Unix seconds (how every table of the project
// stores them).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "stores/sqlite.h"

namespace stores {

// One value for a "?N" parameter; nullptr binds SQL NULL, an empty string_view binds ''.
using SqlValue =
    std::variant<std::nullptr_t, std::int64_t, std::string_view, std::span<const std::uint8_t>>;

// Prepares sql and binds values to ?1, ?2, ... in order. The values are copied.
common::Result<Statement> prepare_bound(Database& db, std::string_view sql,
                                        std::initializer_list<SqlValue> values);

// Runs a statement that changes rows and returns how many it changed.
common::Result<std::int64_t> run(Database& db, std::string_view sql,
                                 std::initializer_list<SqlValue> values);

// Times are stored as whole seconds since the Unix epoch, UTC (rounded down).
std::int64_t to_unix(common::SystemTime t);
// Saturates at SystemTime's range (which ends in 2262).
common::SystemTime from_unix(std::int64_t seconds);

SqlValue time_or_null(const std::optional<common::SystemTime>& t);
SqlValue text_or_null(std::string_view text);  // "" binds NULL
std::optional<common::SystemTime> optional_time(const Statement& row, int column);
std::optional<std::int64_t> optional_int(const Statement& row, int column);

// Steps stmt to the end and returns read(row) for every row (read takes a const Statement&).
template <typename Read>
auto read_all(common::Result<Statement> stmt, Read read)
    -> common::Result<std::vector<decltype(read(*stmt))>> {
    using T = decltype(read(*stmt));
    if (!stmt) return stmt.error();
    std::vector<T> out;
    for (;;) {
        auto row = stmt->step();
        if (!row) return row.error();
        if (!*row) return out;
        out.push_back(read(*stmt));
    }
}

// read(row) for the first row of stmt; nullopt when there is none.
template <typename Read>
auto read_first(common::Result<Statement> stmt, Read read)
    -> common::Result<std::optional<decltype(read(*stmt))>> {
    using T = decltype(read(*stmt));
    if (!stmt) return stmt.error();
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) return std::optional<T>();
    return std::optional<T>(read(*stmt));
}

}  // namespace stores
