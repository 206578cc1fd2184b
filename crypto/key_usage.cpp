#include "crypto/key_usage.h"

#include <array>
#include <cctype>
#include <utility>

namespace crypto {
namespace {

struct KuName {
    KeyUsage usage;
    std::string_view rfc_name;
    std::string_view snake_name;
};

constexpr std::array<KuName, 9> ku_names{{
    {KeyUsage::digital_signature, "digitalSignature", "digital_signature"},
    {KeyUsage::content_commitment, "contentCommitment", "content_commitment"},
    {KeyUsage::key_encipherment, "keyEncipherment", "key_encipherment"},
    {KeyUsage::data_encipherment, "dataEncipherment", "data_encipherment"},
    {KeyUsage::key_agreement, "keyAgreement", "key_agreement"},
    {KeyUsage::key_cert_sign, "keyCertSign", "key_cert_sign"},
    {KeyUsage::crl_sign, "cRLSign", "crl_sign"},
    {KeyUsage::encipher_only, "encipherOnly", "encipher_only"},
    {KeyUsage::decipher_only, "decipherOnly", "decipher_only"},
}};

struct EkuName {
    std::string_view oid;
    std::string_view rfc_name;
    std::string_view snake_name;
};

constexpr std::array<EkuName, 8> eku_names{{
    {eku::any, "anyExtendedKeyUsage", "any"},
    {eku::server_auth, "serverAuth", "server_auth"},
    {eku::client_auth, "clientAuth", "client_auth"},
    {eku::code_signing, "codeSigning", "code_signing"},
    {eku::email_protection, "emailProtection", "email_protection"},
    {eku::ipsec_ike, "ipsecIKE", "ipsec_ike"},
    {eku::time_stamping, "timeStamping", "time_stamping"},
    {eku::ocsp_signing, "OCSPSigning", "ocsp_signing"},
}};

bool equals_ignore_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

bool is_dotted_oid(std::string_view s) {
    int arcs = 0;
    bool digit_seen = false;
    for (char c : s) {
        if (c == '.') {
            if (!digit_seen) return false;
            ++arcs;
            digit_seen = false;
        } else if (c >= '0' && c <= '9') {
            digit_seen = true;
        } else {
            return false;
        }
    }
    return digit_seen && arcs >= 1;
}

}  // namespace

std::vector<std::string> KeyUsageSet::names() const {
    std::vector<std::string> out;
    for (const auto& n : ku_names) {
        if (has(n.usage)) out.emplace_back(n.rfc_name);
    }
    return out;
}

common::Result<KeyUsage> parse_key_usage(std::string_view name) {
    for (const auto& n : ku_names) {
        if (equals_ignore_case(name, n.rfc_name) || equals_ignore_case(name, n.snake_name)) {
            return n.usage;
        }
    }
    if (equals_ignore_case(name, "nonRepudiation")) return KeyUsage::content_commitment;
    return common::fail(common::Errc::invalid_argument,
                        "unknown key usage '" + std::string(name) + "'");
}

std::string_view to_string(KeyUsage usage) {
    for (const auto& n : ku_names) {
        if (n.usage == usage) return n.rfc_name;
    }
    return "?";
}

common::Result<std::string> parse_extended_key_usage(std::string_view name_or_oid) {
    for (const auto& n : eku_names) {
        if (equals_ignore_case(name_or_oid, n.rfc_name) ||
            equals_ignore_case(name_or_oid, n.snake_name)) {
            return std::string(n.oid);
        }
    }
    if (is_dotted_oid(name_or_oid)) return std::string(name_or_oid);
    return common::fail(common::Errc::invalid_argument,
                        "unknown extended key usage '" + std::string(name_or_oid) + "'");
}

std::string extended_key_usage_name(std::string_view oid) {
    for (const auto& n : eku_names) {
        if (n.oid == oid) return std::string(n.rfc_name);
    }
    return std::string(oid);
}

}  // namespace crypto
