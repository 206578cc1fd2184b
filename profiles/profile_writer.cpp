#include "profiles/profile_writer.h"

#include <cstdio>

#include "profiles/profile_keys.h"

namespace profiles {
namespace {

std::string secret_text(const Secret& s, SecretRendering mode) {
    return mode == SecretRendering::reveal ? s.reveal() : s.to_string();
}

std::string octal_mode(std::uint32_t mode) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode));
    return buf;
}

std::string store_text(const StoreTarget& s, SecretRendering mode) {
    std::string out = quote_if_needed(std::string(to_string(s.format)) + ":" + s.path);
    if (s.owner) out += " owner=" + quote_if_needed(*s.owner);
    if (s.group) out += " group=" + quote_if_needed(*s.group);
    out += " mode=" + octal_mode(s.mode);
    if (s.format == StoreFormat::pem) out += " layout=" + std::string(to_string(s.layout));
    if (s.passphrase) out += " " + quote_if_needed("passphrase=" + secret_text(*s.passphrase, mode));
    return out;
}

std::string revocation_text(const RevocationPolicy& r) {
    if (r.methods.empty()) return "off";
    std::string out;
    for (auto m : r.methods) out += (out.empty() ? "" : ",") + std::string(to_string(m));
    return out + " " + std::string(to_string(r.on_unknown));
}

// A text value as a file line shows it: quoted only where unquote() or the comment rule would
// otherwise change it.
std::string file_text(std::string_view v) {
    bool needs = v.empty() || v.front() == ' ' || v.back() == ' ' || v.front() == '\t' || v.back() == '\t';
    for (std::size_t i = 0; i < v.size() && !needs; ++i) {
        needs = v[i] == '"' || ((v[i] == ';' || v[i] == '#') && (i == 0 || v[i - 1] == ' ' || v[i - 1] == '\t'));
    }
    return needs ? quote(v) : std::string(v);
}

}  // namespace

std::vector<RenderedEntry> render_entries(const Profile& p, SecretRendering secrets) {
    std::vector<RenderedEntry> out;
    auto add = [&](std::string_view key, std::string value) { out.push_back({key, std::move(value)}); };
    for (const auto& key : profile_keys()) {
        const std::string_view k = key.name;
        if (k == "enabled") add(k, p.enabled() ? "true" : "false");
        if (k == "protocol") add(k, std::string(to_string(p.protocol())));
        if (k == "url") add(k, p.url());
        if (k == "ca_identifier" && !p.ca_identifier().empty()) add(k, p.ca_identifier());
        if (k == "ca_fingerprint") add(k, format_fingerprint(p.ca_fingerprint()));
        if (k == "subject") add(k, p.subject());
        if (k == "san") {
            for (const auto& san : p.subject_alt_names()) add(k, std::string(to_string(san.type)) + ":" + san.value);
        }
        if (k == "key") add(k, std::string(to_string(p.key_type())));
        if (k == "challenge" && p.challenge()) add(k, secret_text(*p.challenge(), secrets));
        if (k == "username" && p.username()) add(k, *p.username());
        if (k == "password" && p.password()) add(k, secret_text(*p.password(), secrets));
        if (k == "renew_at_percent") add(k, std::to_string(p.renew_at_percent()));
        if (k == "poll_interval") add(k, format_duration(p.poll_interval()));
        if (k == "poll_window") add(k, format_duration(p.poll_window()));
        if (k == "retry_min") add(k, format_duration(p.retry().minimum));
        if (k == "retry_max") add(k, format_duration(p.retry().maximum));
        if (k == "revocation") add(k, revocation_text(p.revocation()));
        if (k == "revocation_max_age" && p.revocation_max_age()) add(k, format_duration(*p.revocation_max_age()));
        if (k == "peer_trust_anchor") {
            for (const auto& a : p.peer_trust_anchors()) {
                add(k, quote_if_needed(a.url) + " " + format_fingerprint(a.fingerprint));
            }
        }
        if (k == "store") {
            for (const auto& s : p.stores()) add(k, store_text(s, secrets));
        }
        if (k == "post_install" && !p.post_install().empty()) {
            std::string line;
            for (const auto& word : p.post_install()) line += (line.empty() ? "" : " ") + quote_if_needed(word);
            add(k, line);
        }
        if (k == "post_install_timeout") add(k, format_duration(p.post_install_timeout()));
    }
    return out;
}

std::string to_file_text(const Profile& profile, SecretRendering secrets) {
    std::string out = "[profile \"" + profile.name() + "\"]\n";
    for (const auto& e : render_entries(profile, secrets)) {
        std::string key(e.key);
        key.resize(std::max<std::size_t>(key.size(), 20), ' ');
        const KeyInfo* info = find_key(e.key);
        const bool text = info != nullptr && info->syntax == ValueSyntax::text;
        out += key + " = " + (text ? file_text(e.value) : e.value) + "\n";
    }
    return out;
}

}  // namespace profiles
