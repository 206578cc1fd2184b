#include "profiles/profile_validator.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "profiles/device_variables.h"
#include "profiles/profile_keys.h"
#include "profiles/value_syntax.h"

namespace profiles {
namespace {

using common::Errc;
using common::fail;
using std::chrono::seconds;

common::Result<void> problem(std::string message) { return fail(Errc::parse, std::move(message)); }

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

common::Result<void> check_printable(std::string_view s) {
    for (char c : s) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            return problem("value contains a control character");
        }
    }
    return {};
}

common::Result<void> check_secret(std::string_view s) {
    if (s == redacted_text) {
        return problem("value is the redaction placeholder '(secret)', not a secret; write the real value");
    }
    return {};
}

common::Result<seconds> duration_in(std::string_view text, seconds low, seconds high) {
    auto d = parse_duration(text);
    if (!d) return std::move(d).error();
    if (*d < low || *d > high) {
        return fail(Errc::parse, "duration " + format_duration(*d) + " is out of range " +
                                     format_duration(low) + ".." + format_duration(high));
    }
    return *d;
}

// "CN=${MAC},O=Example": comma-separated ATTRIBUTE=value pairs; "\," escapes a comma.
common::Result<void> check_subject(std::string_view dn) {
    if (auto t = check_template(dn); !t) return t;
    std::vector<std::string> parts{""};
    for (std::size_t i = 0; i < dn.size(); ++i) {
        if (dn[i] == '\\' && i + 1 < dn.size()) {
            parts.back() += dn.substr(i, 2);
            ++i;
        } else if (dn[i] == ',') {
            parts.emplace_back();
        } else {
            parts.back() += dn[i];
        }
    }
    for (const auto& part : parts) {
        const auto eq = part.find('=');
        if (eq == std::string::npos) return problem("'" + part + "' is not ATTRIBUTE=value (subject is a DN like CN=${MAC},O=Example)");
        std::string_view attribute(part.data(), eq);
        while (!attribute.empty() && attribute.front() == ' ') attribute.remove_prefix(1);
        while (!attribute.empty() && attribute.back() == ' ') attribute.remove_suffix(1);
        if (attribute.empty() ||
            attribute.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") !=
                std::string_view::npos) {
            return problem("'" + std::string(attribute) + "' is not a DN attribute name");
        }
        if (part.find_first_not_of(' ', eq + 1) == std::string::npos) {
            return problem("DN attribute " + std::string(attribute) + " has an empty value");
        }
    }
    return {};
}

common::Result<SubjectAltName> parse_san(std::string_view text) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) return fail(Errc::parse, "expected TYPE:VALUE with TYPE dns, ip, email or uri");
    const auto type = text.substr(0, colon);
    const auto value = text.substr(colon + 1);
    SubjectAltName san;
    san.value = std::string(value);
    if (iequals(type, "dns")) {
        san.type = SanType::dns;
    } else if (iequals(type, "ip")) {
        san.type = SanType::ip;
    } else if (iequals(type, "email")) {
        san.type = SanType::email;
    } else if (iequals(type, "uri")) {
        san.type = SanType::uri;
    } else {
        return fail(Errc::parse, "unknown subjectAltName type '" + std::string(type) + "' (dns, ip, email or uri)");
    }
    if (value.empty()) return fail(Errc::parse, "empty subjectAltName value");
    if (value.find_first_of(" \t") != std::string_view::npos) return fail(Errc::parse, "subjectAltName value contains whitespace");
    if (auto t = check_template(value); !t) return std::move(t).error();
    if (value.find("${") != std::string_view::npos) return san;  // checked after expansion
    switch (san.type) {
        case SanType::dns:
            if (value.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-*_") !=
                std::string_view::npos) {
                return fail(Errc::parse, "'" + san.value + "' is not a DNS name");
            }
            break;
        case SanType::ip: {
            unsigned char buf[16];
            if (inet_pton(AF_INET, san.value.c_str(), buf) != 1 && inet_pton(AF_INET6, san.value.c_str(), buf) != 1) {
                return fail(Errc::parse, "'" + san.value + "' is not an IPv4 or IPv6 address");
            }
            break;
        }
        case SanType::email: {
            const auto at = value.find('@');
            if (at == 0 || at == std::string_view::npos || at + 1 == value.size()) {
                return fail(Errc::parse, "'" + san.value + "' is not an e-mail address");
            }
            break;
        }
        case SanType::uri:
            if (value.find(':') == std::string_view::npos || value.front() == ':') {
                return fail(Errc::parse, "'" + san.value + "' is not a URI (scheme:...)");
            }
            break;
    }
    return san;
}

common::Result<KeyType> parse_key_type(std::string_view text) {
    for (auto k : {KeyType::rsa_2048, KeyType::rsa_3072, KeyType::rsa_4096, KeyType::ec_p256, KeyType::ec_p384}) {
        if (iequals(text, to_string(k))) return k;
    }
    return fail(Errc::parse, "unknown key type '" + std::string(text) +
                                 "' (rsa:2048, rsa:3072, rsa:4096, ec:P-256 or ec:P-384)");
}

common::Result<RevocationPolicy> parse_revocation(const std::vector<std::string>& words) {
    if (words.empty() || words.size() > 2) {
        return fail(Errc::parse, "expected METHODS [hard-fail|soft-fail], e.g. 'ocsp,crl hard-fail' or 'off'");
    }
    RevocationPolicy policy;
    policy.methods.clear();
    if (words[0] == "off") {
        if (words.size() == 2) return fail(Errc::parse, "'off' takes no failure mode");
        return policy;
    }
    auto methods = split_words(words[0], ',');
    if (!methods) return std::move(methods).error();
    for (const auto& m : *methods) {
        RevocationMethod method;
        if (m == "ocsp") {
            method = RevocationMethod::ocsp;
        } else if (m == "crl") {
            method = RevocationMethod::crl;
        } else {
            return fail(Errc::parse, "unknown revocation method '" + m + "' (ocsp, crl, or off alone)");
        }
        if (std::find(policy.methods.begin(), policy.methods.end(), method) != policy.methods.end()) {
            return fail(Errc::parse, "revocation method '" + m + "' listed twice");
        }
        policy.methods.push_back(method);
    }
    if (words.size() == 2) {
        if (words[1] == "hard-fail") {
            policy.on_unknown = UnknownRevocation::hard_fail;
        } else if (words[1] == "soft-fail") {
            policy.on_unknown = UnknownRevocation::soft_fail;
        } else {
            return fail(Errc::parse, "unknown failure mode '" + words[1] + "' (hard-fail or soft-fail)");
        }
    }
    return policy;
}

common::Result<PeerTrustAnchor> parse_peer_trust_anchor(const std::vector<std::string>& words) {
    if (words.size() != 2) return fail(Errc::parse, "expected 'URL sha256:FINGERPRINT'");
    if (auto u = check_url(words[0]); !u) return std::move(u).error();
    auto fp = parse_fingerprint(words[1]);
    if (!fp) return std::move(fp).error();
    return PeerTrustAnchor{words[0], *fp};
}

bool valid_account(std::string_view s) {
    if (s.empty() || s.size() > 32) return false;
    if (s.find_first_not_of("0123456789") == std::string_view::npos) return true;
    const unsigned char first = static_cast<unsigned char>(s.front());
    return (std::isalpha(first) || s.front() == '_') &&
           s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
               std::string_view::npos;
}

common::Result<StoreTarget> parse_store(const std::vector<std::string>& words) {
    if (words.empty()) return fail(Errc::parse, "expected FORMAT:PATH [OPTION=VALUE...]");
    StoreTarget store;
    const auto& target = words[0];
    const auto colon = target.find(':');
    const std::string format = target.substr(0, colon == std::string::npos ? 0 : colon);
    if (format == "pem") {
        store.format = StoreFormat::pem;
    } else if (format == "der") {
        store.format = StoreFormat::der;
    } else if (format == "pkcs12") {
        store.format = StoreFormat::pkcs12;
    } else {
        return fail(Errc::parse, "'" + target + "': expected pem:DIR, der:DIR or pkcs12:FILE");
    }
    store.path = target.substr(colon + 1);
    if (store.path.empty() || store.path.front() != '/') {
        return fail(Errc::parse, "store path '" + store.path + "' is not absolute");
    }
    if (auto p = check_printable(store.path); !p) return std::move(p).error();
    if (("/" + store.path + "/").find("/../") != std::string::npos) {
        return fail(Errc::parse, "store path '" + store.path + "' contains '..'");
    }
    if (store.format == StoreFormat::pkcs12 && store.path.back() == '/') {
        return fail(Errc::parse, "a pkcs12 store is a file, not a directory: '" + store.path + "'");
    }
    std::vector<std::string> seen;
    for (std::size_t i = 1; i < words.size(); ++i) {
        const auto eq = words[i].find('=');
        if (eq == std::string::npos) return fail(Errc::parse, "store option '" + words[i] + "' is not NAME=VALUE");
        const std::string name = words[i].substr(0, eq);
        const std::string value = words[i].substr(eq + 1);
        if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
            return fail(Errc::parse, "store option '" + name + "' given twice");
        }
        seen.push_back(name);
        if (name == "owner" || name == "group") {
            if (!valid_account(value)) return fail(Errc::parse, "store " + name + " '" + value + "' is not a name or number");
            (name == "owner" ? store.owner : store.group) = value;
        } else if (name == "mode") {
            if (value.size() < 3 || value.size() > 4 || value.find_first_not_of("01234567") != std::string::npos) {
                return fail(Errc::parse, "store mode '" + value + "' is not octal like 0640");
            }
            store.mode = static_cast<std::uint32_t>(std::stoul(value, nullptr, 8));
            if (store.mode > 0777) return fail(Errc::parse, "store mode " + value + " sets special bits");
            if ((store.mode & 0007) != 0) {
                return fail(Errc::parse, "store mode " + value + " grants access to others; the store holds a private key");
            }
            if ((store.mode & 0400) == 0) return fail(Errc::parse, "store mode " + value + " does not let the owner read");
        } else if (name == "layout") {
            if (store.format != StoreFormat::pem) return fail(Errc::parse, "layout applies to pem stores only");
            if (value == "separate") {
                store.layout = PemLayout::separate;
            } else if (value == "fullchain") {
                store.layout = PemLayout::fullchain;
            } else if (value == "combined") {
                store.layout = PemLayout::combined;
            } else {
                return fail(Errc::parse, "unknown layout '" + value + "' (separate, fullchain or combined)");
            }
        } else if (name == "passphrase") {
            if (store.format != StoreFormat::pkcs12) return fail(Errc::parse, "passphrase applies to pkcs12 stores only");
            if (value.empty()) return fail(Errc::parse, "empty passphrase");
            if (auto s = check_secret(value); !s) return std::move(s).error();
            store.passphrase = Secret(value);
        } else {
            return fail(Errc::parse, "unknown store option '" + name + "' (owner, group, mode, layout, passphrase)");
        }
    }
    if (store.format == StoreFormat::pkcs12 && !store.passphrase) {
        return fail(Errc::parse, "a pkcs12 store needs passphrase=...");
    }
    return store;
}

}  // namespace

bool valid_profile_name(std::string_view name) {
    return !name.empty() && name.size() <= 64 &&
           name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
               std::string_view::npos;
}

// Fills a Profile key by key; the only code that writes Profile's members.
class ProfileBuilder {
public:
    ProfileBuilder(const RawProfile& raw, std::vector<Diagnostic>& out) : m_raw(raw), m_out(out) {}

    std::optional<Profile> build() {
        m_profile.m_name = m_raw.name;
        m_profile.m_origin_file = m_raw.file;
        m_profile.m_origin_line = m_raw.line;
        if (!valid_profile_name(m_raw.name)) {
            report(m_raw.line, "", "profile name '" + m_raw.name + "' must be 1..64 of A-Z a-z 0-9 . _ -");
        }
        for (const auto& entry : m_raw.entries) take(entry);
        check_combinations();
        if (m_failed) return std::nullopt;
        return m_profile;
    }

private:
    void report(std::size_t line, std::string_view key, std::string message) {
        m_out.push_back(Diagnostic{m_raw.file, line, std::string(key), std::move(message)});
        m_failed = true;
    }

    std::size_t line_of(std::string_view key) const {
        const auto it = m_seen.find(std::string(key));
        return it == m_seen.end() ? m_raw.line : it->second;
    }
    bool given(std::string_view key) const { return m_seen.count(std::string(key)) > 0; }

    void take(const RawEntry& entry) {
        const KeyInfo* key = find_key(entry.key);
        if (key == nullptr) {
            report(entry.line, entry.key, "unknown key");
            return;
        }
        if (const auto first = m_seen.find(entry.key); first != m_seen.end() && !key->repeatable) {
            report(entry.line, entry.key, "duplicate key (first given on line " + std::to_string(first->second) + ")");
            return;
        }
        m_seen.emplace(entry.key, entry.line);
        const auto applied = key->syntax == ValueSyntax::text ? apply_text(*key, entry.value)
                                                              : apply_words(*key, entry.value);
        if (!applied) report(entry.line, entry.key, applied.error().message());
    }

    common::Result<void> apply_text(const KeyInfo& key, std::string_view raw) {
        auto cooked = unquote(raw);
        if (!cooked) return std::move(cooked).error();
        const std::string& v = *cooked;
        if (v.empty()) return problem("empty value (leave the key out to get the default)");
        if (auto p = check_printable(v); !p) return p;
        if (key.secret) {
            if (auto s = check_secret(v); !s) return s;
        }
        auto& p = m_profile;
        const std::string_view name = key.name;
        if (name == "enabled") {
            auto b = parse_bool(v);
            if (!b) return std::move(b).error();
            p.m_enabled = *b;
        } else if (name == "protocol") {
            if (!iequals(v, "scep")) return problem("unsupported protocol '" + v + "' (only scep for now)");
            p.m_protocol = Protocol::scep;
        } else if (name == "url") {
            if (auto u = check_url(v); !u) return u;
            p.m_url = v;
        } else if (name == "ca_identifier") {
            p.m_ca_identifier = v;
        } else if (name == "ca_fingerprint") {
            auto fp = parse_fingerprint(v);
            if (!fp) return std::move(fp).error();
            p.m_ca_fingerprint = *fp;
        } else if (name == "subject") {
            if (auto s = check_subject(v); !s) return s;
            p.m_subject = v;
        } else if (name == "san") {
            auto san = parse_san(v);
            if (!san) return std::move(san).error();
            if (std::find(p.m_subject_alt_names.begin(), p.m_subject_alt_names.end(), *san) !=
                p.m_subject_alt_names.end()) {
                return problem("subjectAltName '" + v + "' given twice");
            }
            p.m_subject_alt_names.push_back(std::move(*san));
        } else if (name == "key") {
            auto k = parse_key_type(v);
            if (!k) return std::move(k).error();
            p.m_key_type = *k;
        } else if (name == "challenge") {
            p.m_challenge = Secret(v);
        } else if (name == "username") {
            if (v.find(':') != std::string::npos) return problem("user name must not contain ':'");
            p.m_username = v;
        } else if (name == "password") {
            p.m_password = Secret(v);
        } else if (name == "renew_at_percent") {
            if (v.size() > 3 || v.find_first_not_of("0123456789") != std::string::npos) {
                return problem("'" + v + "' is not a whole number 1..99");
            }
            const int n = std::stoi(v);
            if (n < 1 || n > 99) return problem(std::to_string(n) + " is out of range 1..99");
            p.m_renew_at_percent = static_cast<unsigned>(n);
        } else {
            return apply_duration(name, v);
        }
        return {};
    }

    common::Result<void> apply_duration(std::string_view name, std::string_view v) {
        struct Range {
            std::string_view key;
            seconds low, high;
            seconds Profile::*field;
        };
        static const Range ranges[] = {
            {"poll_interval", seconds(1), seconds(86400), &Profile::m_poll_interval},
            {"poll_window", seconds(60), seconds(30 * 86400), &Profile::m_poll_window},
            {"post_install_timeout", seconds(1), seconds(3600), &Profile::m_post_install_timeout},
        };
        for (const auto& r : ranges) {
            if (r.key != name) continue;
            auto d = duration_in(v, r.low, r.high);
            if (!d) return std::move(d).error();
            m_profile.*r.field = *d;
            return {};
        }
        if (name == "retry_min" || name == "retry_max") {
            auto d = duration_in(v, seconds(1), seconds(7 * 86400));
            if (!d) return std::move(d).error();
            (name == "retry_min" ? m_profile.m_retry.minimum : m_profile.m_retry.maximum) = *d;
            return {};
        }
        if (name == "revocation_max_age") {
            auto d = duration_in(v, seconds(60), seconds(366 * 86400));
            if (!d) return std::move(d).error();
            m_profile.m_revocation_max_age = *d;
            return {};
        }
        return fail(Errc::internal, "key without a reader: " + std::string(name));
    }

    common::Result<void> apply_words(const KeyInfo& key, std::string_view raw) {
        auto words = split_words(raw);
        if (!words) return std::move(words).error();
        if (words->empty()) return problem("empty value (leave the key out to get the default)");
        for (const auto& w : *words) {
            if (auto p = check_printable(w); !p) return p;
        }
        auto& p = m_profile;
        if (key.name == "revocation") {
            auto r = parse_revocation(*words);
            if (!r) return std::move(r).error();
            p.m_revocation = std::move(*r);
        } else if (key.name == "peer_trust_anchor") {
            auto a = parse_peer_trust_anchor(*words);
            if (!a) return std::move(a).error();
            p.m_peer_trust_anchors.push_back(std::move(*a));
        } else if (key.name == "store") {
            auto s = parse_store(*words);
            if (!s) return std::move(s).error();
            for (const auto& other : p.m_stores) {
                if (other.path == s->path) return problem("store path '" + s->path + "' given twice");
            }
            p.m_stores.push_back(std::move(*s));
        } else if (key.name == "post_install") {
            if ((*words)[0].empty()) return problem("empty command name");
            p.m_post_install = std::move(*words);
        } else {
            return fail(Errc::internal, "key without a reader: " + std::string(key.name));
        }
        return {};
    }

    void check_combinations() {
        for (const auto& key : profile_keys()) {
            if (key.required && !given(key.name)) report(m_raw.line, key.name, "required key is missing");
        }
        const auto& p = m_profile;
        if (given("challenge") && (given("username") || given("password"))) {
            report(line_of("challenge"), "challenge", "challenge and username/password exclude each other; give one");
        } else if (given("username") != given("password")) {
            const auto missing = given("username") ? "password" : "username";
            const auto present = given("username") ? "username" : "password";
            report(line_of(present), present, std::string("needs ") + missing + " as well");
        }
        if (given("poll_interval") || given("poll_window")) {
            if (p.m_poll_interval > p.m_poll_window) {
                report(line_of(given("poll_interval") ? "poll_interval" : "poll_window"),
                       given("poll_interval") ? "poll_interval" : "poll_window",
                       "poll_interval " + format_duration(p.m_poll_interval) + " is longer than poll_window " +
                           format_duration(p.m_poll_window));
            }
        }
        if (p.m_retry.minimum > p.m_retry.maximum) {
            const auto key = given("retry_min") ? "retry_min" : "retry_max";
            report(line_of(key), key,
                   "retry_min " + format_duration(p.m_retry.minimum) + " is longer than retry_max " +
                       format_duration(p.m_retry.maximum));
        }
    }

    const RawProfile& m_raw;
    std::vector<Diagnostic>& m_out;
    Profile m_profile;
    std::map<std::string, std::size_t> m_seen;  // key -> line of its first occurrence
    bool m_failed = false;
};

std::optional<Profile> validate_profile(const RawProfile& raw, std::vector<Diagnostic>& diagnostics) {
    return ProfileBuilder(raw, diagnostics).build();
}

}  // namespace profiles
