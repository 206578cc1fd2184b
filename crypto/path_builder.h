// Candidate certification paths for crypto::ChainValidator (RFC 4158 style path building).
// Private to crypto/.
//
// OpenSSL's X509_verify_cert builds one path and does not backtrack when that path fails (an
// expired or name-constrained cross-certificate hides a valid alternative). The validator asks
// this search for the other paths and lets OpenSSL check each of them in turn.
#pragma once

#include <cstddef>
#include <ctime>
#include <vector>

#include "crypto/ossl_ptr.h"

namespace crypto::detail {

struct PathSearchLimits {
    // Paths returned at most.
    std::size_t max_paths = 64;
    // Certificates per path at most, leaf and anchor included.
    std::size_t max_certificates = 12;
    // Issuer tests (X509_check_issued calls) in total; bounds the work on hostile input.
    std::size_t max_steps = 8192;
};

// A path, leaf first, anchor last. The pointers alias the caller's certificates.
using CandidatePath = std::vector<X509*>;

// Depth-first search from leaf through untrusted to any of anchors. An issuer is any certificate
// for which X509_check_issued() succeeds (names, authority key identifier, keyCertSign);
// signatures are NOT checked here. A path never repeats a certificate nor a (subject, public key)
// pair. At each step anchors are tried first, then intermediates valid at `at`, then the rest.
std::vector<CandidatePath> candidate_paths(X509* leaf, const std::vector<X509*>& untrusted,
                                           const std::vector<X509*>& anchors, std::time_t at,
                                           const PathSearchLimits& limits = {});

}  // namespace crypto::detail
