// The SCEP client (RFC 8894 §4) over an HttpClient. Stateless between calls: what must survive
// a restart (key, transactionID, subject) is the caller's, and the transactionID is derived from
// the key so a restarted client polls or re-sends under the same ID.
//
// Outcomes a CA may legitimately give (issued, pending, rejected) are EnrollmentResult values;
// Errors are for everything else (network, malformed or unverifiable replies), with retryable()
// set where trying later may help. Nothing returned before the CertRep passed every check.
//
// Thread-safety: one Client per thread (it uses its HttpClient).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/log.h"
#include "common/result.h"
#include "crypto/certificate.h"
#include "crypto/crl.h"
#include "crypto/csr.h"
#include "crypto/private_key.h"
#include "scep/ca_certificates.h"
#include "scep/capabilities.h"
#include "scep/pki_message.h"
#include "transport/http_client.h"

namespace scep {

struct ClientOptions {
    // The SCEP URL without query, e.g. "http://ra.example.net/cgi-bin/pkiclient.exe".
    std::string url;
    // Sent as message= with GetCACaps/GetCACert/GetNextCACert when not empty (§4.2).
    std::string ca_identifier;
    // PKIOperation transport: automatic = POST when the caps allow it, else GET (§4.1).
    enum class Method { automatic, get, post } method = Method::automatic;
    // How the CA certificates are trusted: the root's (or CA's) SHA-256 fingerprint, or an
    // anchor already trusted. One of them is required for every operation but GetCACaps and the
    // unverified GetCACert listing.
    std::optional<crypto::Fingerprint> fingerprint;
    std::optional<crypto::Certificate> trust_anchor;
    // Intermediates between the anchor and the issuing CA that GetCACert may not send (a server
    // that only returns the issuing CA). Untrusted: they must chain to the anchor.
    std::vector<crypto::Certificate> extra_intermediates;
    // Fetch missing intermediates from the authorityInfoAccess caIssuers URLs (http/https) of
    // the certificates received, at most this many fetches; 0 disables.
    int max_ca_issuers_fetches = 4;
    // Response size limits.
    std::size_t max_response_bytes = 4u * 1024u * 1024u;
    std::size_t max_crl_bytes = 64u * 1024u * 1024u;
};

struct EnrollmentResult {
    enum class Status { issued, pending, rejected };
    Status status = Status::pending;
    std::string transaction_id;
    std::optional<crypto::Certificate> certificate;  // issued: our certificate, validated
    std::vector<crypto::Certificate> extra_certificates;  // issued: anything else in the reply
    std::optional<FailInfo> failure;                 // rejected
};
std::string_view to_string(EnrollmentResult::Status status);

// What an enrolment needs besides the CSR.
struct EnrollmentKeys {
    crypto::PrivateKey key;  // the CSR's key
    // RenewalReq / re-enrolment: the existing certificate and its key sign the request.
    std::optional<crypto::Certificate> existing_certificate;
    std::optional<crypto::PrivateKey> existing_key;
};

class Client {
public:
    // REQUIRES: http, clock and the logger's sink outlive the client.
    Client(transport::HttpClient& http, const common::Clock& clock, ClientOptions options,
           common::Logger log);

    // An HTTP error or empty body means "no capabilities" (§3.5.1); network errors are errors.
    common::Result<Capabilities> get_ca_caps();
    // GetCACert, decoded but NOT verified (for display before a fingerprint is known).
    common::Result<std::vector<crypto::Certificate>> get_ca_cert_unverified();
    // GetCACert, roles selected and validated against the fingerprint / trust anchor.
    common::Result<CaCertificates> get_ca_certificates();
    // GetNextCACert (§4.7): the rollover certificates, signature verified with current's signer
    // or issuing CA.
    common::Result<std::vector<crypto::Certificate>> get_next_ca_certificates(
        const CaCertificates& current);

    // PKCSReq (19) signed with a transient self-signed certificate; or, when keys has an existing
    // certificate, RenewalReq (17) if caps.renewal else PKCSReq signed with that certificate.
    common::Result<EnrollmentResult> enroll(const crypto::Csr& csr, const EnrollmentKeys& keys,
                                            const CaCertificates& ca, const Capabilities& caps);
    // CertPoll (20) for a pending request: same transactionID (derived from keys.key).
    common::Result<EnrollmentResult> poll(const crypto::Csr& csr, const EnrollmentKeys& keys,
                                          const CaCertificates& ca, const Capabilities& caps);
    // GetCert (21): a certificate by the issuing CA's serial. Signed with keys.
    common::Result<crypto::Certificate> get_cert(std::string_view serial_hex,
                                                 const crypto::Certificate& signer,
                                                 const crypto::PrivateKey& signer_key,
                                                 const CaCertificates& ca, const Capabilities& caps);
    // GetCRL (22): the CRL covering cert (issuer and serial of cert).
    common::Result<crypto::Crl> get_crl(const crypto::Certificate& cert,
                                        const crypto::PrivateKey& key, const CaCertificates& ca,
                                        const Capabilities& caps);

private:
    common::Result<CertRep> other_operation(MessageType type, crypto::Bytes body,
                                            const crypto::Certificate& signer,
                                            const crypto::PrivateKey& signer_key,
                                            const CaCertificates& ca, const Capabilities& caps);
    common::Result<CertRep> pki_operation(const Request& request, const RequestCrypto& crypto,
                                          const CaCertificates& ca, const Capabilities& caps);
    common::Result<EnrollmentResult> to_enrollment(const CertRep& reply, const crypto::PrivateKey& key,
                                                   const CaCertificates& ca);
    common::Result<transport::HttpResponse> get(std::string_view operation, std::string_view message,
                                                std::size_t limit);
    // Certificates named by caIssuers URLs of certs whose issuer is not among certs.
    std::vector<crypto::Certificate> fetch_missing_issuers(const std::vector<crypto::Certificate>& certs,
                                                           int& budget);
    common::Result<RequestCrypto> signer_for(const crypto::Csr& csr, const EnrollmentKeys& keys,
                                             const CaCertificates& ca, const Capabilities& caps);

    transport::HttpClient& m_http;
    const common::Clock& m_clock;
    ClientOptions m_options;
    common::Logger m_log;
};

}  // namespace scep
