// PKCS#10 certification requests (RFC 2986): building one for enrolment and reading one on
// the responder side.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "crypto/bytes.h"
#include "crypto/certificate.h"
#include "crypto/fingerprint.h"
#include "crypto/key_usage.h"
#include "crypto/private_key.h"

struct X509_req_st;

namespace crypto {

struct CsrRequest {
    std::string subject;                       // RFC 4514, e.g. "CN=00:11:22:33:44:55,O=Example"
    std::vector<SubjectAltName> subject_alt_names;
    std::optional<std::string> challenge_password;  // PKCS#9 attribute; a secret, never logged
    KeyUsageSet key_usage;                     // requested; empty = no extension
    std::vector<std::string> extended_key_usage;  // OIDs; empty = no extension
    DigestAlgorithm digest = DigestAlgorithm::sha256;
};

class Csr {
public:
    // REQUIRES: request.digest is SHA-2.
    static common::Result<Csr> build(const CsrRequest& request, const PrivateKey& key);
    static common::Result<Csr> from_der(ByteView der);
    static common::Result<Csr> from_pem(std::string_view pem);

    Bytes to_der() const;
    std::string to_pem() const;

    std::string subject() const;
    std::vector<SubjectAltName> subject_alt_names() const;  // from the extensionRequest
    std::optional<std::string> challenge_password() const;
    std::optional<KeyUsageSet> key_usage() const;
    std::vector<std::string> extended_key_usage() const;
    Bytes public_key_der() const;
    std::string public_key_description() const;
    // Proof of possession: the self-signature verifies with the embedded public key.
    bool verify_signature() const;

    X509_req_st* native() const { return m_req.get(); }

private:
    struct Free {
        void operator()(X509_req_st* p) const noexcept;
    };
    explicit Csr(X509_req_st* owned) : m_req(owned, Free{}) {}

    std::shared_ptr<X509_req_st> m_req;
};

}  // namespace crypto
