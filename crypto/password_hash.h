// Hashing secrets that are stored only to be checked later, such as the one-time enrolment
// passwords of the local CA: PBKDF2-HMAC-SHA256 (RFC 8018 §5.2) with a per-secret random salt,
// and a comparison whose duration does not depend on where two hashes differ.
//
// Thread-safety: free functions without shared state.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/result.h"
#include "crypto/bytes.h"

namespace crypto {

// OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256. Stored next to each hash, so that a later
// change applies to new secrets only.
inline constexpr std::uint32_t default_password_hash_iterations = 600'000;
inline constexpr std::size_t password_hash_size = 32;  // bytes, SHA-256's output size
inline constexpr std::size_t password_salt_size = 16;  // bytes, RFC 8018 §4.1 asks >= 8

// PBKDF2-HMAC-SHA256(password, salt, iterations), password_hash_size bytes.
// REQUIRES: iterations >= 1; salt non-empty. Errc::invalid_argument otherwise.
common::Result<Bytes> password_hash(std::string_view password, ByteView salt,
                                    std::uint32_t iterations = default_password_hash_iterations);

// A fresh random salt of password_salt_size bytes.
common::Result<Bytes> password_salt();

// True if a and b have the same size and content. For equal sizes the time taken does not depend
// on the content (CRYPTO_memcmp); sizes are not secret.
bool constant_time_equal(ByteView a, ByteView b);

}  // namespace crypto
