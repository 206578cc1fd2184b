// Self-signed certificates: the transient signer a SCEP client puts in PKCSReq (RFC 8894 §2.3),
// and simple roots for tests and labs.
#pragma once

#include <string_view>

#include "common/result.h"
#include "crypto/certificate.h"
#include "crypto/private_key.h"

namespace crypto {

struct SelfSignedOptions {
    SystemTime not_before;
    SystemTime not_after;
    bool ca = false;  // basicConstraints cA=TRUE + keyCertSign/cRLSign; else an end-entity
                      // certificate with digitalSignature + keyEncipherment
    DigestAlgorithm digest = DigestAlgorithm::sha256;
};

// REQUIRES: options.not_before < options.not_after. The serial is 16 random bytes.
common::Result<Certificate> make_self_signed(const PrivateKey& key, std::string_view subject_dn,
                                             const SelfSignedOptions& options);

}  // namespace crypto
