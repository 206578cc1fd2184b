#include "ca/certificate_profile.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace ca {
namespace {

constexpr std::string_view whitespace = " \t\r";
constexpr std::chrono::seconds max_validity = std::chrono::hours(24 * 36525);  // 100 years

std::string_view trim(std::string_view s) {
    const auto first = s.find_first_not_of(whitespace);
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(whitespace) - first + 1);
}

// Cuts a comment: a line starting with '#' or ';', or one of them after whitespace.
std::string_view strip_comment(std::string_view line) {
    for (std::size_t i = 0; i < line.size(); ++i) {
        const bool starts_comment = line[i] == '#' || line[i] == ';';
        if (starts_comment && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
            return line.substr(0, i);
        }
    }
    return line;
}

std::string lower(std::string_view s) {
    std::string out;
    for (char c : s) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::vector<std::string_view> split_list(std::string_view value) {
    std::vector<std::string_view> out;
    while (true) {
        const auto comma = value.find(',');
        out.push_back(trim(value.substr(0, comma)));
        if (comma == std::string_view::npos) return out;
        value.remove_prefix(comma + 1);
    }
}

bool is_profile_name(std::string_view name) {
    return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' || c == '-';
    });
}

common::Result<crypto::KeyUsageSet> parse_key_usages(std::string_view value) {
    crypto::KeyUsageSet out;
    if (lower(value) == "none") return out;
    for (auto item : split_list(value)) {
        auto usage = crypto::parse_key_usage(item);
        if (!usage) {
            return common::fail(common::Errc::parse,
                                "'" + std::string(item) +
                                    "' is not a key usage (e.g. digitalSignature, "
                                    "keyEncipherment, keyAgreement)");
        }
        if (*usage == crypto::KeyUsage::key_cert_sign || *usage == crypto::KeyUsage::crl_sign) {
            return common::fail(common::Errc::parse, std::string(item) +
                                                         " is for CA certificates; profiles issue "
                                                         "end-entity certificates");
        }
        out.add(*usage);
    }
    return out;
}

common::Result<std::vector<std::string>> parse_extended_key_usages(std::string_view value) {
    std::vector<std::string> out;
    if (lower(value) == "none") return out;
    for (auto item : split_list(value)) {
        auto oid = crypto::parse_extended_key_usage(item);
        if (!oid) {
            return common::fail(
                common::Errc::parse,
                "'" + std::string(item) + "' is not an extended key usage name or OID");
        }
        if (std::find(out.begin(), out.end(), *oid) == out.end()) out.push_back(std::move(*oid));
    }
    return out;
}

common::Result<SanPolicy> parse_san_policy(std::string_view value) {
    const std::string v = lower(value);
    if (v == "copy") return SanPolicy::copy;
    if (v == "require") return SanPolicy::require;
    if (v == "forbid") return SanPolicy::forbid;
    return common::fail(common::Errc::parse,
                        "'" + std::string(value) + "': expected copy, require or forbid");
}

common::Result<std::string> parse_url(std::string_view value) {
    const std::string scheme = lower(value.substr(0, value.find("://")));
    const auto rest = value.find("://") == std::string_view::npos
                          ? std::string_view{}
                          : value.substr(value.find("://") + 3);
    const bool printable =
        std::all_of(value.begin(), value.end(), [](char c) { return c > ' ' && c < 0x7f; });
    if ((scheme != "http" && scheme != "https") || rest.empty() || rest[0] == '/' || !printable) {
        return common::fail(common::Errc::parse,
                            "'" + std::string(value) + "' is not an http:// or https:// URL");
    }
    return std::string(value);
}

// Applies one `key = value` line to profile.
common::Result<void> apply_setting(CertificateProfile& profile, std::string_view key,
                                   std::string_view value) {
    auto wrap = [&](auto result, auto& field) -> common::Result<void> {
        if (!result) return result.error().with_context(std::string(key));
        field = std::move(*result);
        return {};
    };
    if (key == "validity") return wrap(parse_validity(value), profile.validity);
    if (key == "key_usage") return wrap(parse_key_usages(value), profile.key_usage);
    if (key == "extended_key_usage") {
        return wrap(parse_extended_key_usages(value), profile.extended_key_usage);
    }
    if (key == "san") return wrap(parse_san_policy(value), profile.san);
    if (key == "crl_url") return wrap(parse_url(value), profile.crl_url);
    if (key == "ocsp_url") return wrap(parse_url(value), profile.ocsp_url);
    if (key == "ca_issuers_url") return wrap(parse_url(value), profile.ca_issuers_url);
    return common::fail(common::Errc::parse,
                        "unknown profile setting '" + std::string(key) +
                            "' (known: validity, key_usage, extended_key_usage, san, crl_url, "
                            "ocsp_url, ca_issuers_url)");
}

// The name in `profile "NAME"`, "" for another section; an error for a malformed profile header.
common::Result<std::string> profile_section_name(std::string_view header) {
    const auto inside = trim(header);
    const bool is_profile =
        inside.substr(0, 7) == "profile" &&
        (inside.size() == 7 || inside[7] == ' ' || inside[7] == '\t' || inside[7] == '"');
    if (!is_profile) return std::string();
    const auto quoted = trim(inside.substr(7));
    if (quoted.size() < 2 || quoted.front() != '"' || quoted.back() != '"' ||
        !is_profile_name(quoted.substr(1, quoted.size() - 2))) {
        return common::fail(
            common::Errc::parse,
            "expected [profile \"NAME\"] with NAME made of letters, digits, '.', '_', '-'");
    }
    return std::string(quoted.substr(1, quoted.size() - 2));
}

common::Error at_line(std::size_t line, const common::Error& e) {
    return common::Error(common::Errc::parse, "line " + std::to_string(line) + ": " + e.message());
}

}  // namespace

std::string_view to_string(SanPolicy policy) {
    switch (policy) {
        case SanPolicy::copy: return "copy";
        case SanPolicy::require: return "require";
        case SanPolicy::forbid: return "forbid";
    }
    return "?";
}

CertificateProfile default_device_profile() {
    CertificateProfile profile;
    profile.name = "device";
    return profile;
}

common::Result<std::chrono::seconds> parse_validity(std::string_view text) {
    const auto t = trim(text);
    const auto digits = t.find_first_not_of("0123456789");
    auto bad = [&](std::string why) {
        return common::fail(common::Errc::parse,
                            "validity '" + std::string(text) + "': " + std::move(why));
    };
    if (digits == 0 || digits == std::string_view::npos || digits + 1 != t.size()) {
        return bad("expected a whole number and a unit, e.g. 365d, 12h, 30m, 3600s, 2w");
    }
    if (digits > 9) return bad("longer than 100 years");
    const long long n = std::stoll(std::string(t.substr(0, digits)));
    long long unit = 0;
    switch (t[digits]) {
        case 's': unit = 1; break;
        case 'm': unit = 60; break;
        case 'h': unit = 3600; break;
        case 'd': unit = 86400; break;
        case 'w': unit = 7 * 86400; break;
        default: return bad("unknown unit '" + std::string(1, t[digits]) + "' (s, m, h, d, w)");
    }
    const std::chrono::seconds out(n * unit);
    if (out.count() == 0) return bad("must be longer than zero");
    if (out > max_validity) return bad("longer than 100 years");
    return out;
}

CertificateProfiles CertificateProfiles::built_in() {
    CertificateProfiles out;
    auto device = default_device_profile();
    out.m_profiles.emplace(device.name, device);
    return out;
}

common::Result<CertificateProfiles> CertificateProfiles::parse(std::string_view config_text) {
    CertificateProfiles out = built_in();
    std::map<std::string, std::size_t, std::less<>> defined_at;  // profile name -> header line
    CertificateProfile* current = nullptr;
    std::set<std::string, std::less<>> keys_seen;
    std::size_t number = 0;
    for (std::size_t pos = 0; pos <= config_text.size();) {
        const auto eol = std::min(config_text.find('\n', pos), config_text.size());
        const auto line = trim(strip_comment(config_text.substr(pos, eol - pos)));
        pos = eol + 1;
        ++number;
        if (line.empty()) continue;
        if (line.front() == '[') {
            if (line.back() != ']') {
                return at_line(number, {common::Errc::parse, "section header without ']'"});
            }
            auto name = profile_section_name(line.substr(1, line.size() - 2));
            if (!name) return at_line(number, name.error());
            current = nullptr;
            if (name->empty()) continue;
            if (auto first = defined_at.find(*name); first != defined_at.end()) {
                return at_line(number, {common::Errc::parse,
                                        "profile \"" + *name + "\" defined twice (first at line " +
                                            std::to_string(first->second) + ")"});
            }
            defined_at.emplace(*name, number);
            CertificateProfile profile = default_device_profile();
            profile.name = *name;
            current = &(out.m_profiles[*name] = std::move(profile));
            keys_seen.clear();
            continue;
        }
        if (current == nullptr) continue;  // another section's line
        const auto eq = line.find('=');
        if (eq == std::string_view::npos) {
            return at_line(number, {common::Errc::parse, "expected 'name = value'"});
        }
        const auto key = trim(line.substr(0, eq));
        const auto value = trim(line.substr(eq + 1));
        if (value.empty()) {
            return at_line(number, {common::Errc::parse, std::string(key) + ": empty value"});
        }
        if (!keys_seen.emplace(key).second) {
            return at_line(number,
                           {common::Errc::parse, std::string(key) + " set twice in this profile"});
        }
        if (auto ok = apply_setting(*current, key, value); !ok) {
            return at_line(number, ok.error());
        }
    }
    return out;
}

const CertificateProfile* CertificateProfiles::find(std::string_view name) const {
    const auto it = m_profiles.find(name);
    return it == m_profiles.end() ? nullptr : &it->second;
}

std::vector<std::string> CertificateProfiles::names() const {
    std::vector<std::string> out;
    for (const auto& [name, profile] : m_profiles) out.push_back(name);
    return out;
}

}  // namespace ca
