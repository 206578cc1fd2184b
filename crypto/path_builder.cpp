#include "crypto/path_builder.h"

#include <algorithm>

namespace crypto::detail {
namespace {

bool is_valid_at(X509* x, std::time_t at) {
    return ASN1_TIME_cmp_time_t(X509_get0_notBefore(x), at) <= 0 &&
           ASN1_TIME_cmp_time_t(X509_get0_notAfter(x), at) >= 0;
}

bool same_entity(X509* a, X509* b) {
    if (X509_cmp(a, b) == 0) {
        return true;
    }
    if (X509_NAME_cmp(X509_get_subject_name(a), X509_get_subject_name(b)) != 0) {
        return false;
    }
    const EVP_PKEY* ka = X509_get0_pubkey(a);
    const EVP_PKEY* kb = X509_get0_pubkey(b);
    return ka != nullptr && kb != nullptr && EVP_PKEY_eq(ka, kb) == 1;
}

class PathSearch {
public:
    PathSearch(std::vector<X509*> intermediates, const std::vector<X509*>& anchors,
               const PathSearchLimits& limits)
        : m_intermediates(std::move(intermediates)), m_anchors(anchors), m_limits(limits) {}

    std::vector<CandidatePath> run(X509* leaf) {
        m_path.push_back(leaf);
        extend();
        return std::move(m_found);
    }

private:
    bool exhausted() const {
        return m_found.size() >= m_limits.max_paths || m_steps >= m_limits.max_steps;
    }

    bool on_path(X509* candidate) const {
        return std::any_of(m_path.begin(), m_path.end(),
                           [candidate](X509* x) { return same_entity(x, candidate); });
    }

    bool issues(X509* issuer, X509* subject) {
        ++m_steps;
        return X509_check_issued(issuer, subject) == X509_V_OK && !on_path(issuer);
    }

    void extend() {
        X509* tip = m_path.back();
        for (X509* anchor : m_anchors) {
            if (exhausted()) {
                return;
            }
            if (issues(anchor, tip)) {
                m_found.push_back(m_path);
                m_found.back().push_back(anchor);
            }
        }
        // Room is needed for one more intermediate and an anchor after it.
        if (m_path.size() + 2 > m_limits.max_certificates) {
            return;
        }
        for (X509* issuer : m_intermediates) {
            if (exhausted()) {
                return;
            }
            if (issues(issuer, tip)) {
                m_path.push_back(issuer);
                extend();
                m_path.pop_back();
            }
        }
    }

    std::vector<X509*> m_intermediates;
    const std::vector<X509*>& m_anchors;
    const PathSearchLimits& m_limits;
    CandidatePath m_path;
    std::vector<CandidatePath> m_found;
    std::size_t m_steps = 0;
};

}  // namespace

std::vector<CandidatePath> candidate_paths(X509* leaf, const std::vector<X509*>& untrusted,
                                           const std::vector<X509*>& anchors, std::time_t at,
                                           const PathSearchLimits& limits) {
    std::vector<X509*> intermediates;
    for (X509* x : untrusted) {
        const bool is_anchor = std::any_of(anchors.begin(), anchors.end(),
                                           [x](X509* a) { return X509_cmp(a, x) == 0; });
        if (!is_anchor && X509_cmp(x, leaf) != 0) {
            intermediates.push_back(x);
        }
    }
    std::stable_partition(intermediates.begin(), intermediates.end(),
                          [at](X509* x) { return is_valid_at(x, at); });
    return PathSearch(std::move(intermediates), anchors, limits).run(leaf);
}

}  // namespace crypto::detail
