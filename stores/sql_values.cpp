#include "stores/sql_values.h"

#include <chrono>
#include <type_traits>

namespace stores {

common::Result<Statement> prepare_bound(Database& db, std::string_view sql,
                                        std::initializer_list<SqlValue> values) {
    auto stmt = db.prepare(sql);
    if (!stmt) return stmt;
    int index = 1;
    for (const SqlValue& value : values) {
        const common::Result<void> bound = std::visit(
            [&](const auto& v) -> common::Result<void> {
                using T = std::decay_t<decltype(v)>;
                if constexpr (std::is_same_v<T, std::nullptr_t>) {
                    return stmt->bind_null(index);
                } else if constexpr (std::is_same_v<T, std::int64_t>) {
                    return stmt->bind_int64(index, v);
                } else if constexpr (std::is_same_v<T, std::string_view>) {
                    return stmt->bind_text(index, v);
                } else {
                    return stmt->bind_blob(index, v);
                }
            },
            value);
        if (!bound) return bound.error();
        ++index;
    }
    return stmt;
}

common::Result<std::int64_t> run(Database& db, std::string_view sql,
                                 std::initializer_list<SqlValue> values) {
    auto stmt = prepare_bound(db, sql, values);
    if (!stmt) return stmt.error();
    if (auto done = stmt->execute(); !done) return done.error();
    return db.changes();
}

std::int64_t to_unix(common::SystemTime t) {
    return std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
}

common::SystemTime from_unix(std::int64_t seconds) {
    using std::chrono::duration_cast;
    constexpr auto max_seconds =
        duration_cast<std::chrono::seconds>(common::SystemTime::duration::max()).count();
    constexpr auto min_seconds =
        duration_cast<std::chrono::seconds>(common::SystemTime::duration::min()).count();
    if (seconds >= max_seconds) return common::SystemTime::max();
    if (seconds <= min_seconds) return common::SystemTime::min();
    return common::SystemTime{} + std::chrono::seconds(seconds);
}

SqlValue time_or_null(const std::optional<common::SystemTime>& t) {
    if (!t) return nullptr;
    return to_unix(*t);
}

SqlValue text_or_null(std::string_view text) {
    if (text.empty()) return nullptr;
    return text;
}

std::optional<common::SystemTime> optional_time(const Statement& row, int column) {
    if (row.column_is_null(column)) return std::nullopt;
    return from_unix(row.column_int64(column));
}

std::optional<std::int64_t> optional_int(const Statement& row, int column) {
    if (row.column_is_null(column)) return std::nullopt;
    return row.column_int64(column);
}

}  // namespace stores
