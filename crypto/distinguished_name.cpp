#include "crypto/distinguished_name.h"

#include <cctype>

namespace crypto {
namespace {

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return std::string(s);
}

common::Unexpected dn_error(std::string_view text, std::string_view why) {
    return common::fail(common::Errc::invalid_argument,
                        "distinguished name '" + std::string(text) + "': " + std::string(why));
}

}  // namespace

common::Result<std::vector<DnAttribute>> parse_distinguished_name(std::string_view text) {
    std::vector<DnAttribute> out;
    std::size_t i = 0;
    const std::size_t n = text.size();
    while (i < n) {
        const std::size_t eq = text.find('=', i);
        if (eq == std::string_view::npos) return dn_error(text, "missing '='");
        std::string type = trim(text.substr(i, eq - i));
        if (type.empty()) return dn_error(text, "empty attribute type");
        for (char c : type) {
            if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '.' && c != '-') {
                return dn_error(text, "invalid attribute type '" + type + "'");
            }
        }
        std::string value;
        std::size_t trailing_spaces = 0;  // unescaped spaces at the end are not part of the value
        i = eq + 1;
        while (i < n && text[i] == ' ') ++i;
        for (; i < n && text[i] != ',' && text[i] != '+'; ++i) {
            const char c = text[i];
            if (c != '\\') {
                value += c;
                trailing_spaces = c == ' ' ? trailing_spaces + 1 : 0;
                continue;
            }
            if (i + 1 >= n) return dn_error(text, "dangling escape");
            const int hi = hex_digit(text[i + 1]);
            const int lo = i + 2 < n ? hex_digit(text[i + 2]) : -1;
            if (hi >= 0 && lo >= 0) {
                value += static_cast<char>(hi * 16 + lo);
                i += 2;
            } else {
                value += text[i + 1];
                ++i;
            }
            trailing_spaces = 0;
        }
        value.resize(value.size() - trailing_spaces);
        out.push_back(DnAttribute{std::move(type), std::move(value)});
        if (i < n) {
            ++i;  // skip ',' or '+'
            if (i >= n) return dn_error(text, "trailing separator");
        }
    }
    if (out.empty()) return dn_error(text, "empty");
    return out;
}

}  // namespace crypto
