// crypto::Crl: an X.509 CRL (RFC 5280 §5) as a value type. Validity and scope checks that need
// policy live in ocsp-crl/; this type only decodes and checks the signature.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "crypto/bytes.h"
#include "crypto/certificate.h"

struct X509_crl_st;

namespace crypto {

struct RevokedEntry {
    std::string serial_hex;  // as Certificate::serial_hex()
    SystemTime revocation_time;
    std::optional<int> reason;  // CRLReason code (RFC 5280 §5.3.1) if present
};

class Crl {
public:
    static common::Result<Crl> from_der(ByteView der);
    static common::Result<Crl> from_pem(std::string_view pem);
    static common::Result<Crl> load_any(ByteView data);  // DER or PEM by content
    static Crl adopt(X509_crl_st* crl);                   // takes one reference

    Bytes to_der() const;
    std::string to_pem() const;

    std::string issuer() const;
    SystemTime this_update() const;
    std::optional<SystemTime> next_update() const;
    std::optional<std::string> crl_number_hex() const;
    std::size_t entry_count() const;
    std::vector<RevokedEntry> entries() const;
    std::optional<RevokedEntry> find(std::string_view serial_hex) const;
    bool is_signed_by(const Certificate& issuer) const;

    X509_crl_st* native() const { return m_crl.get(); }

private:
    struct Free {
        void operator()(X509_crl_st* p) const noexcept;
    };
    explicit Crl(X509_crl_st* owned) : m_crl(owned, Free{}) {}

    std::shared_ptr<X509_crl_st> m_crl;
};

}  // namespace crypto
