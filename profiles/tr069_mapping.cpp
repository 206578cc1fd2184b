#include "profiles/tr069_mapping.h"

#include <array>

#include "profiles/profile_keys.h"
#include "profiles/profile_validator.h"
#include "profiles/profile_writer.h"
#include "profiles/value_syntax.h"

namespace profiles {
namespace {

using T = ParameterType;

// key, parameter, type, writable, secret, list
constexpr std::array mappings{
    ParameterMapping{"", "Name", T::string, true, false, false},
    ParameterMapping{"enabled", "Enable", T::boolean, true, false, false},
    ParameterMapping{"protocol", "Protocol", T::string, true, false, false},
    ParameterMapping{"url", "URL", T::string, true, false, false},
    ParameterMapping{"ca_identifier", "CAIdentifier", T::string, true, false, false},
    ParameterMapping{"ca_fingerprint", "CAFingerprint", T::string, true, false, false},
    ParameterMapping{"subject", "Subject", T::string, true, false, false},
    ParameterMapping{"san", "SubjectAltNames", T::string, true, false, true},
    ParameterMapping{"key", "KeyType", T::string, true, false, false},
    ParameterMapping{"challenge", "Challenge", T::string, true, true, false},
    ParameterMapping{"username", "Username", T::string, true, false, false},
    ParameterMapping{"password", "Password", T::string, true, true, false},
    ParameterMapping{"renew_at_percent", "RenewAtPercent", T::unsigned_int, true, false, false},
    ParameterMapping{"poll_interval", "PollInterval", T::unsigned_int, true, false, false},
    ParameterMapping{"poll_window", "PollWindow", T::unsigned_int, true, false, false},
    ParameterMapping{"retry_min", "RetryMinimum", T::unsigned_int, true, false, false},
    ParameterMapping{"retry_max", "RetryMaximum", T::unsigned_int, true, false, false},
    ParameterMapping{"revocation", "Revocation", T::string, true, false, false},
    ParameterMapping{"revocation_max_age", "RevocationMaxAge", T::unsigned_int, true, false, false},
    ParameterMapping{"peer_trust_anchor", "PeerTrustAnchors", T::string, true, false, true},
    ParameterMapping{"store", "Stores", T::string, true, false, true},
    ParameterMapping{"post_install", "PostInstall", T::string, true, false, false},
    ParameterMapping{"post_install_timeout", "PostInstallTimeout", T::unsigned_int, true, false, false},
};

bool is_duration_key(std::string_view key) {
    return key == "poll_interval" || key == "poll_window" || key == "retry_min" || key == "retry_max" ||
           key == "revocation_max_age" || key == "post_install_timeout";
}

// A rendered entry value as the parameter shows it.
std::string parameter_text(const ParameterMapping& m, const RenderedEntry& e) {
    if (is_duration_key(m.key)) return std::to_string(parse_duration(e.value).value().count());
    if (m.list && find_key(m.key)->syntax == ValueSyntax::text) return quote_if_needed(e.value);
    return e.value;
}

}  // namespace

std::string_view to_string(ParameterType type) {
    switch (type) {
        case T::string: return "string";
        case T::unsigned_int: return "unsignedInt";
        case T::boolean: return "boolean";
    }
    return "?";
}

std::span<const ParameterMapping> parameter_mappings() { return mappings; }

const ParameterMapping* find_parameter(std::string_view parameter) {
    for (const auto& m : mappings) {
        if (m.parameter == parameter) return &m;
    }
    return nullptr;
}

const ParameterMapping* find_parameter_for_key(std::string_view key) {
    for (const auto& m : mappings) {
        if (m.key == key) return &m;
    }
    return nullptr;
}

bool valid_oui(std::string_view oui) {
    return oui.size() == 6 && oui.find_first_not_of("0123456789ABCDEF") == std::string_view::npos;
}

std::string profile_table_path(std::string_view oui) {
    return "Device.X_" + std::string(oui) + "_CertificateProfile.";
}

std::string profile_object_path(std::string_view oui, std::size_t index) {
    return profile_table_path(oui) + std::to_string(index) + ".";
}

std::vector<ParameterValue> render_parameters(const Profile& profile, std::string_view oui, std::size_t index,
                                              SecretRendering secrets) {
    const std::string prefix = profile_object_path(oui, index);
    const auto entries = render_entries(profile, secrets);
    std::vector<ParameterValue> out;
    for (const auto& m : mappings) {
        std::string value;
        if (m.key.empty()) value = profile.name();
        for (const auto& e : entries) {
            if (e.key != m.key) continue;
            if (!value.empty()) value += ", ";
            value += parameter_text(m, e);
        }
        if (m.secret && secrets == SecretRendering::redact) value.clear();
        if (value.empty() && m.type == T::unsigned_int) value = "0";
        out.push_back(ParameterValue{prefix + std::string(m.parameter), std::move(value), m.type});
    }
    return out;
}

ParseResult profile_from_parameters(const std::map<std::string, std::string>& values, std::string_view oui,
                                    std::size_t index) {
    const std::string prefix = profile_object_path(oui, index);
    ParseResult result;
    auto report = [&](std::string_view parameter, std::string message) {
        result.diagnostics.push_back(Diagnostic{prefix, 0, std::string(parameter), std::move(message)});
    };
    RawProfile raw{"", prefix, 0, {}};
    bool named = false;  // Name given at all
    for (const auto& [name, value] : values) {
        if (!name.starts_with(prefix)) {
            report(name, "not a parameter of " + prefix);
            continue;
        }
        const std::string parameter = name.substr(prefix.size());
        const ParameterMapping* m = find_parameter(parameter);
        if (m == nullptr) {
            report(parameter, "unknown parameter");
            continue;
        }
        if (m->key.empty()) {
            raw.name = value;
            named = true;
            continue;
        }
        if (value.empty()) continue;
        if (m->type == T::unsigned_int &&
            (value.size() > 10 || value.find_first_not_of("0123456789") != std::string::npos)) {
            report(parameter, "'" + value + "' is not an unsignedInt");
            continue;
        }
        if (m->key == "revocation_max_age" && value.find_first_not_of('0') == std::string::npos) continue;
        const KeyInfo* key = find_key(m->key);
        std::vector<std::string> items{value};
        if (m->list) {
            auto split = split_words(value, ',');
            if (!split) {
                report(parameter, split.error().message());
                continue;
            }
            // Items stay in file syntax: split again without unquoting.
            items.clear();
            std::size_t start = 0;
            bool quoted = false;
            for (std::size_t i = 0; i <= value.size(); ++i) {
                if (i < value.size() && value[i] == '"') quoted = !quoted;
                if (i < value.size() && quoted && value[i] == '\\') {
                    ++i;
                    continue;
                }
                if (i == value.size() || (!quoted && value[i] == ',')) {
                    std::string item = value.substr(start, i - start);
                    const auto first = item.find_first_not_of(" \t");
                    const auto last = item.find_last_not_of(" \t");
                    if (first != std::string::npos) items.push_back(item.substr(first, last - first + 1));
                    start = i + 1;
                }
            }
        }
        for (auto& item : items) {
            std::string file_value = item;
            if (is_duration_key(m->key)) {
                file_value = item + "s";
            } else if (!m->list && key->syntax == ValueSyntax::text) {
                file_value = quote(item);
            }
            raw.entries.push_back(RawEntry{std::string(m->key), std::move(file_value), 0});
        }
    }
    if (!named) report("Name", "required parameter is missing");
    std::vector<Diagnostic> diagnostics;
    auto profile = validate_profile(raw, diagnostics);
    for (auto& d : diagnostics) {
        if (!named && d.key.empty()) continue;  // the missing Name, reported above
        report(find_parameter_for_key(d.key)->parameter, std::move(d.message));
    }
    if (profile && result.diagnostics.empty()) result.profiles.push_back(std::move(*profile));
    return result;
}

}  // namespace profiles
