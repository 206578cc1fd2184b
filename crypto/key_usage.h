// Key usage (RFC 5280 §4.2.1.3) and extended key usage (§4.2.1.12) in plain C++.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace crypto {

enum class KeyUsage : std::uint16_t {
    digital_signature = 1u << 0,
    content_commitment = 1u << 1,  // formerly nonRepudiation
    key_encipherment = 1u << 2,
    data_encipherment = 1u << 3,
    key_agreement = 1u << 4,
    key_cert_sign = 1u << 5,
    crl_sign = 1u << 6,
    encipher_only = 1u << 7,
    decipher_only = 1u << 8,
};

class KeyUsageSet {
public:
    KeyUsageSet() = default;
    KeyUsageSet(std::initializer_list<KeyUsage> usages) {
        for (auto u : usages) add(u);
    }
    void add(KeyUsage u) { m_bits |= static_cast<std::uint16_t>(u); }
    bool has(KeyUsage u) const { return (m_bits & static_cast<std::uint16_t>(u)) != 0; }
    bool contains_all(KeyUsageSet other) const { return (m_bits & other.m_bits) == other.m_bits; }
    bool empty() const { return m_bits == 0; }
    std::uint16_t bits() const { return m_bits; }
    // RFC 5280 names: "digitalSignature", "keyEncipherment", ...
    std::vector<std::string> names() const;
    bool operator==(const KeyUsageSet&) const = default;

private:
    std::uint16_t m_bits = 0;
};

// Accepts the RFC 5280 names ("digitalSignature") and snake_case ("digital_signature").
common::Result<KeyUsage> parse_key_usage(std::string_view name);
std::string_view to_string(KeyUsage usage);

namespace eku {
inline constexpr std::string_view any = "2.5.29.37.0";
inline constexpr std::string_view server_auth = "1.3.6.1.5.5.7.3.1";
inline constexpr std::string_view client_auth = "1.3.6.1.5.5.7.3.2";
inline constexpr std::string_view code_signing = "1.3.6.1.5.5.7.3.3";
inline constexpr std::string_view email_protection = "1.3.6.1.5.5.7.3.4";
inline constexpr std::string_view ipsec_ike = "1.3.6.1.5.5.7.3.17";
inline constexpr std::string_view time_stamping = "1.3.6.1.5.5.7.3.8";
inline constexpr std::string_view ocsp_signing = "1.3.6.1.5.5.7.3.9";
}  // namespace eku

// "serverAuth"/"server_auth" -> OID; a dotted OID is passed through after a syntax check.
common::Result<std::string> parse_extended_key_usage(std::string_view name_or_oid);
// OID -> "serverAuth" for the well-known ones, else the OID itself.
std::string extended_key_usage_name(std::string_view oid);

}  // namespace crypto
