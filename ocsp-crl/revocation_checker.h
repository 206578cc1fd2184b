// revocation::RevocationChecker: the status of every certificate of a chain, from OCSP and/or
// CRLs as the profile's Policy says (lifecycle step 8). The lifecycle sees the interface only;
// OnlineRevocationChecker fetches over transport::HttpClient, keeps evidence in a
// RevocationCache and checks it offline (crl_check.h, ocsp.h) at the caller's `now`.
//
// Per certificate the methods of Policy::methods are tried in order; within a method each URL
// the certificate names (AIA OCSP, CRL distribution points) in turn, a still-fresh cached answer
// first. The first Good or Revoked answer wins; an OCSP "unknown" or a failed source moves on.
// When nothing answers, the status is Unknown listing why each source failed. Whether Unknown is
// acceptable is the policy's call (acceptable()), not the checker's.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/log.h"
#include "crypto/certificate.h"
#include "ocsp-crl/fetcher.h"
#include "ocsp-crl/revocation_cache.h"
#include "ocsp-crl/status.h"
#include "transport/http_client.h"

namespace revocation {

class CrlIndex;

// A profile's revocation policy (docs/revocation.md; the profile keys come with profiles/).
struct Policy {
    // Methods tried in this order. Empty: checking is off (every status is Unknown "revocation
    // checking is off" and acceptable()).
    std::vector<Method> methods{Method::ocsp, Method::crl};
    // What Unknown means for the lifecycle: soft-fail accepts it with a warning, hard-fail treats
    // it like a failure. Soft by default: many private CAs publish no CRL or OCSP at all.
    enum class OnUnknown { soft_fail, hard_fail };
    OnUnknown on_unknown = OnUnknown::soft_fail;
    // Clock skew tolerated and the maximum age of evidence (status.h).
    Freshness freshness;
    // Send a nonce with OCSP requests (RFC 8954); responders that use pre-signed responses
    // (RFC 5019) answer without one, which is accepted unless require_nonce.
    bool ocsp_nonce = true;
    bool require_nonce = false;
};

bool checking_enabled(const Policy& policy);
// Good: yes. Revoked: never. Unknown: only under soft-fail (or with checking off).
bool acceptable(const Status& status, const Policy& policy);

// Evidence the caller already has or knows better than the certificate: the CLI's --crl and
// --ocsp-url. They apply to the leaf (the first certificate of a chain) only.
struct Sources {
    std::vector<std::string> ocsp_urls;  // used instead of the certificate's AIA OCSP URLs
    // When either is non-empty, these replace the certificate's CRL distribution points: the
    // CRLs at hand (DER or PEM) are tried first, then the URLs.
    std::vector<std::string> crl_urls;
    std::vector<crypto::Bytes> crls;
};

struct CertificateStatus {
    explicit CertificateStatus(crypto::Certificate cert) : certificate(std::move(cert)) {}

    crypto::Certificate certificate;
    Status status = Status::unknown("not checked");
    std::optional<Method> method;  // what answered (Good/Revoked only)
    std::string source;            // the URL, "cache: URL" or "file"
    std::optional<common::SystemTime> this_update;
    std::optional<common::SystemTime> next_update;
    std::vector<std::string> attempts;  // one line per source tried that gave no answer
};

struct ChainStatus {
    std::vector<CertificateStatus> certificates;  // leaf first; the self-signed root is not here
    // Revoked if any is, else Unknown if any is (naming the certificate), else Good.
    Status overall() const;
};

class RevocationChecker {
public:
    virtual ~RevocationChecker() = default;
    // chain: the leaf first, each certificate followed by its issuer; a trailing self-signed
    // root is the anchor and is not checked. REQUIRES: chain.size() >= 2.
    virtual ChainStatus check_chain(const std::vector<crypto::Certificate>& chain,
                                    const Policy& policy, common::SystemTime now,
                                    const Sources& leaf_sources = {}) = 0;
};

class OnlineRevocationChecker final : public RevocationChecker {
public:
    // cache may be null (nothing kept). REQUIRES: http, the cache and the log's sink outlive
    // the checker.
    OnlineRevocationChecker(transport::HttpClient& http, RevocationCache* cache,
                            common::Logger log, FetchLimits limits = {});
    ~OnlineRevocationChecker() override;

    ChainStatus check_chain(const std::vector<crypto::Certificate>& chain, const Policy& policy,
                            common::SystemTime now, const Sources& leaf_sources = {}) override;

    CertificateStatus check(const crypto::Certificate& cert, const crypto::Certificate& issuer,
                            const Policy& policy, common::SystemTime now,
                            const Sources& sources = {});

    // The background refresh: fetches a newer copy of up to limit cached entries whose refresh
    // time has come (revocation_cache.h refresh_time), keeping the old one when the new one
    // does not check out. Returns how many were replaced.
    std::size_t refresh_due(const Policy& policy, common::SystemTime now, std::size_t limit = 16);

private:
    struct ParsedCrl;
    // The CRL's index, reused while the same bytes come back for key; the parse error if any.
    common::Result<std::shared_ptr<const CrlIndex>> parsed(const CacheKey& key,
                                                           const crypto::Bytes& der);
    bool try_ocsp(CertificateStatus& out, const crypto::Certificate& issuer, const Policy& policy,
                  common::SystemTime now, const std::vector<std::string>& urls);
    bool try_crl(CertificateStatus& out, const crypto::Certificate& issuer, const Policy& policy,
                 common::SystemTime now, const std::vector<std::string>& urls,
                 const std::vector<crypto::Bytes>& at_hand);

    transport::HttpClient* m_http;
    RevocationCache* m_cache;
    common::Logger m_log;
    FetchLimits m_limits;
    // The last few parsed CRLs (a 1,000,000-entry CRL takes a while to index), by cache key.
    std::map<CacheKey, std::shared_ptr<ParsedCrl>> m_parsed;
};

// The cache key's issuer_id: hex SHA-256 of the issuer's SubjectPublicKeyInfo.
std::string issuer_id(const crypto::Certificate& issuer);

}  // namespace revocation
