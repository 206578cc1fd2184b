// Reading and writing the values of SCEP's signed attributes (RFC 8894 §3.2.1). Private to
// scep/'s .cpp files.
#pragma once

#include <charconv>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/cms.h"

namespace scep::detail {

inline crypto::cms::Attribute printable(const char* oid, std::string_view value) {
    return crypto::cms::Attribute{oid, crypto::cms::Attribute::Type::printable_string,
                                  crypto::Bytes(value.begin(), value.end())};
}

inline crypto::cms::Attribute octets(const char* oid, const crypto::Bytes& value) {
    return crypto::cms::Attribute{oid, crypto::cms::Attribute::Type::octet_string, value};
}

// The attribute's value as text, or nullopt if the message does not carry it.
inline std::optional<std::string> text_attribute(const crypto::cms::Verified& v, const char* oid) {
    auto value = v.attribute(oid);
    if (!value) return std::nullopt;
    return std::string(value->begin(), value->end());
}

// A decimal PrintableString ("19", "3") as a number; nullopt if it is anything else.
inline std::optional<int> parse_int(std::string_view s) {
    int out = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
    return out;
}

}  // namespace scep::detail
