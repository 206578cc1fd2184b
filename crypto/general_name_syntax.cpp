#include "crypto/general_name_syntax.h"

#include <cstddef>
#include <cstring>

namespace crypto::detail {
namespace {

bool is_ldh(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

bool is_label(std::string_view label) {
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
        return false;
    }
    for (char c : label) {
        if (!is_ldh(c)) {
            return false;
        }
    }
    return true;
}

// RFC 5322 §3.2.3 atext.
bool is_atext(char c) {
    return is_ldh(c) || std::strchr("!#$%&'*+/=?^_`{|}~", c) != nullptr;
}

bool is_dot_string(std::string_view s) {
    if (s.empty() || s.front() == '.' || s.back() == '.') {
        return false;
    }
    char previous = '\0';
    for (char c : s) {
        if (c == '.' ? previous == '.' : !is_atext(c)) {
            return false;
        }
        previous = c;
    }
    return true;
}

// RFC 5321 §4.1.2 Quoted-string: printable ASCII between quotes, '\' escapes one character.
bool is_quoted_string(std::string_view s) {
    if (s.size() < 2 || s.front() != '"' || s.back() != '"') {
        return false;
    }
    for (std::size_t i = 1; i + 1 < s.size(); ++i) {
        const char c = s[i];
        if (c < 0x20 || c > 0x7e) {
            return false;
        }
        if (c == '\\') {
            if (++i + 1 >= s.size()) {
                return false;
            }
        } else if (c == '"') {
            return false;
        }
    }
    return true;
}

char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) {
            return false;
        }
    }
    return true;
}

// True if name equals domain or ends with "." + domain (case-insensitive).
bool within_domain(std::string_view name, std::string_view domain) {
    if (name.size() == domain.size()) {
        return iequals(name, domain);
    }
    return name.size() > domain.size() && name[name.size() - domain.size() - 1] == '.' &&
           iequals(name.substr(name.size() - domain.size()), domain);
}

}  // namespace

bool is_dns_name(std::string_view name, bool allow_wildcard) {
    if (name.empty() || name.size() > 253) {
        return false;
    }
    const bool wildcard = allow_wildcard && name.size() > 2 && name.substr(0, 2) == "*.";
    std::string_view rest = wildcard ? name.substr(2) : name;
    while (true) {
        const std::size_t dot = rest.find('.');
        if (!is_label(rest.substr(0, dot))) {
            return false;
        }
        if (dot == std::string_view::npos) {
            break;
        }
        rest.remove_prefix(dot + 1);
    }
    return true;
}

bool is_dns_constraint(std::string_view base) {
    return base.empty() || is_dns_name(base, false);
}

bool is_mailbox(std::string_view name) {
    const std::size_t at = name.rfind('@');
    if (at == std::string_view::npos || at == 0) {
        return false;
    }
    const std::string_view local = name.substr(0, at);
    const bool local_ok = local.front() == '"' ? is_quoted_string(local) : is_dot_string(local);
    return local_ok && is_dns_name(name.substr(at + 1), false);
}

bool is_email_constraint(std::string_view base) {
    if (base.find('@') != std::string_view::npos) {
        return is_mailbox(base);
    }
    if (!base.empty() && base.front() == '.') {
        return is_dns_name(base.substr(1), false);
    }
    return is_dns_name(base, false);
}

bool is_ip_constraint(const unsigned char* data, int length) {
    if (length != 8 && length != 32) {
        return false;
    }
    const int half = length / 2;
    bool zero_seen = false;
    for (int i = half; i < length; ++i) {
        for (int bit = 7; bit >= 0; --bit) {
            const bool one = ((data[i] >> bit) & 1) != 0;
            if (one && zero_seen) {
                return false;
            }
            zero_seen = zero_seen || !one;
        }
    }
    return true;
}

bool wildcard_meets_subtree(std::string_view wildcard, std::string_view base) {
    if (base.empty()) {
        return true;
    }
    const std::string_view domain = wildcard.substr(2);
    if (within_domain(domain, base)) {
        return true;  // every name the wildcard stands for is inside base
    }
    // base = "<label>.<domain>": the wildcard stands for base itself.
    return base.size() > domain.size() + 1 && within_domain(base, domain) &&
           base.substr(0, base.size() - domain.size() - 1).find('.') == std::string_view::npos;
}

}  // namespace crypto::detail
