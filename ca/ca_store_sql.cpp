#include "ca/ca_store_sql.h"

#include <algorithm>
#include <cctype>
#include <chrono>

namespace ca::detail {

using common::Errc;

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
