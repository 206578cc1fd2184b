#include "ca/ca_store_sql.h"

#include <algorithm>
#include <cctype>
#include <chrono>

namespace ca::detail {

using common::Errc;

common::Result<stores::Statement> prepare_bound(stores::Database& db, std::string_view sql,
                                                std::initializer_list<SqlValue> values) {
    auto stmt = db.prepare(sql);
    if (!stmt) {
        return stmt;
    }
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
        if (!bound) {
            return bound.error();
        }
        ++index;
    }
    return stmt;
}

common::Result<std::int64_t> run(stores::Database& db, std::string_view sql,
                                 std::initializer_list<SqlValue> values) {
    auto stmt = prepare_bound(db, sql, values);
    if (!stmt) {
        return stmt.error();
    }
    if (auto done = stmt->execute(); !done) {
        return done.error();
    }
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
    if (seconds >= max_seconds) {
        return common::SystemTime::max();
    }
    if (seconds <= min_seconds) {
        return common::SystemTime::min();
    }
    return common::SystemTime{} + std::chrono::seconds(seconds);
}

SqlValue time_or_null(const std::optional<common::SystemTime>& t) {
    if (!t) {
        return nullptr;
    }
    return to_unix(*t);
}

std::optional<common::SystemTime> optional_time(const stores::Statement& row, int column) {
    if (row.column_is_null(column)) {
        return std::nullopt;
    }
    return from_unix(row.column_int64(column));
}

SqlValue text_or_null(std::string_view text) {
    if (text.empty()) {
        return nullptr;
    }
    return text;
}

common::Result<std::string> canonical_serial(std::string_view serial) {
    constexpr std::size_t max_digits = 2 * 20;  // RFC 5280 §4.1.2.2: at most 20 octets
    std::string digits;
    for (const char c : serial) {
        if (c == ':' || c == ' ') {
            continue;
        }
        if (std::isxdigit(static_cast<unsigned char>(c)) == 0) {
            return common::fail(Errc::invalid_argument, "serial is not hex: " + std::string(serial));
        }
        if (digits.empty() && c == '0') {
            continue;
        }
        digits += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    if (digits.size() > max_digits) {
        return common::fail(Errc::invalid_argument, "serial too long: " + std::string(serial));
    }
    if (digits.empty()) {
        const bool had_zero = serial.find('0') != std::string_view::npos;
        if (!had_zero) {
            return common::fail(Errc::invalid_argument, "empty serial");
        }
        digits = "0";
    }
    return digits;
}

common::Result<std::string> canonical_nonce(std::string_view nonce_hex) {
    constexpr std::size_t max_bytes = 64;
    if (nonce_hex.empty() || nonce_hex.size() % 2 != 0 || nonce_hex.size() > 2 * max_bytes) {
        return common::fail(Errc::invalid_argument,
                            "nonce must be hex of 1 to " + std::to_string(max_bytes) + " bytes");
    }
    std::string out;
    out.reserve(nonce_hex.size());
    for (const char c : nonce_hex) {
        if (std::isxdigit(static_cast<unsigned char>(c)) == 0) {
            return common::fail(Errc::invalid_argument, "nonce is not hex");
        }
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

}  // namespace ca::detail
