// ca::Authority: the issuing CA behind the SCEP responder. It issues end-entity certificates
// from PKCS#10 requests under a CertificateProfile, signs CRLs (RFC 5280 §5) and answers OCSP
// requests (RFC 6960). It decides nothing about who may enrol and keeps no state: serial
// numbers, revocations and CRL numbers come from the caller (ca/ca_store.h keeps them).
//
// Every operation takes the current time as a parameter; nothing reads a clock.
// Thread-safety: immutable after create(); every method is const and may be called from
// several threads at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ca/certificate_profile.h"
#include "common/result.h"
#include "crypto/bytes.h"
#include "crypto/certificate.h"
#include "crypto/crl.h"
#include "crypto/csr.h"
#include "crypto/private_key.h"

namespace ca {

using SystemTime = std::chrono::system_clock::time_point;

// A fresh serial number: 16 bytes from the CSPRNG, the first in 0x01..0x7f, so it is positive,
// exactly 16 octets in DER and unpredictable (about 127 bits of entropy; CA/B BR 7.1 asks 64).
common::Result<crypto::Bytes> random_serial();
// The serial's upper-case hex without leading zeros, as crypto::Certificate::serial_hex().
std::string serial_hex(crypto::ByteView serial);

// A certificate with id-kp-OCSPSigning issued by the CA, and its key (RFC 6960 §4.2.2.2).
struct OcspSigner {
    crypto::Certificate certificate;
    crypto::PrivateKey key;
};

// What the caller knows about one serial number (RFC 6960 §4.2.1 CertStatus). For a serial
// the CA never issued, "unknown" is fine; RFC 6960 §2.2 also allows revoked, certificateHold,
// revoked at 1970-01-01.
struct CertificateStatus {
    enum class Kind { good, revoked, unknown };
    Kind kind = Kind::unknown;
    SystemTime revocation_time{};  // revoked only
    std::optional<int> reason;     // CRLReason (RFC 5280 §5.3.1), revoked only
};
// serial hex (as serial_hex()) -> status. An error makes the whole response internalError.
using StatusLookup = std::function<common::Result<CertificateStatus>(std::string_view serial_hex)>;

// OCSPResponseStatus, RFC 6960 §4.2.1.
enum class OcspResponseStatus {
    successful = 0,
    malformed_request = 1,
    internal_error = 2,
    try_later = 3,
    sig_required = 5,
    unauthorized = 6,
};

struct OcspAnswer {
    crypto::Bytes der;  // the OCSPResponse to send (application/ocsp-response); never empty
    OcspResponseStatus status = OcspResponseStatus::internal_error;
    std::string detail;  // for the log when status is not successful; "" otherwise
};

class Authority {
public:
    // certificate: the issuing CA (cA=TRUE, keyCertSign if it has a keyUsage); key: its RSA
    // (>= 2048 bits) or EC key; chain: the certificates above it, its issuer first, the root
    // last (empty when certificate is the root), each signed by the next. ocsp_signer: a
    // delegated OCSP responder certificate issued by certificate; without it the CA signs OCSP
    // responses itself. Errc::invalid_argument naming the first thing that does not fit.
    static common::Result<Authority> create(crypto::Certificate certificate, crypto::PrivateKey key,
                                            std::vector<crypto::Certificate> chain,
                                            std::optional<OcspSigner> ocsp_signer = std::nullopt);

    const crypto::Certificate& certificate() const { return m_certificate; }
    const std::vector<crypto::Certificate>& chain() const { return m_chain; }

    // Issues a v3 end-entity certificate for csr under profile (see docs/responder-config.md):
    // subject = the CSR's, byte for byte; notBefore = now - 5 min; notAfter = now +
    // profile.validity; both clamped into the validity of the CA and its chain; SHA-256.
    // serial: big-endian, 1..20 octets, positive (random_serial() gives one); the caller keeps
    // it unique. Refused: a CSR whose signature does not verify (Errc::verification); an RSA
    // key < 2048 bits, an EC key not on P-256/P-384/P-521, another key type, or the CA's own key
    // (Errc::unsupported); a critical extension request other than subjectAltName, keyUsage,
    // extKeyUsage, basicConstraints (Errc::unsupported); SANs against the profile's SanPolicy, a
    // malformed extension request, an empty subject without SANs (Errc::invalid_argument); a CA
    // not valid at now (Errc::verification).
    common::Result<crypto::Certificate> issue(const crypto::Csr& csr,
                                              const CertificateProfile& profile,
                                              crypto::ByteView serial, SystemTime now) const;

    // A v2 CRL (RFC 5280 §5) signed by the CA with SHA-256: cRLNumber, authorityKeyIdentifier,
    // entries sorted by serial, a reasonCode entry extension when reason is set and not 0
    // (unspecified, RFC 5280 §5.3.1). REQUIRES this_update < next_update; serials in hex;
    // reasons 0-6, 9, 10 (7 is unused, 8 removeFromCRL belongs in delta CRLs).
    // Errc::invalid_argument otherwise, e.g. for a serial listed twice.
    common::Result<crypto::Crl> make_crl(std::vector<crypto::RevokedEntry> revoked,
                                         std::uint64_t crl_number, SystemTime this_update,
                                         SystemTime next_update) const;

    // Answers a DER OCSPRequest (RFC 6960 §4.1). Each CertID whose issuerNameHash and
    // issuerKeyHash (in its own hash algorithm) match this CA is looked up; any other gets
    // "unknown"; if none matches, the answer is unauthorized (§2.3). The BasicOCSPResponse is
    // signed with SHA-256 by the delegated signer (its certificate included) or the CA,
    // responderID byKey, producedAt = thisUpdate = now, nextUpdate = now + validity, nonce
    // copied from the request (RFC 8954). A request that does not decode, is over 64 KiB, has
    // no or more than 64 CertIDs, or a nonce outside 1..32 octets is answered malformedRequest;
    // a lookup error makes internalError. Never throws (except what lookup throws) and never
    // fails: problems are answers.
    OcspAnswer ocsp_respond(crypto::ByteView request_der, const StatusLookup& lookup,
                            SystemTime now, std::chrono::seconds validity) const;

private:
    Authority(crypto::Certificate certificate, crypto::PrivateKey key,
              std::vector<crypto::Certificate> chain, std::optional<OcspSigner> ocsp_signer)
        : m_certificate(std::move(certificate)),
          m_key(std::move(key)),
          m_chain(std::move(chain)),
          m_ocsp_signer(std::move(ocsp_signer)) {}

    crypto::Certificate m_certificate;
    crypto::PrivateKey m_key;
    std::vector<crypto::Certificate> m_chain;
    std::optional<OcspSigner> m_ocsp_signer;
};

}  // namespace ca
