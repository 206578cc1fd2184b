#include "scep/capabilities.h"

#include <array>
#include <cctype>

namespace scep {
namespace {

using common::Errc;

// One recognised keyword: its spelling in RFC 8894 Table 7 (what keywords() prints), the
// spellings accepted on input (compared case-insensitively) and the flag it sets.
struct Keyword {
    std::string_view name;
    std::array<std::string_view, 2> spellings;
    bool Capabilities::*flag;
};

constexpr std::array<Keyword, 11> keyword_table{{
    {"AES", {"AES", ""}, &Capabilities::aes},
    {"DES3", {"DES3", ""}, &Capabilities::des3},
    {"GetNextCACert", {"GetNextCACert", ""}, &Capabilities::get_next_ca_cert},
    {"POSTPKIOperation", {"POSTPKIOperation", ""}, &Capabilities::post_pki_operation},
    {"Renewal", {"Renewal", ""}, &Capabilities::renewal},
    {"SHA-1", {"SHA-1", "SHA1"}, &Capabilities::sha1},
    {"SHA-224", {"SHA-224", "SHA224"}, &Capabilities::sha224},
    {"SHA-256", {"SHA-256", "SHA256"}, &Capabilities::sha256},
    {"SHA-384", {"SHA-384", "SHA384"}, &Capabilities::sha384},
    {"SHA-512", {"SHA-512", "SHA512"}, &Capabilities::sha512},
    {"SCEPStandard", {"SCEPStandard", ""}, &Capabilities::scep_standard},
}};

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto ca = static_cast<unsigned char>(a[i]);
        const auto cb = static_cast<unsigned char>(b[i]);
        if (std::tolower(ca) != std::tolower(cb)) {
            return false;
        }
    }
    return true;
}

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_blank(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && is_blank(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

const Keyword* find_keyword(std::string_view word) {
    for (const auto& keyword : keyword_table) {
        for (std::string_view spelling : keyword.spellings) {
            if (!spelling.empty() && equals_ignoring_case(word, spelling)) {
                return &keyword;
            }
        }
    }
    return nullptr;
}

}  // namespace

Capabilities Capabilities::parse(std::string_view body) {
    Capabilities caps;
    while (!body.empty()) {
        const std::size_t end = body.find('\n');
        const std::string_view line = trim(body.substr(0, end));
        body.remove_prefix(end == std::string_view::npos ? body.size() : end + 1);
        if (line.empty()) {
            continue;
        }
        if (const Keyword* keyword = find_keyword(line)) {
            caps.*(keyword->flag) = true;
        } else {
            caps.unknown.emplace_back(line);
        }
    }
    if (caps.scep_standard) {  // RFC 8894 §3.5.2
        caps.aes = true;
        caps.post_pki_operation = true;
        caps.sha256 = true;
    }
    return caps;
}

std::vector<std::string> Capabilities::keywords() const {
    std::vector<std::string> out;
    for (const auto& keyword : keyword_table) {
        if (this->*(keyword.flag)) {
            out.emplace_back(keyword.name);
        }
    }
    return out;
}

common::Result<crypto::cms::ContentCipher> Capabilities::strongest_cipher() const {
    if (aes) {
        return crypto::cms::ContentCipher::aes128_cbc;
    }
    if (des3) {
        return crypto::cms::ContentCipher::des3_cbc;
    }
    return common::fail(Errc::unsupported,
                        "GetCACaps: the CA offers neither AES nor DES3; single DES is never used "
                        "(RFC 8894 §2.9)");
}

common::Result<crypto::DigestAlgorithm> Capabilities::strongest_digest() const {
    if (sha512) {
        return crypto::DigestAlgorithm::sha512;
    }
    if (sha384) {
        return crypto::DigestAlgorithm::sha384;
    }
    if (sha256) {
        return crypto::DigestAlgorithm::sha256;
    }
    if (sha1) {
        return crypto::DigestAlgorithm::sha1;
    }
    return common::fail(Errc::unsupported,
                        sha224 ? "GetCACaps: the CA offers only SHA-224, which is not implemented"
                               : "GetCACaps: the CA offers no SHA digest; MD5 is never used "
                                 "(RFC 8894 §2.9)");
}

}  // namespace scep
