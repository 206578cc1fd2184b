// GetCACert (RFC 8894 §4.2) responses and choosing the certificates SCEP needs from them.
//
// A response is either one DER certificate (application/x-x509-ca-cert) or a degenerate
// certs-only PKCS#7 (application/x-x509-ca-ra-cert, Entrust's x-x509-ra-ca-certs) holding a CA
// chain and possibly RA certificates (NDES sends RA signing, RA encryption and the issuing CA, in
// no fixed order). The format is decided by content; the Content-Type is only a hint.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "crypto/certificate.h"
#include "crypto/fingerprint.h"

namespace scep {

// Decodes a GetCACert body: DER certificate, PEM, or certs-only PKCS#7/CMS. The Content-Type
// (any case, parameters allowed) only orders the attempts and names the body in errors.
// Errc::parse for an empty, undecodable or truncated body. Never returns an empty vector.
common::Result<std::vector<crypto::Certificate>> parse_ca_cert_response(
    std::string_view content_type, std::string_view body);

struct CaCertificates {
    crypto::Certificate issuing_ca;  // the CA that will issue our certificate
    crypto::Certificate encryption;  // recipient of the EnvelopedData (RA or CA)
    crypto::Certificate signer;      // expected signer of CertRep (RA or CA)
    crypto::Certificate anchor;      // the pinned certificate (root or CA) or trusted_anchor
    std::vector<crypto::Certificate> all;  // everything received, as received

    // issuing CA up to and including the anchor: what a device installs as its chain.
    std::vector<crypto::Certificate> chain;
};

// Picks the RA/CA roles from certs and validates them:
//  - CA certificates are those with basicConstraints cA, RA certificates the others. The issuing
//    CA is the CA of the set that issued every RA certificate, or, without RA certificates, the
//    one CA that issued no other CA of the set. Every other CA must be one of its superiors.
//  - the anchor is the received certificate whose fingerprint equals pin (SHA-2 only: a SHA-1
//    or MD5 pin is refused even with a trusted_anchor); if pin is not given or matches nothing
//    received, trusted_anchor (an anchor the caller already trusts) is the anchor. The anchor
//    must be a CA certificate.
//  - the issuing CA and the chosen RA certificates must chain to the anchor at `at`
//    (crypto::ChainValidator, strict, no key usage required; untrusted = all of certs). If the
//    anchor is the issuing CA itself it is only checked for validity at `at`; if it is not
//    self-signed, an RA certificate must be issued by it directly.
//  - encryption = an RA certificate with keyEncipherment, signer = an RA certificate with
//    digitalSignature. keyUsage cannot be relied on (RFC 8894 §3.5.2): failing that, one
//    without the keyUsage extension, failing that any RA certificate (so the only RA
//    certificate serves both roles); among equals one valid at `at`, then the first received.
//    Without RA certificates the issuing CA serves both;
//  - the encryption certificate must hold an RSA key (key transport, §3.1).
// Errors: Errc::invalid_argument if neither pin nor trusted_anchor is given; Errc::unsupported
// for a pin that is not SHA-2 or a non-RSA encryption certificate; Errc::verification if the
// pin matches nothing (and there is no trusted_anchor), an RA certificate has no issuer in the
// set, or validation fails; Errc::protocol if the set makes no sense (empty, more than 32
// certificates, no CA at all, several unrelated CAs, RA certificates from different CAs).
common::Result<CaCertificates> select_ca_certificates(
    const std::vector<crypto::Certificate>& certs, const std::optional<crypto::Fingerprint>& pin,
    const std::optional<crypto::Certificate>& trusted_anchor, common::SystemTime at);

}  // namespace scep
