// Certificate path validation (RFC 5280 §6) with an explicit validation time, and trust-anchor
// pinning by SHA-256 fingerprint.
//
// ChainValidator is immutable after construction and safe to use from several threads.
// Strict mode (on by default) applies OpenSSL's X509_V_FLAG_X509_STRICT plus the checks listed in
// docs/chain-validation.md.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "crypto/certificate.h"
#include "crypto/crl.h"
#include "crypto/fingerprint.h"
#include "crypto/key_usage.h"

namespace crypto {

struct PeerName {
    enum class Kind { dns, ip, email };
    Kind kind;
    std::string value;
};

struct ValidationOptions {
    // The instant at which every certificate (and CRL) must be valid. Required: there is no
    // "now" default, callers pass Clock::now() or a fixed time. Compared at one-second
    // granularity (the fraction is dropped); notBefore and notAfter are inclusive (RFC 5280
    // §4.1.2.5).
    SystemTime time;
    // If set, the leaf must match this name (SAN; CN only when the leaf has no SAN of that kind
    // is NOT accepted in strict mode). Wildcards only as a whole leftmost label.
    std::optional<PeerName> expected_peer_name;
    // Every usage listed must be present in the leaf's keyUsage extension (if it has one).
    KeyUsageSet required_key_usage;
    // Every OID listed must be in the leaf's EKU (if it has one); anyExtendedKeyUsage satisfies
    // nothing in strict mode. A CA certificate of the path that has an EKU must list every OID
    // too (or anyExtendedKeyUsage). With serverAuth listed, strict mode adds the CA/Browser Forum
    // TLS server certificate rules of docs/chain-validation.md.
    std::vector<std::string> required_extended_key_usage;
    // Maximum number of non-self-issued intermediates between leaf and anchor (RFC 5280 §6.1:
    // self-issued certificates do not count); nullopt = no limit beyond OpenSSL's 100.
    std::optional<int> max_intermediates;
    // CRLs to consult. If non-empty, every certificate of the chain must be covered by one
    // (CRL check on the whole chain); an uncovered certificate is a failure. In strict mode a
    // CRL without the cRLNumber extension (RFC 5280 §5.2.3) is not used.
    std::vector<Crl> crls;
    // OpenSSL's X509_V_FLAG_X509_STRICT, auth level 2 (112-bit keys and signatures), and the
    // profile checks listed in docs/chain-validation.md.
    bool strict = true;
};

// The validated path, leaf first, anchor last.
using CertificatePath = std::vector<Certificate>;

class ChainValidator {
public:
    // REQUIRES: !anchors.empty() (else validate() fails with Errc::invalid_argument). Anchors
    // must be self-signed: partial chains ending at a trusted intermediate are not accepted.
    explicit ChainValidator(std::vector<Certificate> anchors) : m_anchors(std::move(anchors)) {}

    // If the first path OpenSSL builds fails, the other paths through `untrusted` are tried
    // (bounded search); the first one that passes every check is returned.
    // On failure: Errc::verification with one line naming the failing certificate and the
    // reason, e.g. "certificate has expired (depth 0, CN=leaf)" (the reason of the first path
    // tried); Errc::invalid_argument for an unusable expected_peer_name.
    common::Result<CertificatePath> validate(const Certificate& leaf,
                                             const std::vector<Certificate>& untrusted,
                                             const ValidationOptions& options) const;

    const std::vector<Certificate>& anchors() const { return m_anchors; }

private:
    std::vector<Certificate> m_anchors;
};

// Accepts root as a trust anchor only if its fingerprint equals expected and expected uses a
// SHA-2 digest (a SHA-1 or MD5 pin is refused: Errc::unsupported). The root must be self-signed
// and its self-signature must verify. Errc::verification on mismatch, naming both fingerprints.
common::Result<Certificate> pin_trust_anchor(const Certificate& root, const Fingerprint& expected);

}  // namespace crypto
