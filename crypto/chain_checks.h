// The checks crypto::ChainValidator applies to a path that OpenSSL's X509_verify_cert accepted.
// Private to crypto/. docs/chain-validation.md lists every rule with its source (RFC 5280, the
// CA/Browser Forum Baseline Requirements).
#pragma once

#include <optional>
#include <string>

#include "crypto/chain_validator.h"
#include "crypto/ossl_ptr.h"

namespace crypto::detail {

struct ChainIssue {
    int depth;  // position in the path, 0 = leaf
    std::string reason;
};

// REQUIRES: chain is a path as X509_STORE_CTX_get0_chain() returns it: leaf first, anchor last.
// Checks, in this order: the leaf's keyUsage and extKeyUsage against the options, the number of
// non-self-issued intermediates against options.max_intermediates, and, when options.strict,
// the certificate profile checks. Returns the first problem found.
std::optional<ChainIssue> check_chain(STACK_OF(X509) * chain, const ValidationOptions& options);

// Whether a CRL may be used in strict mode: it carries the cRLNumber extension that RFC 5280
// §5.2.3 requires of every conforming CRL.
bool crl_is_conforming(X509_CRL* crl);

}  // namespace crypto::detail
