// The OCSP client side, offline: build a request (RFC 6960 §4.1, RFC 5019 §2.1 profile), put it
// in a GET URL (RFC 6960 Appendix A.1, RFC 5019 §5), and check a response's bytes against the
// certificate, its issuer and `now` (RFC 6960 §3.2, §4.2). Fetching is elsewhere (habit 5).
//
// Thread-safety: free functions on values; no shared state.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"
#include "crypto/bytes.h"
#include "crypto/certificate.h"
#include "crypto/fingerprint.h"
#include "ocsp-crl/status.h"

namespace revocation {

struct OcspRequestOptions {
    // Send a random nonce extension (RFC 8954) so that a replayed response is noticed.
    // RFC 5019 responders may answer from a cache without one; see OcspCheckOptions.
    bool with_nonce = true;
    // Nonce octets, 1..32 (RFC 8954 §2.1 caps it at 32).
    std::size_t nonce_size = 32;
    // CertID hash: SHA-1 as RFC 5019 §2.1.1 requires of lightweight clients, or SHA-256 /
    // SHA-384 / SHA-512 for responders that accept it. MD5 is refused.
    crypto::DigestAlgorithm cert_id_hash = crypto::DigestAlgorithm::sha1;
};

struct OcspRequest {
    crypto::Bytes der;                   // an unsigned OCSPRequest with one CertID
    std::optional<crypto::Bytes> nonce;  // the nonce's octets (not DER-wrapped); pass to the check
};

// REQUIRES: issuer issued cert (its subject is cert's issuer and its key signed cert), else
// Errc::invalid_argument. Errc::invalid_argument for a bad option, Errc::crypto if OpenSSL or
// the random generator fails.
common::Result<OcspRequest> make_ocsp_request(const crypto::Certificate& cert,
                                              const crypto::Certificate& issuer,
                                              const OcspRequestOptions& options = {});

// The GET form "<responder_url>/<url-encoded base64 of request_der>" (RFC 6960 Appendix A.1;
// no doubled '/' when responder_url ends with one). nullopt when the whole URL would exceed 255
// bytes: RFC 5019 §5 asks for GET up to that size and POST beyond. REQUIRES a non-empty URL.
std::optional<std::string> ocsp_get_url(std::string_view responder_url,
                                        crypto::ByteView request_der);

struct OcspCheckOptions {
    // Clock skew and maximum age. A response without nextUpdate ("newer information is always
    // available", RFC 6960 §4.2.2.1) is accepted as long as max_age allows; with neither it is
    // accepted as fresh at any age, so set max_age when the responder omits nextUpdate.
    Freshness freshness;
    // When true, a response without our nonce is Unknown. When false (the default, since RFC
    // 5019 responders serve cached responses without nonces), a missing nonce is accepted and
    // freshness alone guards against replay. A nonce that differs from the one sent is always
    // Unknown.
    bool require_nonce = false;
};

struct OcspResult {
    // Good/Revoked only if every check passed; otherwise Unknown saying why.
    Status status = Status::unknown("no OCSP response checked");
    // From the SingleResponse about cert and the ResponseData; set only once the signature
    // verified (so they are the responder's words, even when the status is Unknown).
    std::optional<common::SystemTime> this_update, next_update, produced_at;
    // Who signed: "CA" when the issuer itself, else the delegated responder's subject.
    std::string responder;
    // The delegated responder's certificate when one signed.
    std::optional<crypto::Certificate> responder_certificate;
    // The delegated responder's certificate carries id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1):
    // its own revocation status need not be checked. False for a delegated responder means the
    // caller should check responder_certificate's status too (not by asking it).
    bool responder_no_check = false;
};

// Checks a DER OCSPResponse about cert (issued by issuer) at `now`. Pure: reads no clock and no
// trust store. The response must be: successful (else Unknown naming the OCSPResponseStatus),
// of type id-pkix-ocsp-basic, signed by issuer itself or by a responder certificate included in
// the response that issuer issued and signed, carrying id-kp-OCSPSigning, digitalSignature if it
// has a keyUsage, and valid at now (RFC 6960 §4.2.2.2); without unrecognised critical extensions;
// with a SingleResponse whose CertID (in whatever hash the response used) names cert and issuer;
// with nonce_sent if given (see OcspCheckOptions::require_nonce); thisUpdate no later than
// now + skew, nextUpdate (if any) no earlier than now - skew, thisUpdate no older than max_age
// (if set, measured on our clock). Never throws; every failure is Unknown, never Good.
OcspResult check_ocsp_response(crypto::ByteView response_der, const crypto::Certificate& cert,
                               const crypto::Certificate& issuer,
                               const std::optional<crypto::Bytes>& nonce_sent,
                               common::SystemTime now, const OcspCheckOptions& options);

}  // namespace revocation
