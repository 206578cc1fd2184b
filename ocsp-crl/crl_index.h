// revocation::CrlIndex: an X.509 CRL (RFC 5280 §5) kept as its DER bytes plus a sorted index of
// its serial numbers, so that a CRL with a million entries loads in one pass, answers a lookup
// in well under a microsecond and costs little more memory than its own size.
//
// parse() walks the DER by hand: it checks the whole structure, every entry's serial, date and
// extensions, and builds one vector of 16-byte records (offset + serial prefix); no object is
// allocated per entry. Revocation date and reason are decoded again on a hit. The signature is
// not checked by parse(): is_signed_by() does that, and crl_check.h decides whether the CRL
// may be used at all. Accessors report what the CRL says, without judging it.
//
// Copies share the immutable data. Thread-safety: every method is const and may be called from
// several threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "crypto/bytes.h"
#include "crypto/certificate.h"

namespace revocation {

// One revokedCertificates entry (RFC 5280 §5.1.2.6).
struct CrlEntry {
    common::SystemTime revocation_time;
    std::optional<int> reason;  // reasonCode (RFC 5280 §5.3.1) if the entry has one
};

// issuingDistributionPoint (RFC 5280 §5.2.5).
struct IssuingDistributionPoint {
    bool has_name = false;          // distributionPoint present (fullName or relative name)
    std::vector<std::string> uris;  // URIs of a fullName; other name forms are not listed
    bool only_user_certs = false;
    bool only_ca_certs = false;
    bool only_attribute_certs = false;
    bool indirect_crl = false;
    // onlySomeReasons as ReasonFlags bits (bit n = CRLReason n, RFC 5280 §4.2.1.13).
    std::optional<std::uint32_t> only_some_reasons;
};

class CrlIndex {
public:
    // A CRL in DER or PEM ("-----BEGIN X509 CRL-----"), decided by content. Errc::parse for
    // garbage, truncated or trailing bytes, a non-DER length, a malformed entry or extension, a
    // repeated CRL extension; Errc::unsupported for a version other than v1/v2, a serial longer
    // than 255 octets, an input of 4 GiB or more. A serial listed twice is accepted and
    // find() answers with its first entry.
    static common::Result<CrlIndex> parse(crypto::Bytes data);

    int version() const;             // 1 or 2
    std::string issuer() const;      // as crypto::Certificate::issuer()
    crypto::ByteView issuer_der() const;  // the issuer Name, DER
    common::SystemTime this_update() const;
    std::optional<common::SystemTime> next_update() const;
    // cRLNumber (RFC 5280 §5.2.3) in hex as crypto::Certificate::serial_hex(); whether marked
    // critical, which §5.2.3 forbids.
    std::optional<std::string> crl_number_hex() const;
    bool crl_number_critical() const;
    bool is_delta() const;  // deltaCRLIndicator present (RFC 5280 §5.2.4)
    // keyIdentifier of authorityKeyIdentifier (RFC 5280 §5.2.1).
    std::optional<crypto::Bytes> authority_key_id() const;
    const std::optional<IssuingDistributionPoint>& issuing_distribution_point() const;
    // Dotted OIDs of critical CRL extensions this module does not process (any other than
    // cRLNumber, deltaCRLIndicator, issuingDistributionPoint, authorityKeyIdentifier).
    const std::vector<std::string>& unknown_critical_extensions() const;
    // Dotted OIDs, each once, of critical entry extensions not processed (any other than
    // reasonCode, invalidityDate, holdInstructionCode). certificateIssuer (indirect CRLs) is
    // listed here too.
    const std::vector<std::string>& unknown_critical_entry_extensions() const;

    std::size_t entry_count() const;
    // serial_hex as crypto::Certificate::serial_hex() (upper or lower case, optional leading
    // zeros, '-' for a negative serial). nullopt if not listed or not hex.
    std::optional<CrlEntry> find_serial_hex(std::string_view serial_hex) const;
    // serial: the content octets of the DER INTEGER (two's complement, minimal).
    std::optional<CrlEntry> find_serial(crypto::ByteView serial) const;

    // Whether the signature in TBSCertList equals the outer signatureAlgorithm (RFC 5280
    // §5.1.1.2); is_signed_by() is false if not.
    bool signature_algorithms_match() const;
    std::string signature_algorithm() const;  // "ecdsa-with-SHA256", ...
    // Verifies the signature over the TBSCertList bytes with signer's public key (RSA PKCS#1,
    // RSA-PSS, ECDSA, Ed25519, Ed448). Says nothing about whether signer may sign this CRL.
    bool is_signed_by(const crypto::Certificate& signer) const;

    crypto::ByteView der() const;
    // Bytes held: the DER plus the index.
    std::size_t memory_bytes() const;

    struct Data;

private:
    explicit CrlIndex(std::shared_ptr<const Data> data) : m_data(std::move(data)) {}
    std::shared_ptr<const Data> m_data;
};

}  // namespace revocation
