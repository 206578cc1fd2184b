#include "crypto/fingerprint.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>

#include "crypto/ossl_util.h"

namespace crypto {

std::string_view to_string(DigestAlgorithm alg) {
    switch (alg) {
        case DigestAlgorithm::sha256: return "sha256";
        case DigestAlgorithm::sha384: return "sha384";
        case DigestAlgorithm::sha512: return "sha512";
        case DigestAlgorithm::sha1: return "sha1";
        case DigestAlgorithm::md5: return "md5";
    }
    return "?";
}

common::Result<DigestAlgorithm> parse_digest_algorithm(std::string_view name) {
    std::string n;
    for (char c : name) {
        if (c != '-' && c != '_') n += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (n == "sha256") return DigestAlgorithm::sha256;
    if (n == "sha384") return DigestAlgorithm::sha384;
    if (n == "sha512") return DigestAlgorithm::sha512;
    if (n == "sha1") return DigestAlgorithm::sha1;
    if (n == "md5") return DigestAlgorithm::md5;
    return common::fail(common::Errc::unsupported,
                        "unknown digest algorithm '" + std::string(name) + "'");
}

std::size_t digest_size(DigestAlgorithm alg) {
    switch (alg) {
        case DigestAlgorithm::sha256: return 32;
        case DigestAlgorithm::sha384: return 48;
        case DigestAlgorithm::sha512: return 64;
        case DigestAlgorithm::sha1: return 20;
        case DigestAlgorithm::md5: return 16;
    }
    return 0;
}

bool is_collision_resistant(DigestAlgorithm alg) {
    return alg == DigestAlgorithm::sha256 || alg == DigestAlgorithm::sha384 ||
           alg == DigestAlgorithm::sha512;
}

Bytes digest(DigestAlgorithm alg, ByteView data) {
    Bytes out(EVP_MAX_MD_SIZE);
    unsigned int len = 0;
    // EVP_Digest cannot fail for these built-in algorithms short of memory exhaustion.
    if (EVP_Digest(data.data(), data.size(), out.data(), &len, detail::evp_md(alg), nullptr) != 1) {
        throw std::bad_alloc();
    }
    out.resize(len);
    return out;
}

Fingerprint Fingerprint::of(ByteView der, DigestAlgorithm alg) {
    return Fingerprint(alg, crypto::digest(alg, der));
}

common::Result<Fingerprint> Fingerprint::parse(std::string_view text) {
    const std::string_view original = text;
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    std::optional<DigestAlgorithm> alg;
    if (const auto colon = text.find(':'); colon != std::string_view::npos && colon > 2) {
        auto parsed = parse_digest_algorithm(text.substr(0, colon));
        if (!parsed) {
            return common::fail(common::Errc::parse, "fingerprint '" + std::string(original) +
                                                         "': " + parsed.error().message());
        }
        alg = *parsed;
        text.remove_prefix(colon + 1);
    }
    auto bytes = from_hex(text);
    if (!bytes) {
        return common::fail(common::Errc::parse, "fingerprint '" + std::string(original) +
                                                     "': " + bytes.error().message());
    }
    if (!alg) {
        for (auto a : {DigestAlgorithm::sha256, DigestAlgorithm::sha1, DigestAlgorithm::md5,
                       DigestAlgorithm::sha384, DigestAlgorithm::sha512}) {
            if (digest_size(a) == bytes->size()) alg = a;
        }
    }
    if (!alg || digest_size(*alg) != bytes->size()) {
        return common::fail(common::Errc::parse,
                            "fingerprint '" + std::string(original) + "': " +
                                std::to_string(bytes->size()) + " bytes does not match " +
                                (alg ? std::string(crypto::to_string(*alg)) : std::string("any digest")));
    }
    return Fingerprint(*alg, std::move(*bytes));
}

std::string Fingerprint::to_string() const {
    return std::string(crypto::to_string(m_alg)) + ":" + to_hex_separated(m_digest);
}

std::string Fingerprint::hex() const { return to_hex(m_digest); }

}  // namespace crypto
