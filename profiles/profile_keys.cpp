#include "profiles/profile_keys.h"

#include <array>

namespace profiles {
namespace {

using V = ValueSyntax;

constexpr std::array keys{
    KeyInfo{"enabled", V::text, false, false, false, "true", "run a lifecycle for this profile"},
    KeyInfo{"protocol", V::text, false, false, false, "scep", "enrolment protocol"},
    KeyInfo{"url", V::text, true, false, false, "", "enrolment server URL (http or https)"},
    KeyInfo{"ca_identifier", V::text, false, false, false, "", "CA identifier sent to the server"},
    KeyInfo{"ca_fingerprint", V::text, true, false, false, "", "SHA-256 fingerprint of the root CA"},
    KeyInfo{"subject", V::text, true, false, false, "", "subject DN template"},
    KeyInfo{"san", V::text, false, true, false, "", "subjectAltName template (dns:, ip:, email:, uri:)"},
    KeyInfo{"key", V::text, false, false, false, "ec:P-256", "key type"},
    KeyInfo{"challenge", V::text, false, false, true, "", "SCEP challenge password"},
    KeyInfo{"username", V::text, false, false, false, "", "user name for HTTP authentication"},
    KeyInfo{"password", V::text, false, false, true, "", "password for HTTP authentication"},
    KeyInfo{"renew_at_percent", V::text, false, false, false, "80", "renew at this percentage of the lifetime"},
    KeyInfo{"poll_interval", V::text, false, false, false, "60s", "delay between polls while pending"},
    KeyInfo{"poll_window", V::text, false, false, false, "24h", "how long to poll before giving up"},
    KeyInfo{"retry_min", V::text, false, false, false, "60s", "first delay after a failure"},
    KeyInfo{"retry_max", V::text, false, false, false, "1h", "longest delay after failures"},
    KeyInfo{"revocation", V::words, false, false, false, "ocsp,crl soft-fail", "revocation methods and failure mode"},
    KeyInfo{"revocation_max_age", V::text, false, false, false, "", "oldest revocation evidence accepted"},
    KeyInfo{"peer_trust_anchor", V::words, false, true, false, "", "peer root CA: URL and SHA-256 fingerprint"},
    KeyInfo{"store", V::words, false, true, false, "", "application store (pem:, der:, pkcs12:) and options"},
    KeyInfo{"post_install", V::words, false, false, false, "", "command run after install (no shell)"},
    KeyInfo{"post_install_timeout", V::text, false, false, false, "30s", "time limit of post_install"},
};

}  // namespace

std::span<const KeyInfo> profile_keys() { return keys; }

const KeyInfo* find_key(std::string_view name) {
    for (const auto& k : keys) {
        if (k.name == name) return &k;
    }
    return nullptr;
}

}  // namespace profiles
