// crypto::PrivateKey: an asymmetric key pair (RSA or EC) as a value type; copies share the
// OpenSSL object. Serialised forms are secrets: never log them.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "crypto/bytes.h"

struct evp_pkey_st;

namespace crypto {

class Certificate;

// "rsa:2048", "rsa:3072", "rsa:4096", "ec:P-256", "ec:P-384" (case-insensitive; "ec:prime256v1"
// and "ec:secp384r1" accepted). Anything else, e.g. RSA below 2048 bits, is refused.
struct KeySpec {
    enum class Type { rsa, ec };
    Type type = Type::rsa;
    int rsa_bits = 2048;
    std::string curve;  // "P-256" or "P-384" when type == ec

    static common::Result<KeySpec> parse(std::string_view text);
    std::string to_string() const;
};

class PrivateKey {
public:
    static common::Result<PrivateKey> generate(const KeySpec& spec);
    // PKCS#8 (encrypted or not), traditional RSA/EC PEM. A passphrase is needed only for
    // encrypted PEM; a wrong or missing one is an Errc::verification / invalid_argument error.
    static common::Result<PrivateKey> from_pem(std::string_view pem,
                                               std::optional<std::string_view> passphrase = {});
    static common::Result<PrivateKey> from_der(ByteView der);  // PKCS#8 or traditional
    static PrivateKey adopt(evp_pkey_st* pkey);                 // takes one reference

    // Unencrypted PKCS#8 PEM.
    std::string to_pem() const;
    // PKCS#8 encrypted with AES-256-CBC and a PBKDF2 key.
    common::Result<std::string> to_encrypted_pem(std::string_view passphrase) const;
    Bytes to_der() const;  // unencrypted PKCS#8

    Bytes public_key_der() const;  // SubjectPublicKeyInfo
    std::string description() const;  // "RSA 2048", "EC P-256"
    bool is_rsa() const;

    // True if cert carries this key's public half.
    bool matches(const Certificate& cert) const;

    evp_pkey_st* native() const { return m_pkey.get(); }

private:
    struct Free {
        void operator()(evp_pkey_st* p) const noexcept;
    };
    explicit PrivateKey(evp_pkey_st* owned) : m_pkey(owned, Free{}) {}

    std::shared_ptr<evp_pkey_st> m_pkey;
};

}  // namespace crypto
