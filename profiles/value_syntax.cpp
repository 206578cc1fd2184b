#include "profiles/value_syntax.h"

#include <cctype>
#include <limits>

namespace profiles {
namespace {

using common::Errc;
using common::fail;

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

}  // namespace

common::Result<std::string> unquote(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    bool quoted = false;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        const char c = raw[i];
        if (c == '"') {
            quoted = !quoted;
        } else if (quoted && c == '\\' && i + 1 < raw.size() && (raw[i + 1] == '"' || raw[i + 1] == '\\')) {
            out += raw[++i];
        } else {
            out += c;
        }
    }
    if (quoted) return fail(Errc::parse, "unterminated double quote");
    return out;
}

common::Result<std::vector<std::string>> split_words(std::string_view raw, char separator) {
    std::vector<std::string> words;
    std::string_view rest = raw;
    const bool at_space = separator == ' ';
    while (true) {
        bool quoted = false;
        std::size_t end = 0;
        for (; end < rest.size(); ++end) {
            const char c = rest[end];
            if (c == '"') {
                quoted = !quoted;
            } else if (quoted && c == '\\' && end + 1 < rest.size()) {
                ++end;
            } else if (!quoted && (at_space ? is_space(c) : c == separator)) {
                break;
            }
        }
        if (quoted) return fail(Errc::parse, "unterminated double quote");
        const std::string_view piece = at_space ? rest.substr(0, end) : trim(rest.substr(0, end));
        if (!at_space || !piece.empty()) {
            auto word = unquote(piece);
            if (!word) return std::move(word).error();
            words.push_back(std::move(*word));
        }
        if (end >= rest.size()) break;
        rest.remove_prefix(end + 1);
    }
    return words;
}

std::string quote(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + '"';
}

std::string quote_if_needed(std::string_view s) {
    if (s.empty()) return quote(s);
    for (char c : s) {
        if (std::isspace(static_cast<unsigned char>(c)) || c == '"' || c == ';' || c == '#' || c == ',') {
            return quote(s);
        }
    }
    return std::string(s);
}

common::Result<std::chrono::seconds> parse_duration(std::string_view text) {
    constexpr std::int64_t max_seconds = 10LL * 366 * 86400;
    if (text.empty()) return fail(Errc::parse, "empty duration (write e.g. 60s, 5m, 1h, 1d)");
    std::int64_t total = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        std::int64_t number = 0;
        std::size_t digits = 0;
        for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i, ++digits) {
            if (digits >= 10) return fail(Errc::parse, "duration '" + std::string(text) + "' is too long");
            number = number * 10 + (text[i] - '0');
        }
        if (digits == 0) {
            return fail(Errc::parse, "'" + std::string(text) + "' is not a duration (write e.g. 60s, 5m, 1h, 1d)");
        }
        if (i == text.size()) {
            return fail(Errc::parse, "duration '" + std::string(text) + "' needs a unit (s, m, h or d)");
        }
        std::int64_t unit = 0;
        switch (text[i]) {
            case 's': unit = 1; break;
            case 'm': unit = 60; break;
            case 'h': unit = 3600; break;
            case 'd': unit = 86400; break;
            default:
                return fail(Errc::parse, "unknown unit '" + std::string(1, text[i]) + "' in duration '" +
                                             std::string(text) + "' (s, m, h or d)");
        }
        ++i;
        total += number * unit;
        if (total > max_seconds) return fail(Errc::parse, "duration '" + std::string(text) + "' is longer than ten years");
    }
    return std::chrono::seconds(total);
}

std::string format_duration(std::chrono::seconds d) {
    const auto s = d.count();
    if (s != 0 && s % 86400 == 0) return std::to_string(s / 86400) + "d";
    if (s != 0 && s % 3600 == 0) return std::to_string(s / 3600) + "h";
    if (s != 0 && s % 60 == 0) return std::to_string(s / 60) + "m";
    return std::to_string(s) + "s";
}

common::Result<bool> parse_bool(std::string_view text) {
    for (std::string_view t : {"true", "yes", "on", "1"}) {
        if (iequals(text, t)) return true;
    }
    for (std::string_view f : {"false", "no", "off", "0"}) {
        if (iequals(text, f)) return false;
    }
    return fail(Errc::parse, "'" + std::string(text) + "' is not a boolean (true or false)");
}

common::Result<Sha256Fingerprint> parse_fingerprint(std::string_view text) {
    std::string_view hex = text;
    if (const auto colon = text.find(':'); colon != std::string_view::npos && colon != 2) {
        const auto algorithm = text.substr(0, colon);
        if (!iequals(algorithm, "sha256")) {
            return fail(Errc::parse, "only SHA-256 fingerprints are accepted, not '" + std::string(algorithm) + "'");
        }
        hex = text.substr(colon + 1);
    }
    std::string digits;
    const bool with_colons = hex.find(':') != std::string_view::npos;
    for (std::size_t i = 0; i < hex.size(); ++i) {
        if (with_colons && i % 3 == 2) {
            if (hex[i] != ':') return fail(Errc::parse, "fingerprint: expected ':' between bytes (AB:CD:...)");
            continue;
        }
        if (hex_value(hex[i]) < 0) {
            return fail(Errc::parse, "fingerprint: '" + std::string(1, hex[i]) + "' is not a hex digit");
        }
        digits += hex[i];
    }
    if (with_colons && !hex.empty() && hex.back() == ':') {
        return fail(Errc::parse, "fingerprint: trailing ':'");
    }
    if (digits.size() != 64) {
        return fail(Errc::parse, "fingerprint has " + std::to_string(digits.size() / 2) +
                                     (digits.size() % 2 ? ".5" : "") +
                                     " bytes, a SHA-256 fingerprint has 32 (64 hex digits)");
    }
    Sha256Fingerprint fp{};
    for (std::size_t i = 0; i < fp.size(); ++i) {
        fp[i] = static_cast<std::uint8_t>(hex_value(digits[2 * i]) * 16 + hex_value(digits[2 * i + 1]));
    }
    return fp;
}

std::string format_fingerprint(const Sha256Fingerprint& fp) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out = "sha256:";
    for (std::size_t i = 0; i < fp.size(); ++i) {
        if (i != 0) out += ':';
        out += hex[fp[i] >> 4];
        out += hex[fp[i] & 0xf];
    }
    return out;
}

common::Result<void> check_url(std::string_view url) {
    for (char c : url) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
            return fail(Errc::parse, "URL contains whitespace or a control character");
        }
    }
    std::string_view rest;
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return fail(Errc::parse, "'" + std::string(url) + "' is not a URL (http://... or https://...)");
    const auto scheme = url.substr(0, scheme_end);
    if (!iequals(scheme, "http") && !iequals(scheme, "https")) {
        return fail(Errc::parse, "URL scheme '" + std::string(scheme) + "' is not http or https");
    }
    rest = url.substr(scheme_end + 3);
    if (rest.find('#') != std::string_view::npos) return fail(Errc::parse, "URL must not have a fragment ('#')");
    const auto authority = rest.substr(0, rest.find_first_of("/?"));
    if (authority.find('@') != std::string_view::npos) {
        return fail(Errc::parse, "URL must not carry credentials (user@host); use username and password");
    }
    std::string_view host = authority;
    std::string_view port;
    bool has_port = false;
    if (!host.empty() && host.front() == '[') {
        const auto close = host.find(']');
        if (close == std::string_view::npos) return fail(Errc::parse, "URL: unterminated IPv6 literal");
        const auto literal = host.substr(1, close - 1);
        if (literal.empty() || literal.find_first_not_of("0123456789abcdefABCDEF:.") != std::string_view::npos) {
            return fail(Errc::parse, "URL: bad IPv6 literal");
        }
        const auto after = host.substr(close + 1);
        if (!after.empty() && after.front() != ':') return fail(Errc::parse, "URL: junk after IPv6 literal");
        if (!after.empty()) {
            port = after.substr(1);
            has_port = true;
        }
        host = literal;
    } else if (const auto colon = host.find(':'); colon != std::string_view::npos) {
        port = host.substr(colon + 1);
        host = host.substr(0, colon);
        has_port = true;
    } else if (host.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") !=
               std::string_view::npos) {
        return fail(Errc::parse, "URL: bad character in host '" + std::string(host) + "'");
    }
    if (host.empty()) return fail(Errc::parse, "URL has no host");
    if (host.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:") !=
        std::string_view::npos) {
        return fail(Errc::parse, "URL: bad character in host '" + std::string(host) + "'");
    }
    if (authority.find('[') == std::string_view::npos && host.find(':') != std::string_view::npos) {
        return fail(Errc::parse, "URL: bad host");
    }
    if (has_port) {
        if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos) {
            return fail(Errc::parse, "URL: port '" + std::string(port) + "' is not a number");
        }
        const int n = std::stoi(std::string(port));
        if (n < 1 || n > 65535) return fail(Errc::parse, "URL: port " + std::to_string(n) + " is out of range 1..65535");
    }
    return {};
}

}  // namespace profiles
