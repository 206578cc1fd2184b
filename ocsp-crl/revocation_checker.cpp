#include "ocsp-crl/revocation_checker.h"

#include <algorithm>

#include "common/time_format.h"
#include "crypto/fingerprint.h"
#include "ocsp-crl/crl_check.h"
#include "ocsp-crl/crl_index.h"
#include "ocsp-crl/ocsp.h"

namespace revocation {
namespace {

constexpr std::size_t max_parsed_crls = 4;

std::string describe_cert(const crypto::Certificate& cert) {
    return cert.subject() + " (serial " + cert.serial_hex() + ")";
}

bool answered(const Status& s) { return s.is_good() || s.is_revoked(); }

}  // namespace

struct OnlineRevocationChecker::ParsedCrl {
    crypto::Bytes der;
    std::shared_ptr<const CrlIndex> index;
};

bool checking_enabled(const Policy& policy) { return !policy.methods.empty(); }

bool acceptable(const Status& status, const Policy& policy) {
    if (status.is_good()) return true;
    if (status.is_revoked()) return false;
    return !checking_enabled(policy) || policy.on_unknown == Policy::OnUnknown::soft_fail;
}

Status ChainStatus::overall() const {
    for (const auto& c : certificates) {
        if (c.status.is_revoked()) return c.status;
    }
    for (const auto& c : certificates) {
        if (c.status.is_unknown()) {
            return Status::unknown(c.certificate.subject() + ": " + c.status.why());
        }
    }
    if (certificates.empty()) return Status::unknown("no certificate to check");
    return Status::good();
}

std::string issuer_id(const crypto::Certificate& issuer) {
    return crypto::Fingerprint::of(issuer.public_key_der()).hex();
}

OnlineRevocationChecker::OnlineRevocationChecker(transport::HttpClient& http,
                                                 RevocationCache* cache, common::Logger log,
                                                 FetchLimits limits)
    : m_http(&http), m_cache(cache), m_log(std::move(log)), m_limits(limits) {}

OnlineRevocationChecker::~OnlineRevocationChecker() = default;

ChainStatus OnlineRevocationChecker::check_chain(const std::vector<crypto::Certificate>& chain,
                                                 const Policy& policy, common::SystemTime now,
                                                 const Sources& leaf_sources) {
    ChainStatus result;
    static const Sources none;
    for (std::size_t i = 0; i + 1 < chain.size(); ++i) {
        result.certificates.push_back(
            check(chain[i], chain[i + 1], policy, now, i == 0 ? leaf_sources : none));
    }
    // A last certificate that is not self-issued has no issuer here: nothing can vouch for it.
    if (!chain.empty() && chain.size() >= 2 && !chain.back().is_self_issued()) {
        CertificateStatus last(chain.back());
        last.status = Status::unknown("its issuer is not in the chain");
        result.certificates.push_back(std::move(last));
    }
    return result;
}

CertificateStatus OnlineRevocationChecker::check(const crypto::Certificate& cert,
                                                 const crypto::Certificate& issuer,
                                                 const Policy& policy, common::SystemTime now,
                                                 const Sources& sources) {
    CertificateStatus out(cert);
    if (!checking_enabled(policy)) {
        out.status = Status::unknown("revocation checking is off");
        return out;
    }
    for (Method method : policy.methods) {
        bool done = false;
        if (method == Method::ocsp) {
            auto urls = sources.ocsp_urls.empty() ? cert.ocsp_urls() : sources.ocsp_urls;
            if (urls.empty()) {
                out.attempts.push_back("ocsp: the certificate names no OCSP responder");
                continue;
            }
            done = try_ocsp(out, issuer, policy, now, urls);
        } else {
            // CRLs given by the caller (URLs or bytes) replace the certificate's locations.
            const bool overridden = !sources.crl_urls.empty() || !sources.crls.empty();
            auto urls = overridden ? sources.crl_urls : cert.crl_distribution_urls();
            if (urls.empty() && sources.crls.empty()) {
                out.attempts.push_back("crl: the certificate names no CRL distribution point");
                continue;
            }
            done = try_crl(out, issuer, policy, now, urls, sources.crls);
        }
        if (done) {
            out.method = method;
            m_log.info(describe_cert(cert) + ": " + out.status.describe() + " (" +
                       std::string(method_name(method)) + " " + out.source + ")");
            return out;
        }
    }
    std::string why;
    for (const auto& a : out.attempts) why += (why.empty() ? "" : "; ") + a;
    out.status = Status::unknown(why.empty() ? "no method answered" : why);
    m_log.warning(describe_cert(cert) + ": " + out.status.describe());
    return out;
}

bool OnlineRevocationChecker::try_ocsp(CertificateStatus& out, const crypto::Certificate& issuer,
                                       const Policy& policy, common::SystemTime now,
                                       const std::vector<std::string>& urls) {
    const crypto::Certificate& cert = out.certificate;
    OcspCheckOptions options;
    options.freshness = policy.freshness;
    options.require_nonce = policy.require_nonce;
    CacheKey key{Method::ocsp, issuer_id(issuer), cert.serial_hex()};

    auto accept = [&](const OcspResult& r, std::string source) {
        out.status = r.status;
        out.source = std::move(source);
        out.this_update = r.this_update;
        out.next_update = r.next_update;
    };

    if (m_cache && !policy.require_nonce) {
        auto cached = m_cache->find(key);
        if (!cached) {
            out.attempts.push_back("ocsp cache: " + cached.error().message());
        } else if (*cached) {
            auto r = check_ocsp_response((*cached)->der, cert, issuer, std::nullopt, now, options);
            if (answered(r.status)) {
                accept(r, "cache: " + (*cached)->source_url);
                return true;
            }
        }
    }

    OcspRequestOptions request_options;
    request_options.with_nonce = policy.ocsp_nonce || policy.require_nonce;
    auto request = make_ocsp_request(cert, issuer, request_options);
    if (!request) {
        out.attempts.push_back("ocsp: " + request.error().message());
        return false;
    }
    for (const auto& url : urls) {
        auto body = fetch_ocsp(*m_http, url, request->der, m_limits);
        if (!body) {
            out.attempts.push_back("ocsp " + url + ": " + body.error().message());
            continue;
        }
        auto r = check_ocsp_response(*body, cert, issuer, request->nonce, now, options);
        if (!answered(r.status)) {
            out.attempts.push_back("ocsp " + url + ": " + r.status.why());
            continue;
        }
        accept(r, url);
        if (m_cache && r.this_update) {
            CacheEntry e;
            e.id = key;
            e.source_url = url;
            e.der = std::move(*body);
            e.issuer_der = issuer.to_der();
            e.cert_der = cert.to_der();
            e.this_update = *r.this_update;
            e.next_update = r.next_update;
            e.fetched_at = now;
            e.refresh_at =
                refresh_time(e.this_update, e.next_update, now, policy.freshness.max_age);
            if (auto s = m_cache->store(e); !s) {
                m_log.warning("cannot cache the OCSP response for " + describe_cert(cert) + ": " +
                              s.error().message());
            }
        }
        return true;
    }
    return false;
}

common::Result<std::shared_ptr<const CrlIndex>> OnlineRevocationChecker::parsed(
    const CacheKey& key, const crypto::Bytes& der) {
    auto it = m_parsed.find(key);
    if (it != m_parsed.end() && it->second->der == der) return it->second->index;
    auto index = CrlIndex::parse(der);
    if (!index) return index.error();
    if (m_parsed.size() >= max_parsed_crls && it == m_parsed.end()) m_parsed.erase(m_parsed.begin());
    auto entry = std::make_shared<ParsedCrl>();
    entry->der = der;
    entry->index = std::make_shared<const CrlIndex>(std::move(*index));
    m_parsed[key] = entry;
    return std::shared_ptr<const CrlIndex>(entry->index);
}

bool OnlineRevocationChecker::try_crl(CertificateStatus& out, const crypto::Certificate& issuer,
                                      const Policy& policy, common::SystemTime now,
                                      const std::vector<std::string>& urls,
                                      const std::vector<crypto::Bytes>& at_hand) {
    const crypto::Certificate& cert = out.certificate;
    CrlCheckOptions options;
    options.freshness = policy.freshness;

    auto accept = [&](const CrlIndex& crl, Status status, std::string source) {
        out.status = std::move(status);
        out.source = std::move(source);
        out.this_update = crl.this_update();
        out.next_update = crl.next_update();
    };

    for (const auto& bytes : at_hand) {
        auto crl = CrlIndex::parse(bytes);
        if (!crl) {
            out.attempts.push_back("crl file: " + crl.error().message());
            continue;
        }
        Status s = check_crl(*crl, cert, issuer, now, options);
        if (answered(s)) {
            accept(*crl, std::move(s), "file");
            return true;
        }
        out.attempts.push_back("crl file: " + s.why());
    }

    const std::string id = issuer_id(issuer);
    for (const auto& url : urls) {
        CacheKey key{Method::crl, id, url};
        if (m_cache) {
            auto cached = m_cache->find(key);
            if (!cached) {
                out.attempts.push_back("crl cache: " + cached.error().message());
            } else if (*cached) {
                if (auto crl = parsed(key, (*cached)->der)) {
                    Status s = check_crl(**crl, cert, issuer, now, options);
                    if (answered(s)) {
                        accept(**crl, std::move(s), "cache: " + url);
                        return true;
                    }
                }
            }
        }
        auto body = fetch_crl(*m_http, url, m_limits);
        if (!body) {
            out.attempts.push_back("crl " + url + ": " + body.error().message());
            continue;
        }
        auto parsed_crl = parsed(key, *body);
        if (!parsed_crl) {
            out.attempts.push_back("crl " + url + ": " + parsed_crl.error().message());
            continue;
        }
        const std::shared_ptr<const CrlIndex>& crl = *parsed_crl;
        Status s = check_crl(*crl, cert, issuer, now, options);
        if (!answered(s)) {
            out.attempts.push_back("crl " + url + ": " + s.why());
            continue;
        }
        accept(*crl, std::move(s), url);
        if (m_cache) {
            CacheEntry e;
            e.id = key;
            e.source_url = url;
            e.der = std::move(*body);
            e.issuer_der = issuer.to_der();
            e.this_update = crl->this_update();
            e.next_update = crl->next_update();
            e.fetched_at = now;
            e.refresh_at =
                refresh_time(e.this_update, e.next_update, now, policy.freshness.max_age);
            if (auto r = m_cache->store(e); !r) {
                m_log.warning("cannot cache the CRL from " + url + ": " + r.error().message());
            }
        }
        return true;
    }
    return false;
}

std::size_t OnlineRevocationChecker::refresh_due(const Policy& policy, common::SystemTime now,
                                                 std::size_t limit) {
    if (!m_cache) return 0;
    auto due = m_cache->due_for_refresh(now, limit);
    if (!due) {
        m_log.warning("revocation cache: " + due.error().message());
        return 0;
    }
    std::size_t replaced = 0;
    for (auto& entry : *due) {
        auto issuer = crypto::Certificate::from_der(entry.issuer_der);
        if (!issuer) continue;
        CacheEntry fresh = entry;
        if (entry.id.method == Method::crl) {
            auto body = fetch_crl(*m_http, entry.source_url, m_limits);
            if (!body) {
                m_log.warning("refresh of the CRL from " + entry.source_url + ": " +
                              body.error().message());
                entry.refresh_at = now + std::chrono::minutes(15);
                (void)m_cache->store(entry);
                continue;
            }
            auto crl = CrlIndex::parse(*body);
            CrlCheckOptions options;
            options.freshness = policy.freshness;
            if (!crl || !validate_crl(*crl, *issuer, now, options)) {
                m_log.warning("refresh of the CRL from " + entry.source_url +
                              ": the new CRL does not check out; keeping the old one");
                entry.refresh_at = now + std::chrono::minutes(15);
                (void)m_cache->store(entry);
                continue;
            }
            fresh.der = std::move(*body);
            fresh.this_update = crl->this_update();
            fresh.next_update = crl->next_update();
        } else {
            auto cert = crypto::Certificate::from_der(entry.cert_der);
            if (!cert) continue;
            auto request = make_ocsp_request(*cert, *issuer, {});
            if (!request) continue;
            auto body = fetch_ocsp(*m_http, entry.source_url, request->der, m_limits);
            OcspCheckOptions options;
            options.freshness = policy.freshness;
            OcspResult r;
            if (body) r = check_ocsp_response(*body, *cert, *issuer, request->nonce, now, options);
            if (!body || !answered(r.status) || !r.this_update) {
                m_log.warning("refresh of the OCSP response for serial " + entry.id.key + " from " +
                              entry.source_url + " failed; keeping the old one");
                entry.refresh_at = now + std::chrono::minutes(15);
                (void)m_cache->store(entry);
                continue;
            }
            fresh.der = std::move(*body);
            fresh.this_update = *r.this_update;
            fresh.next_update = r.next_update;
        }
        fresh.fetched_at = now;
        fresh.refresh_at =
            refresh_time(fresh.this_update, fresh.next_update, now, policy.freshness.max_age);
        if (auto r = m_cache->store(fresh); r) ++replaced;
    }
    return replaced;
}

}  // namespace revocation
