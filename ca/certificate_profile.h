// Certificate profiles of the local CA: what an issued end-entity certificate contains besides
// what the request brings (validity, key usage, EKU, SAN policy, CRL/OCSP/caIssuers URLs), and
// the parser for the `[profile "NAME"]` sections of the responder's configuration file. The
// file format is documented in docs/responder-config.md.
//
// Plain values; no shared state.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "crypto/key_usage.h"

namespace ca {

// What to do with the subjectAltNames a CSR requests (its extensionRequest attribute).
// Only DNS, IP, URI and email names are ever copied; other kinds (otherName, dirName) are
// dropped under every policy.
enum class SanPolicy {
    copy,     // copy the CSR's names; none is fine
    require,  // copy them; a CSR without one is refused
    forbid,   // a CSR that requests any name is refused
};
std::string_view to_string(SanPolicy policy);  // "copy", "require", "forbid"

struct CertificateProfile {
    std::string name;
    // notAfter = now + validity, clamped to the issuing CA's notAfter. Whole seconds, > 0.
    std::chrono::seconds validity = std::chrono::hours(24 * 365);
    // keyUsage (critical); empty = no extension.
    crypto::KeyUsageSet key_usage{crypto::KeyUsage::digital_signature,
                                  crypto::KeyUsage::key_encipherment};
    // extKeyUsage OIDs in dotted form; empty = no extension.
    std::vector<std::string> extended_key_usage{std::string(crypto::eku::client_auth),
                                                std::string(crypto::eku::server_auth)};
    SanPolicy san = SanPolicy::copy;
    // The subject is always the CSR's, byte for byte (RFC 8894 §3.3.1: the CA may change it;
    // this one does not).
    std::optional<std::string> crl_url;         // cRLDistributionPoints full name
    std::optional<std::string> ocsp_url;        // authorityInfoAccess id-ad-ocsp
    std::optional<std::string> ca_issuers_url;  // authorityInfoAccess id-ad-caIssuers
};

// The built-in "device" profile: 365 days, digitalSignature + keyEncipherment,
// clientAuth + serverAuth, SAN copy, no URLs. Also the starting point of every parsed profile.
CertificateProfile default_device_profile();

// A set of profiles by name.
class CertificateProfiles {
public:
    // Only the built-in profiles ("device").
    static CertificateProfiles built_in();

    // The built-in profiles, then every `[profile "NAME"]` section of config_text in order (a
    // section named like a built-in replaces it). Lines of other sections are left to their
    // own parsers and not looked at. On error: Errc::parse, "line N: ..." naming the first
    // offending line (1-based).
    static common::Result<CertificateProfiles> parse(std::string_view config_text);

    // nullptr if there is no profile of that name.
    const CertificateProfile* find(std::string_view name) const;
    std::vector<std::string> names() const;  // sorted

private:
    std::map<std::string, CertificateProfile, std::less<>> m_profiles;
};

// "365d", "12h", "30m", "3600s", "2w" (a whole number and one unit). Errc::parse otherwise, or
// if the result is zero or longer than 100 years.
common::Result<std::chrono::seconds> parse_validity(std::string_view text);

}  // namespace ca
