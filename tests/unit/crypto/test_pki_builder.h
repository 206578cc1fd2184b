// In-process test PKI: CA, intermediate and leaf certificates with chosen validity, key usage,
// extended key usage and subjectAltNames, and CRLs, made with the OpenSSL X509 API (EC P-256
// keys, SHA-256 signatures). Complements test_pki.h, which reads the committed script's PKI.
// Header-only so that any tests/unit/**/*_test.cpp may include it.
//
//     auto root = test_pki::issue(test_pki::ca_spec("root"));
//     auto leaf = test_pki::issue(test_pki::leaf_spec("leaf", {"dns:host.example"}), &root);
//     auto crl = test_pki::make_crl(root, {leaf.cert});
#pragma once

#include <gtest/gtest.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/time_format.h"
#include "crypto/certificate.h"
#include "crypto/crl.h"
#include "crypto/key_usage.h"
#include "crypto/ossl_ptr.h"
#include "crypto/private_key.h"

namespace test_pki {

// 2026-01-01T00:00:00Z, the instant the specs below are valid around.
inline common::SystemTime reference_time() {
    return common::parse_rfc3339("2026-01-01T00:00:00Z").value();
}

struct CertSpec {
    std::string common_name;
    common::SystemTime not_before = reference_time() - std::chrono::hours(24 * 365);
    common::SystemTime not_after = reference_time() + std::chrono::hours(24 * 365);
    bool ca = false;                               // basicConstraints cA (critical)
    std::optional<int> path_length;                // pathLenConstraint, CA only
    std::optional<crypto::KeyUsageSet> key_usage;  // nullopt: no keyUsage extension
    std::vector<std::string> extended_key_usage;   // OIDs; empty: no extKeyUsage extension
    std::vector<std::string> subject_alt_names;    // "dns:x", "ip:192.0.2.1", "email:a@b"
    long serial = 0;                               // 0: a fresh one per certificate
};

inline CertSpec ca_spec(std::string common_name) {
    CertSpec spec;
    spec.common_name = std::move(common_name);
    spec.ca = true;
    spec.key_usage =
        crypto::KeyUsageSet{crypto::KeyUsage::key_cert_sign, crypto::KeyUsage::crl_sign};
    return spec;
}

inline CertSpec leaf_spec(std::string common_name, std::vector<std::string> sans = {}) {
    CertSpec spec;
    spec.common_name = std::move(common_name);
    spec.key_usage = crypto::KeyUsageSet{crypto::KeyUsage::digital_signature};
    spec.extended_key_usage = {std::string(crypto::eku::server_auth),
                               std::string(crypto::eku::client_auth)};
    spec.subject_alt_names = std::move(sans);
    return spec;
}

struct Issued {
    crypto::Certificate cert;
    crypto::PrivateKey key;
};

namespace detail {

inline long next_serial() {
    static long serial = 0x1000;
    return ++serial;
}

inline std::time_t to_time_t(common::SystemTime t) {
    return static_cast<std::time_t>(
        std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count());
}

inline void set_time(ASN1_TIME* field, common::SystemTime t) {
    ASSERT_NE(ASN1_TIME_set(field, to_time_t(t)), nullptr);
}

// One extension in openssl.cnf syntax ("critical,CA:TRUE"), added to cert.
inline void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    crypto::X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
    ASSERT_TRUE(ext) << "extension " << OBJ_nid2sn(nid) << "=" << value;
    ASSERT_EQ(X509_add_ext(cert, ext.get(), -1), 1);
}

inline std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : ",") + p;
    return out;
}

inline std::string key_usage_text(crypto::KeyUsageSet usages) {
    std::vector<std::string> names;
    for (auto name : usages.names()) {
        names.push_back(name == "contentCommitment" ? "nonRepudiation" : name);
    }
    return "critical," + join(names);
}

// "dns:x" -> "DNS:x" (openssl.cnf form).
inline std::string san_text(const std::vector<std::string>& sans) {
    std::vector<std::string> parts;
    for (const auto& san : sans) {
        const auto colon = san.find(':');
        const std::string kind = san.substr(0, colon);
        const std::string value = san.substr(colon + 1);
        parts.push_back((kind == "dns" ? "DNS:" : kind == "ip" ? "IP:" : "email:") + value);
    }
    return join(parts);
}

inline void add_extensions(X509* x, X509* issuer, const CertSpec& spec) {
    if (spec.ca) {
        const std::string length =
            spec.path_length ? ",pathlen:" + std::to_string(*spec.path_length) : "";
        add_extension(x, issuer, NID_basic_constraints, "critical,CA:TRUE" + length);
    }
    if (spec.key_usage)
        add_extension(x, issuer, NID_key_usage, key_usage_text(*spec.key_usage));
    if (!spec.extended_key_usage.empty()) {
        add_extension(x, issuer, NID_ext_key_usage, join(spec.extended_key_usage));
    }
    if (!spec.subject_alt_names.empty()) {
        add_extension(x, issuer, NID_subject_alt_name, san_text(spec.subject_alt_names));
    }
    add_extension(x, issuer, NID_subject_key_identifier, "hash");
    if (issuer != x)
        add_extension(x, issuer, NID_authority_key_identifier, "keyid:always");
}

}  // namespace detail

// A certificate for spec, signed by issuer (self-signed when issuer is null). A fresh EC P-256
// key unless `key` is given (to re-certify the same entity, e.g. a cross-certificate).
inline Issued issue(const CertSpec& spec, const Issued* issuer = nullptr,
                    std::optional<crypto::PrivateKey> key = std::nullopt) {
    if (!key)
        key = crypto::PrivateKey::generate({crypto::KeySpec::Type::ec, 0, "P-256"}).value();
    crypto::X509Ptr x(X509_new());
    X509_set_version(x.get(), X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(x.get()),
                     spec.serial != 0 ? spec.serial : detail::next_serial());
    X509_NAME* subject = X509_get_subject_name(x.get());
    X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1,
                               -1, 0);
    X509_set_issuer_name(x.get(), issuer ? X509_get_subject_name(issuer->cert.native()) : subject);
    detail::set_time(X509_getm_notBefore(x.get()), spec.not_before);
    detail::set_time(X509_getm_notAfter(x.get()), spec.not_after);
    X509_set_pubkey(x.get(), key->native());
    detail::add_extensions(x.get(), issuer ? issuer->cert.native() : x.get(), spec);
    const crypto::PrivateKey& signer = issuer ? issuer->key : *key;
    EXPECT_GT(X509_sign(x.get(), signer.native(), EVP_sha256()), 0);
    return {crypto::Certificate::adopt(x.release()), *key};
}

struct CrlSpec {
    common::SystemTime this_update = reference_time() - std::chrono::hours(24);
    common::SystemTime next_update = reference_time() + std::chrono::hours(24 * 30);
    bool crl_number = true;  // RFC 5280 §5.2.3 requires it; false makes a non-conforming CRL
};

// A CRL from issuer revoking `revoked` (revocation date: this_update).
inline crypto::Crl make_crl(const Issued& issuer, const std::vector<crypto::Certificate>& revoked,
                            const CrlSpec& spec = {}) {
    crypto::X509CrlPtr crl(X509_CRL_new());
    X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2);
    X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.cert.native()));
    crypto::Asn1TimePtr this_update(ASN1_TIME_set(nullptr, detail::to_time_t(spec.this_update)));
    crypto::Asn1TimePtr next_update(ASN1_TIME_set(nullptr, detail::to_time_t(spec.next_update)));
    X509_CRL_set1_lastUpdate(crl.get(), this_update.get());
    X509_CRL_set1_nextUpdate(crl.get(), next_update.get());
    for (const auto& cert : revoked) {
        X509_REVOKED* entry = X509_REVOKED_new();
        X509_REVOKED_set_serialNumber(entry, X509_get_serialNumber(cert.native()));
        X509_REVOKED_set_revocationDate(entry, this_update.get());
        X509_CRL_add0_revoked(crl.get(), entry);
    }
    if (spec.crl_number) {
        crypto::Asn1IntegerPtr number(ASN1_INTEGER_new());
        ASN1_INTEGER_set(number.get(), 1);
        X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, 0);
    }
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer.cert.native(), nullptr, nullptr, crl.get(), 0);
    crypto::X509ExtensionPtr aki(
        X509V3_EXT_conf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always"));
    EXPECT_TRUE(aki);
    X509_CRL_add_ext(crl.get(), aki.get(), -1);
    X509_CRL_sort(crl.get());
    EXPECT_GT(X509_CRL_sign(crl.get(), issuer.key.native(), EVP_sha256()), 0);
    crypto::Bytes der(static_cast<std::size_t>(i2d_X509_CRL(crl.get(), nullptr)));
    unsigned char* out = der.data();
    EXPECT_EQ(i2d_X509_CRL(crl.get(), &out), static_cast<int>(der.size()));
    return crypto::Crl::from_der(der).value();
}

}  // namespace test_pki
