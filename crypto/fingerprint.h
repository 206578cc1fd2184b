// Digests and certificate fingerprints.
//
// Text forms: "sha256:AB:CD:..." (algorithm prefix, upper-case, colon-separated; what the CLI
// prints and profiles carry) and plain hex ("abcd..."). parse() accepts either, case-insensitively,
// with or without separators; without a prefix the algorithm is inferred from the length
// (32 bytes SHA-256, 20 SHA-1, 16 MD5). MD5 and SHA-1 exist for display next to legacy tools;
// trust decisions (pinning) require SHA-256 or stronger.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "crypto/bytes.h"

namespace crypto {

enum class DigestAlgorithm { sha256, sha384, sha512, sha1, md5 };

std::string_view to_string(DigestAlgorithm alg);  // "sha256", "sha1", ...
common::Result<DigestAlgorithm> parse_digest_algorithm(std::string_view name);
std::size_t digest_size(DigestAlgorithm alg);
// True for the algorithms that may back a trust decision (SHA-2 family).
bool is_collision_resistant(DigestAlgorithm alg);

Bytes digest(DigestAlgorithm alg, ByteView data);

class Fingerprint {
public:
    Fingerprint(DigestAlgorithm alg, Bytes digest) : m_alg(alg), m_digest(std::move(digest)) {}

    // Digest of the given DER bytes.
    static Fingerprint of(ByteView der, DigestAlgorithm alg = DigestAlgorithm::sha256);
    static common::Result<Fingerprint> parse(std::string_view text);

    DigestAlgorithm algorithm() const { return m_alg; }
    const Bytes& digest() const { return m_digest; }

    std::string to_string() const;  // "sha256:AB:CD:..."
    std::string hex() const;        // "abcd..."

    bool operator==(const Fingerprint& other) const = default;

private:
    DigestAlgorithm m_alg;
    Bytes m_digest;
};

}  // namespace crypto
