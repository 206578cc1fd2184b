// Fetching revocation evidence over transport::HttpClient: CRLs from CRL distribution points
// (RFC 5280 §4.2.1.13) and OCSP responses from the responder named in the AIA (RFC 6960
// Appendix A). Fetching never judges: the bytes go to the offline checks (crl_check.h, ocsp.h).
//
// Every fetch is bounded: a timeout for the whole exchange and a response-size limit enforced
// while receiving (a 200 MB answer is refused after the limit, not read whole). Only http and
// https URLs are fetched; ldap:// and others are refused with Errc::unsupported, so that a
// certificate listing an LDAP and an HTTP distribution point still gets checked.
//
// Thread-safety: as the HttpClient passed in.
#pragma once

#include <chrono>
#include <string>

#include "common/result.h"
#include "crypto/bytes.h"
#include "transport/http_client.h"

namespace revocation {

struct FetchLimits {
    // Whole exchange, connection included.
    std::chrono::milliseconds timeout{10000};
    // A CRL of 1,000,000 entries is about 40 MB; larger answers are refused.
    std::size_t max_crl_bytes = 128 * 1024 * 1024;
    // OCSP responses are small; a few certificates and a signature fit well within this.
    std::size_t max_ocsp_bytes = 64 * 1024;
};

// GETs a CRL (DER or PEM; returned as received). Errors: Errc::unsupported for a non-HTTP URL,
// the HttpClient's error (timeout, network, size) or a non-200 status as Errc::protocol.
common::Result<crypto::Bytes> fetch_crl(transport::HttpClient& http, const std::string& url,
                                        const FetchLimits& limits);

// Sends an OCSPRequest: by GET when the encoded request is short enough (RFC 6960 A.1, so that
// caches in between can answer), else by POST with Content-Type application/ocsp-request.
// Returns the body of a 200 answer (whatever its Content-Type: some responders mislabel it;
// the offline check decides).
common::Result<crypto::Bytes> fetch_ocsp(transport::HttpClient& http, const std::string& url,
                                         crypto::ByteView request_der, const FetchLimits& limits);

}  // namespace revocation
