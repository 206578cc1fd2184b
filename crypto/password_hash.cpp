#include "crypto/password_hash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <climits>

#include "crypto/openssl_error.h"

namespace crypto {

common::Result<Bytes> password_hash(std::string_view password, ByteView salt,
                                    std::uint32_t iterations) {
    if (iterations < 1 || iterations > INT_MAX) {
        return common::fail(common::Errc::invalid_argument,
                            "password hash: iteration count out of range");
    }
    if (salt.empty() || salt.size() > INT_MAX || password.size() > INT_MAX) {
        return common::fail(common::Errc::invalid_argument,
                            "password hash: salt empty or input too long");
    }
    Bytes out(password_hash_size);
    if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt.data(),
                          static_cast<int>(salt.size()), static_cast<int>(iterations),
                          EVP_sha256(), static_cast<int>(out.size()), out.data()) != 1) {
        return openssl_error(common::Errc::crypto, "password hash");
    }
    return out;
}

common::Result<Bytes> password_salt() { return random_bytes(password_salt_size); }

bool constant_time_equal(ByteView a, ByteView b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace crypto
