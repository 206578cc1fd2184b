// Profile: one validated provisioning profile - what one application security stack (802.1X,
// IPsec, TLS client, SIP-TLS, ...) needs from its certificate. The keys, their syntax and their
// defaults are documented in docs/profile-format.md; the comment on each accessor names the
// file key and the default.
//
// A Profile is an immutable value. Only the validator makes one (validate_profile(), reached
// through parse_profiles(), load_profiles() or profile_from_parameters()), so every Profile
// that exists has passed every check.
//
// Thread-safety: a plain value; const access from many threads is safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "profiles/secret.h"
#include "profiles/value_syntax.h"

namespace profiles {

enum class Protocol { scep };  // EST and CMPv2 later, behind the same Enroller port
enum class KeyType { rsa_2048, rsa_3072, rsa_4096, ec_p256, ec_p384 };
enum class SanType { dns, ip, email, uri };
enum class RevocationMethod { ocsp, crl };
enum class UnknownRevocation { soft_fail, hard_fail };
enum class StoreFormat { pem, der, pkcs12 };
enum class PemLayout { separate, fullchain, combined };

std::string_view to_string(Protocol p);          // "scep"
std::string_view to_string(KeyType k);           // "rsa:2048", "ec:P-256", ...
std::string_view to_string(SanType t);           // "dns", "ip", "email", "uri"
std::string_view to_string(RevocationMethod m);  // "ocsp", "crl"
std::string_view to_string(UnknownRevocation u); // "soft-fail", "hard-fail"
std::string_view to_string(StoreFormat f);       // "pem", "der", "pkcs12"
std::string_view to_string(PemLayout l);         // "separate", "fullchain", "combined"

// One subjectAltName; `value` is a template that may hold ${MAC} ${SERIAL} ${HOSTNAME} ${OUI}.
struct SubjectAltName {
    SanType type = SanType::dns;
    std::string value;
    friend bool operator==(const SubjectAltName&, const SubjectAltName&) = default;
};

// Delay between failed attempts: starts at `minimum`, doubles, never exceeds `maximum`.
struct RetryPolicy {
    std::chrono::seconds minimum{60};    // retry_min, default 60s
    std::chrono::seconds maximum{3600};  // retry_max, default 1h
    friend bool operator==(const RetryPolicy&, const RetryPolicy&) = default;
};

struct RevocationPolicy {
    // Methods in the order they are tried; empty = checking is off ("revocation = off").
    std::vector<RevocationMethod> methods{RevocationMethod::ocsp, RevocationMethod::crl};
    // What an Unknown status means; soft-fail accepts it with a warning.
    UnknownRevocation on_unknown = UnknownRevocation::soft_fail;
    friend bool operator==(const RevocationPolicy&, const RevocationPolicy&) = default;
};

// A trust anchor of a peer that differs from our own (step 9): fetched from `url`, accepted only
// when its SHA-256 fingerprint is `fingerprint`.
struct PeerTrustAnchor {
    std::string url;
    Sha256Fingerprint fingerprint{};
    friend bool operator==(const PeerTrustAnchor&, const PeerTrustAnchor&) = default;
};

// Where the key and certificate are installed for the application (step 12).
struct StoreTarget {
    StoreFormat format = StoreFormat::pem;
    // pem, der: an absolute directory; pkcs12: an absolute file path.
    std::string path;
    std::optional<std::string> owner;  // user name or uid; unset = the daemon's user
    std::optional<std::string> group;  // group name or gid; unset = the daemon's group
    std::uint32_t mode = 0600;         // file mode; never grants anything to "other"
    PemLayout layout = PemLayout::separate;  // pem only
    std::optional<Secret> passphrase;        // pkcs12 only, and required there
    friend bool operator==(const StoreTarget&, const StoreTarget&) = default;
};

class Profile {
public:
    // The section name: [profile "NAME"]; letters, digits, '.', '_', '-'; 1..64 characters.
    const std::string& name() const { return m_name; }
    // Where the profile came from: a file name (or the TR-069 object path) and the section line.
    const std::string& origin_file() const { return m_origin_file; }
    std::size_t origin_line() const { return m_origin_line; }

    // enabled, default true. A disabled profile is kept but no machine runs for it.
    bool enabled() const { return m_enabled; }
    // protocol, default scep.
    Protocol protocol() const { return m_protocol; }
    // url, required: the SCEP server, http:// or https://.
    const std::string& url() const { return m_url; }
    // ca_identifier, default empty: the SCEP "message" parameter of GetCACert/GetCACaps.
    const std::string& ca_identifier() const { return m_ca_identifier; }
    // ca_fingerprint, required: SHA-256 of our root CA certificate (step 2).
    const Sha256Fingerprint& ca_fingerprint() const { return m_ca_fingerprint; }
    // subject, required: a DN template, e.g. "CN=${MAC},O=Example".
    const std::string& subject() const { return m_subject; }
    // san, repeatable, default none.
    const std::vector<SubjectAltName>& subject_alt_names() const { return m_subject_alt_names; }
    // key, default ec:P-256.
    KeyType key_type() const { return m_key_type; }
    // challenge, default none: the SCEP challenge password (one-time password).
    const std::optional<Secret>& challenge() const { return m_challenge; }
    // username and password, default none; set together, never together with challenge.
    const std::optional<std::string>& username() const { return m_username; }
    const std::optional<Secret>& password() const { return m_password; }
    // renew_at_percent, 1..99, default 80: renew when this share of the lifetime has passed.
    unsigned renew_at_percent() const { return m_renew_at_percent; }
    // poll_interval, default 60s: delay between CertPoll requests while PENDING.
    std::chrono::seconds poll_interval() const { return m_poll_interval; }
    // poll_window, default 24h: give up PENDING after this long.
    std::chrono::seconds poll_window() const { return m_poll_window; }
    // retry_min / retry_max, defaults 60s / 1h.
    const RetryPolicy& retry() const { return m_retry; }
    // revocation, default "ocsp,crl soft-fail".
    const RevocationPolicy& revocation() const { return m_revocation; }
    // revocation_max_age, default unset: nextUpdate alone decides freshness.
    const std::optional<std::chrono::seconds>& revocation_max_age() const { return m_revocation_max_age; }
    // peer_trust_anchor, repeatable, default none.
    const std::vector<PeerTrustAnchor>& peer_trust_anchors() const { return m_peer_trust_anchors; }
    // store, repeatable, default none (the certificate stays in the key store only).
    const std::vector<StoreTarget>& stores() const { return m_stores; }
    // post_install, default none: argv of the command run after every install (no shell).
    const std::vector<std::string>& post_install() const { return m_post_install; }
    // post_install_timeout, default 30s.
    std::chrono::seconds post_install_timeout() const { return m_post_install_timeout; }

    friend bool operator==(const Profile&, const Profile&) = default;

private:
    friend class ProfileBuilder;
    Profile() = default;

    std::string m_name;
    std::string m_origin_file;
    std::size_t m_origin_line = 0;
    bool m_enabled = true;
    Protocol m_protocol = Protocol::scep;
    std::string m_url;
    std::string m_ca_identifier;
    Sha256Fingerprint m_ca_fingerprint{};
    std::string m_subject;
    std::vector<SubjectAltName> m_subject_alt_names;
    KeyType m_key_type = KeyType::ec_p256;
    std::optional<Secret> m_challenge;
    std::optional<std::string> m_username;
    std::optional<Secret> m_password;
    unsigned m_renew_at_percent = 80;
    std::chrono::seconds m_poll_interval{60};
    std::chrono::seconds m_poll_window{24 * 3600};
    RetryPolicy m_retry;
    RevocationPolicy m_revocation;
    std::optional<std::chrono::seconds> m_revocation_max_age;
    std::vector<PeerTrustAnchor> m_peer_trust_anchors;
    std::vector<StoreTarget> m_stores;
    std::vector<std::string> m_post_install;
    std::chrono::seconds m_post_install_timeout{30};
};

}  // namespace profiles
