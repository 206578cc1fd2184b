// crypto::Certificate: an X.509 certificate as a value type. Copies share the immutable
// OpenSSL object (up-ref). Accessors return plain C++; DNs are in RFC 4514 order and syntax
// ("CN=leaf,O=Example").
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "crypto/bytes.h"
#include "crypto/fingerprint.h"
#include "crypto/key_usage.h"

struct x509_st;

namespace crypto {

using SystemTime = std::chrono::system_clock::time_point;

struct SubjectAltName {
    enum class Type { dns, ip, uri, email, other };
    Type type;
    std::string value;  // IP addresses in their usual text form; "other" as a description
    bool operator==(const SubjectAltName&) const = default;
};
std::string_view to_string(SubjectAltName::Type type);  // "DNS", "IP", "URI", "email", "other"
// Parses the CLI/profile form "dns:host", "ip:192.0.2.1", "uri:...", "email:a@b".
common::Result<SubjectAltName> parse_subject_alt_name(std::string_view text);

class Certificate {
public:
    static common::Result<Certificate> from_der(ByteView der);
    // The first CERTIFICATE block of a PEM text.
    static common::Result<Certificate> from_pem(std::string_view pem);
    // Every CERTIFICATE block; an error if there is none or one is malformed.
    static common::Result<std::vector<Certificate>> all_from_pem(std::string_view pem);
    // DER or PEM, decided by content.
    static common::Result<std::vector<Certificate>> load_any(ByteView data);
    // Takes ownership of one reference.
    static Certificate adopt(x509_st* x509);

    Bytes to_der() const;
    std::string to_pem() const;

    std::string subject() const;
    std::string issuer() const;
    std::string common_name() const;  // first CN of the subject, "" if none
    std::string serial_hex() const;   // upper-case hex, no separators, no leading zeros
    SystemTime not_before() const;
    SystemTime not_after() const;
    bool is_valid_at(SystemTime t) const { return t >= not_before() && t <= not_after(); }
    bool is_self_issued() const;
    bool is_ca() const;  // basicConstraints cA=TRUE
    std::optional<int> path_length() const;
    std::vector<SubjectAltName> subject_alt_names() const;
    // The keyUsage extension, or nullopt if the certificate has none (meaning: any usage).
    std::optional<KeyUsageSet> key_usage() const;
    // EKU OIDs in dotted form; empty if the extension is absent.
    std::vector<std::string> extended_key_usage() const;
    // URLs of the authorityInfoAccess caIssuers (RFC 5280 §4.2.2.1) and OCSP entries.
    std::vector<std::string> ca_issuers_urls() const;
    std::vector<std::string> ocsp_urls() const;
    // URIs of the CRL distribution points (RFC 5280 §4.2.1.13), full names only.
    std::vector<std::string> crl_distribution_urls() const;
    std::string public_key_description() const;  // "RSA 2048", "EC P-256", "Ed25519"
    Bytes public_key_der() const;                 // SubjectPublicKeyInfo
    std::string signature_algorithm() const;      // "sha256WithRSAEncryption", ...
    Fingerprint fingerprint(DigestAlgorithm alg = DigestAlgorithm::sha256) const;

    // True if this certificate's signature verifies with issuer's public key.
    bool is_signed_by(const Certificate& issuer) const;

    // Same DER encoding.
    bool operator==(const Certificate& other) const;

    // The OpenSSL object, still owned by this Certificate. For crypto/ and protocol .cpp files.
    x509_st* native() const { return m_x509.get(); }

private:
    struct Free {
        void operator()(x509_st* p) const noexcept;
    };
    explicit Certificate(x509_st* owned) : m_x509(owned, Free{}) {}

    std::shared_ptr<x509_st> m_x509;
};

}  // namespace crypto
