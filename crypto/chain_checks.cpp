#include "crypto/chain_checks.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/general_name_syntax.h"

namespace crypto::detail {
namespace {

using AuthorityInfoAccessPtr = OsslPtr<AUTHORITY_INFO_ACCESS, AUTHORITY_INFO_ACCESS_free>;
using CertificatePoliciesPtr = OsslPtr<CERTIFICATEPOLICIES, CERTIFICATEPOLICIES_free>;
using ExtendedKeyUsagePtr = OsslPtr<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free>;
using NameConstraintsPtr = OsslPtr<NAME_CONSTRAINTS, NAME_CONSTRAINTS_free>;

using Issue = std::optional<std::string>;

// An extension decoded with X509_get_ext_d2i: critical is -1 when absent, -2 when repeated.
template <typename Ptr>
struct Decoded {
    Ptr value;
    int critical = -1;
    bool present() const { return critical != -1; }
};

template <typename Ptr>
Decoded<Ptr> decode(X509* x, int nid) {
    int critical = -1;
    void* raw = X509_get_ext_d2i(x, nid, &critical, nullptr);
    return {Ptr(static_cast<typename Ptr::element_type*>(raw)), critical};
}

std::string_view view(const ASN1_STRING* s) {
    return {reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
            static_cast<std::size_t>(ASN1_STRING_length(s))};
}

bool is_self_issued(X509* x) {
    return X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)) == 0;
}

std::string oid_text(const ASN1_OBJECT* oid) {
    std::array<char, 128> buf{};
    const int n = OBJ_obj2txt(buf.data(), static_cast<int>(buf.size()), oid, 1);
    return n > 0 ? std::string(buf.data()) : std::string();
}

std::vector<std::string> oids_of(const EXTENDED_KEY_USAGE* eku) {
    std::vector<std::string> oids;
    for (int i = 0; i < sk_ASN1_OBJECT_num(eku); ++i) {
        oids.push_back(oid_text(sk_ASN1_OBJECT_value(eku, i)));
    }
    return oids;
}

bool contains(const std::vector<std::string>& oids, std::string_view oid) {
    return std::find(oids.begin(), oids.end(), oid) != oids.end();
}

// OpenSSL's KU_* bit for each crypto::KeyUsage.
constexpr std::array<std::pair<KeyUsage, std::uint32_t>, 9> key_usage_bits{{
    {KeyUsage::digital_signature, KU_DIGITAL_SIGNATURE},
    {KeyUsage::content_commitment, KU_NON_REPUDIATION},
    {KeyUsage::key_encipherment, KU_KEY_ENCIPHERMENT},
    {KeyUsage::data_encipherment, KU_DATA_ENCIPHERMENT},
    {KeyUsage::key_agreement, KU_KEY_AGREEMENT},
    {KeyUsage::key_cert_sign, KU_KEY_CERT_SIGN},
    {KeyUsage::crl_sign, KU_CRL_SIGN},
    {KeyUsage::encipher_only, KU_ENCIPHER_ONLY},
    {KeyUsage::decipher_only, KU_DECIPHER_ONLY},
}};

Issue key_usage_issue(X509* leaf, KeyUsageSet required) {
    const std::uint32_t present = X509_get_key_usage(leaf);
    if (present == UINT32_MAX) {
        return std::nullopt;  // no keyUsage extension: any usage
    }
    for (const auto& [usage, bit] : key_usage_bits) {
        if (required.has(usage) && (present & bit) == 0) {
            return "keyUsage lacks " + std::string(to_string(usage));
        }
    }
    return std::nullopt;
}

// RFC 5280 §4.2.1.12 for the required OIDs; in strict mode anyExtendedKeyUsage satisfies nothing.
Issue extended_key_usage_issue(X509* leaf, const ValidationOptions& options) {
    const auto& required = options.required_extended_key_usage;
    if (required.empty()) {
        return std::nullopt;
    }
    const auto eku = decode<ExtendedKeyUsagePtr>(leaf, NID_ext_key_usage);
    if (!eku.present()) {
        return std::nullopt;  // no extKeyUsage extension: any purpose
    }
    if (!eku.value) {
        return std::string("malformed extKeyUsage extension");
    }
    const auto oids = oids_of(eku.value.get());
    const bool has_any = contains(oids, eku::any);
    for (const auto& oid : required) {
        if (!contains(oids, oid) && !(has_any && !options.strict)) {
            return "extKeyUsage lacks " + extended_key_usage_name(oid);
        }
    }
    return std::nullopt;
}

// EKU chaining: a CA certificate's extKeyUsage, when present, limits the purposes of the
// certificates below it; every required OID must appear in it (or anyExtendedKeyUsage). This is
// what OpenSSL's purposes, NSS, CryptoAPI and Go enforce.
std::optional<ChainIssue> ca_extended_key_usage_issue(STACK_OF(X509) * chain,
                                                      const std::vector<std::string>& required) {
    for (int i = 1; i < sk_X509_num(chain) && !required.empty(); ++i) {
        const auto eku = decode<ExtendedKeyUsagePtr>(sk_X509_value(chain, i), NID_ext_key_usage);
        if (!eku.value) {
            continue;  // absent; a malformed one is reported by the profile checks
        }
        const auto oids = oids_of(eku.value.get());
        if (contains(oids, eku::any)) {
            continue;
        }
        for (const auto& oid : required) {
            if (!contains(oids, oid)) {
                return ChainIssue{i,
                                  "CA extKeyUsage does not allow " + extended_key_usage_name(oid)};
            }
        }
    }
    return std::nullopt;
}

// The CABF Baseline Requirements profile of TLS server certificates, applied in strict mode
// when serverAuth is required: subscriber extKeyUsage non-critical without anyExtendedKeyUsage
// (BR 7.1.2.7.6, 7.1.2.7.10), subscriber subjectAltName non-critical when the subject is not
// empty (BR 7.1.2.7.12), no extKeyUsage in the root (BR 7.1.2.1.2).
std::optional<ChainIssue> tls_server_profile_issue(STACK_OF(X509) * chain) {
    X509* leaf = sk_X509_value(chain, 0);
    const auto eku = decode<ExtendedKeyUsagePtr>(leaf, NID_ext_key_usage);
    if (eku.critical == 1) {
        return ChainIssue{0,
                          "extKeyUsage of a TLS server certificate is critical "
                          "(CABF BR 7.1.2.7.6)"};
    }
    if (eku.value && contains(oids_of(eku.value.get()), eku::any)) {
        return ChainIssue{0,
                          "extKeyUsage of a TLS server certificate contains "
                          "anyExtendedKeyUsage (CABF BR 7.1.2.7.10)"};
    }
    const int san = X509_get_ext_by_NID(leaf, NID_subject_alt_name, -1);
    if (san >= 0 && X509_EXTENSION_get_critical(X509_get_ext(leaf, san)) != 0 &&
        X509_NAME_entry_count(X509_get_subject_name(leaf)) > 0) {
        return ChainIssue{0,
                          "subjectAltName of a TLS server certificate with a subject is "
                          "critical (CABF BR 7.1.2.7.12)"};
    }
    const int root = sk_X509_num(chain) - 1;
    X509* anchor = sk_X509_value(chain, root);
    if (root > 0 && is_self_issued(anchor) &&
        X509_get_ext_by_NID(anchor, NID_ext_key_usage, -1) >= 0) {
        return ChainIssue{root, "root certificate has extKeyUsage (CABF BR 7.1.2.1.2)"};
    }
    return std::nullopt;
}

std::optional<ChainIssue> path_length_issue(STACK_OF(X509) * chain, std::optional<int> max) {
    if (!max) {
        return std::nullopt;
    }
    const int n = sk_X509_num(chain);
    int counted = 0;
    for (int i = 1; i < n - 1; ++i) {
        if (!is_self_issued(sk_X509_value(chain, i)) && ++counted > *max) {
            return ChainIssue{i, "path has more than " + std::to_string(*max) +
                                     " non-self-issued intermediate(s) (RFC 5280 §6.1)"};
        }
    }
    return std::nullopt;
}

// CABF BR 6.1.5: RSA moduli are a multiple of 8 bits, DSA is not an accepted key type. Key
// sizes and curves below 112 bits of security are refused by OpenSSL's auth level 2.
Issue key_issue(X509* x) {
    const EVP_PKEY* key = X509_get0_pubkey(x);
    if (key == nullptr) {
        return std::string("public key cannot be decoded");
    }
    const int type = EVP_PKEY_get_base_id(key);
    if (type == EVP_PKEY_DSA) {
        return std::string("DSA public keys are not accepted (CABF BR 6.1.5)");
    }
    const int bits = EVP_PKEY_get_bits(key);
    if ((type == EVP_PKEY_RSA || type == EVP_PKEY_RSA_PSS) && bits % 8 != 0) {
        return "RSA modulus of " + std::to_string(bits) +
               " bits is not a multiple of 8 (CABF BR 6.1.5)";
    }
    return std::nullopt;
}

// RFC 5280 §4.2: extnValue is the DER encoding of the extension's type; every extension that
// OpenSSL knows must decode.
Issue undecodable_extension_issue(X509* x) {
    for (int i = 0; i < X509_get_ext_count(x); ++i) {
        X509_EXTENSION* ext = X509_get_ext(x, i);
        const X509V3_EXT_METHOD* method = X509V3_EXT_get(ext);
        if (method == nullptr) {
            continue;
        }
        void* value = X509V3_EXT_d2i(ext);
        if (value == nullptr) {
            return "malformed " + oid_text(X509_EXTENSION_get_object(ext)) + " extension";
        }
        if (method->it != nullptr) {
            ASN1_item_free(static_cast<ASN1_VALUE*>(value), ASN1_ITEM_ptr(method->it));
        } else if (method->ext_free != nullptr) {
            method->ext_free(value);
        }
    }
    return std::nullopt;
}

// SEQUENCE SIZE (1..MAX) extensions that must not be empty, and extensions that must be critical.
Issue extension_shape_issue(X509* x) {
    const auto eku = decode<ExtendedKeyUsagePtr>(x, NID_ext_key_usage);
    if (eku.value && sk_ASN1_OBJECT_num(eku.value.get()) == 0) {
        return std::string("extKeyUsage is empty (RFC 5280 §4.2.1.12)");
    }
    const auto aia = decode<AuthorityInfoAccessPtr>(x, NID_info_access);
    if (aia.value && sk_ACCESS_DESCRIPTION_num(aia.value.get()) == 0) {
        return std::string("authorityInfoAccess is empty (RFC 5280 §4.2.2.1)");
    }
    const auto policies = decode<CertificatePoliciesPtr>(x, NID_certificate_policies);
    if (policies.value && sk_POLICYINFO_num(policies.value.get()) == 0) {
        return std::string("certificatePolicies is empty (RFC 5280 §4.2.1.4)");
    }
    for (const auto& [nid, section] : {std::pair{NID_policy_constraints, "§4.2.1.11"},
                                       std::pair{NID_inhibit_any_policy, "§4.2.1.14"}}) {
        const int index = X509_get_ext_by_NID(x, nid, -1);
        if (index >= 0 && X509_EXTENSION_get_critical(X509_get_ext(x, index)) == 0) {
            return std::string(OBJ_nid2ln(nid)) + " is not critical (RFC 5280 " + section + ")";
        }
    }
    return std::nullopt;
}

Issue subtree_issue(const GENERAL_SUBTREE* subtree) {
    const GENERAL_NAME* base = subtree->base;
    switch (base->type) {
        case GEN_DNS:
            if (!is_dns_constraint(view(base->d.dNSName))) {
                return "nameConstraints: invalid dNSName '" + std::string(view(base->d.dNSName)) +
                       "' (RFC 5280 §4.2.1.10)";
            }
            break;
        case GEN_EMAIL:
            if (!is_email_constraint(view(base->d.rfc822Name))) {
                return "nameConstraints: invalid rfc822Name '" +
                       std::string(view(base->d.rfc822Name)) + "' (RFC 5280 §4.2.1.10)";
            }
            break;
        case GEN_IPADD:
            if (!is_ip_constraint(ASN1_STRING_get0_data(base->d.iPAddress),
                                  ASN1_STRING_length(base->d.iPAddress))) {
                return std::string("nameConstraints: invalid iPAddress range (RFC 5280 §4.2.1.10)");
            }
            break;
        default:
            break;
    }
    return std::nullopt;
}

Issue subtrees_issue(const STACK_OF(GENERAL_SUBTREE) * subtrees) {
    if (subtrees == nullptr) {
        return std::nullopt;
    }
    if (sk_GENERAL_SUBTREE_num(subtrees) == 0) {
        return std::string("nameConstraints has an empty list of subtrees (RFC 5280 §4.2.1.10)");
    }
    for (int i = 0; i < sk_GENERAL_SUBTREE_num(subtrees); ++i) {
        if (auto issue = subtree_issue(sk_GENERAL_SUBTREE_value(subtrees, i))) {
            return issue;
        }
    }
    return std::nullopt;
}

Issue name_constraints_issue(X509* x) {
    const auto nc = decode<NameConstraintsPtr>(x, NID_name_constraints);
    if (!nc.present()) {
        return std::nullopt;
    }
    if (!nc.value) {
        return std::string("malformed nameConstraints extension");
    }
    if ((X509_get_extension_flags(x) & EXFLAG_CA) == 0) {
        return std::string(
            "nameConstraints in a certificate that is not a CA (RFC 5280 §4.2.1.10)");
    }
    if (nc.value->permittedSubtrees == nullptr && nc.value->excludedSubtrees == nullptr) {
        return std::string(
            "nameConstraints has neither permitted nor excluded subtrees "
            "(RFC 5280 §4.2.1.10)");
    }
    if (auto issue = subtrees_issue(nc.value->permittedSubtrees)) {
        return issue;
    }
    return subtrees_issue(nc.value->excludedSubtrees);
}

// RFC 5280 §4.2.1.6: dNSName in preferred name syntax, rfc822Name a Mailbox, iPAddress 4 or 16
// octets.
Issue subject_alt_name_issue(X509* x) {
    const auto san = decode<GeneralNamesPtr>(x, NID_subject_alt_name);
    for (int i = 0; san.value && i < sk_GENERAL_NAME_num(san.value.get()); ++i) {
        const GENERAL_NAME* name = sk_GENERAL_NAME_value(san.value.get(), i);
        if (name->type == GEN_DNS && !is_dns_name(view(name->d.dNSName), true)) {
            return "subjectAltName: invalid dNSName '" + std::string(view(name->d.dNSName)) +
                   "' (RFC 5280 §4.2.1.6)";
        }
        if (name->type == GEN_EMAIL && !is_mailbox(view(name->d.rfc822Name))) {
            return "subjectAltName: invalid rfc822Name '" + std::string(view(name->d.rfc822Name)) +
                   "' (RFC 5280 §4.2.1.6)";
        }
        const int ip_length = name->type == GEN_IPADD ? ASN1_STRING_length(name->d.iPAddress) : 4;
        if (ip_length != 4 && ip_length != 16) {
            return std::string("subjectAltName: invalid iPAddress (RFC 5280 §4.2.1.6)");
        }
    }
    return std::nullopt;
}

// RFC 5280 §4.1.2.2: a positive integer of at most 20 octets.
Issue serial_number_issue(X509* x) {
    const ASN1_INTEGER* serial = X509_get0_serialNumber(x);
    if (ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER) {
        return std::string("serial number is negative (RFC 5280 §4.1.2.2)");
    }
    const std::string_view bytes = view(serial);
    if (std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == 0; })) {
        return std::string("serial number is zero (RFC 5280 §4.1.2.2)");
    }
    const bool high_bit = (static_cast<unsigned char>(bytes.front()) & 0x80u) != 0;
    if (bytes.size() + (high_bit ? 1 : 0) > 20) {
        return std::string("serial number is longer than 20 octets (RFC 5280 §4.1.2.2)");
    }
    return std::nullopt;
}

// CABF BR 7.1.2.1.3 (and RFC 5280 §4.2.1.1 for the key identifier of a self-signed certificate).
Issue root_authority_key_id_issue(X509* x) {
    if (!is_self_issued(x) || X509_get_ext_by_NID(x, NID_authority_key_identifier, -1) < 0) {
        return std::nullopt;
    }
    const ASN1_OCTET_STRING* key_id = X509_get0_authority_key_id(x);
    if (key_id == nullptr) {
        return std::string("root authorityKeyIdentifier lacks keyIdentifier (CABF BR 7.1.2.1.3)");
    }
    if (X509_get0_authority_issuer(x) != nullptr || X509_get0_authority_serial(x) != nullptr) {
        return std::string(
            "root authorityKeyIdentifier has authorityCertIssuer or authorityCertSerialNumber "
            "(CABF BR 7.1.2.1.3)");
    }
    const ASN1_OCTET_STRING* subject_key_id = X509_get0_subject_key_id(x);
    if (subject_key_id != nullptr && ASN1_OCTET_STRING_cmp(key_id, subject_key_id) != 0) {
        return std::string(
            "root authorityKeyIdentifier differs from its subjectKeyIdentifier "
            "(RFC 5280 §4.2.1.1, CABF BR 7.1.2.1.3)");
    }
    return std::nullopt;
}

Issue certificate_issue(X509* x, bool is_anchor) {
    for (auto* check :
         {key_issue, undecodable_extension_issue, extension_shape_issue, name_constraints_issue}) {
        if (auto issue = check(x)) {
            return issue;
        }
    }
    if (is_anchor) {
        return root_authority_key_id_issue(x);
    }
    if (auto issue = serial_number_issue(x)) {
        return issue;
    }
    return subject_alt_name_issue(x);
}

// A wildcard dNSName in the leaf stands for many names; it violates an excluded dNSName subtree
// if any of them lies inside it (RFC 5280 §4.2.1.10 with RFC 9525 §6.3; CVE-2025-61727).
std::optional<ChainIssue> wildcard_issue(STACK_OF(X509) * chain) {
    const auto san = decode<GeneralNamesPtr>(sk_X509_value(chain, 0), NID_subject_alt_name);
    for (int i = 0; san.value && i < sk_GENERAL_NAME_num(san.value.get()); ++i) {
        const GENERAL_NAME* name = sk_GENERAL_NAME_value(san.value.get(), i);
        const std::string_view dns = name->type == GEN_DNS ? view(name->d.dNSName) : "";
        if (dns.substr(0, 2) != "*.") {
            continue;
        }
        for (int j = 1; j < sk_X509_num(chain); ++j) {
            const auto nc =
                decode<NameConstraintsPtr>(sk_X509_value(chain, j), NID_name_constraints);
            const auto* excluded = nc.value ? nc.value->excludedSubtrees : nullptr;
            for (int k = 0; excluded != nullptr && k < sk_GENERAL_SUBTREE_num(excluded); ++k) {
                const GENERAL_NAME* base = sk_GENERAL_SUBTREE_value(excluded, k)->base;
                if (base->type == GEN_DNS && wildcard_meets_subtree(dns, view(base->d.dNSName))) {
                    return ChainIssue{0, "wildcard dNSName '" + std::string(dns) +
                                             "' covers excluded subtree '" +
                                             std::string(view(base->d.dNSName)) + "' of depth " +
                                             std::to_string(j) + " (RFC 5280 §4.2.1.10)"};
                }
            }
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<ChainIssue> check_chain(STACK_OF(X509) * chain, const ValidationOptions& options) {
    X509* leaf = sk_X509_value(chain, 0);
    if (auto issue = key_usage_issue(leaf, options.required_key_usage)) {
        return ChainIssue{0, *issue};
    }
    if (auto issue = extended_key_usage_issue(leaf, options)) {
        return ChainIssue{0, *issue};
    }
    if (auto issue = ca_extended_key_usage_issue(chain, options.required_extended_key_usage)) {
        return issue;
    }
    if (auto issue = path_length_issue(chain, options.max_intermediates)) {
        return issue;
    }
    if (!options.strict) {
        return std::nullopt;
    }
    const int n = sk_X509_num(chain);
    for (int i = 0; i < n; ++i) {
        if (auto issue = certificate_issue(sk_X509_value(chain, i), i == n - 1)) {
            return ChainIssue{i, *issue};
        }
    }
    if (contains(options.required_extended_key_usage, eku::server_auth)) {
        if (auto issue = tls_server_profile_issue(chain)) {
            return issue;
        }
    }
    return wildcard_issue(chain);
}

bool crl_is_conforming(X509_CRL* crl) {
    return X509_CRL_get_ext_by_NID(crl, NID_crl_number, -1) >= 0;
}

}  // namespace crypto::detail
