// CRLs for the revocation::CrlIndex and check_crl tests, made in-process with the OpenSSL X509
// API so that a test can ask for what our own CA never writes: delta and indirect CRLs,
// issuingDistributionPoint scopes, unknown critical extensions, removeFromCRL, negative or
// repeated serials, unsorted entries, RSA-PSS and Ed25519 signatures. Every time is explicit.
#pragma once

#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/time_format.h"
#include "crypto/certificate.h"
#include "crypto/certificate_builder.h"
#include "crypto/ossl_ptr.h"
#include "crypto/private_key.h"
#include "unit/crypto/test_pki.h"

namespace crl_test {

using namespace std::chrono_literals;

// 2026-01-01T00:00:00Z: every CRL test runs at this instant.
inline common::SystemTime now() { return common::parse_rfc3339("2026-01-01T00:00:00Z").value(); }

inline crypto::PrivateKey ec_key() {
    return crypto::PrivateKey::generate({crypto::KeySpec::Type::ec, 0, "P-256"}).value();
}
inline crypto::PrivateKey ed25519_key() {
    return crypto::PrivateKey::adopt(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
}
// The committed test PKI's RSA 2048 root key (generating RSA keys is slow).
inline crypto::PrivateKey rsa_key() {
    return crypto::PrivateKey::from_pem(test_pki::read_text("root.key")).value();
}

struct Ca {
    crypto::Certificate cert;
    crypto::PrivateKey key;
};

inline std::time_t seconds(common::SystemTime t) {
    return static_cast<std::time_t>(
        std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count());
}

inline void add_ext(X509* x, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, x, nullptr, nullptr, 0);
    crypto::X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    ASSERT_TRUE(ext) << OBJ_nid2sn(nid) << "=" << value;
    ASSERT_EQ(X509_add_ext(x, ext.get(), -1), 1);
}

// A CA certificate "CN=<cn>" for key, self-signed unless issuer is given; keyUsage in
// openssl.cnf syntax ("" = no keyUsage extension). Any key type, Ed25519 included.
inline Ca make_ca(const std::string& cn, crypto::PrivateKey key,
                  const char* key_usage = "critical,keyCertSign,cRLSign",
                  const Ca* issuer = nullptr, bool ca = true) {
    static long serial = 0x5000;
    crypto::X509Ptr x(X509_new());
    X509_set_version(x.get(), X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(x.get()), ++serial);
    X509_NAME* name = X509_get_subject_name(x.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509_set_issuer_name(x.get(), issuer ? X509_get_subject_name(issuer->cert.native()) : name);
    crypto::Asn1TimePtr from(ASN1_TIME_set(nullptr, seconds(now() - 24h * 365)));
    crypto::Asn1TimePtr to(ASN1_TIME_set(nullptr, seconds(now() + 24h * 365)));
    X509_set1_notBefore(x.get(), from.get());
    X509_set1_notAfter(x.get(), to.get());
    X509_set_pubkey(x.get(), key.native());
    X509* signer_cert = issuer ? issuer->cert.native() : x.get();
    add_ext(x.get(), signer_cert, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
    if (*key_usage != '\0') add_ext(x.get(), signer_cert, NID_key_usage, key_usage);
    add_ext(x.get(), signer_cert, NID_subject_key_identifier, "hash");
    const crypto::PrivateKey& signer_key = issuer ? issuer->key : key;
    const EVP_MD* md = EVP_PKEY_is_a(signer_key.native(), "ED25519") ? nullptr : EVP_sha256();
    EXPECT_GT(X509_sign(x.get(), signer_key.native(), md), 0);
    return {crypto::Certificate::adopt(x.release()), std::move(key)};
}

// A certificate issued by ca (EC or RSA) with this serial (big-endian magnitude).
inline crypto::Certificate make_leaf(const Ca& ca, crypto::Bytes serial, bool is_ca = false,
                                     std::optional<std::string> crl_url = std::nullopt) {
    crypto::CertificateBuilder builder;
    builder.serial(std::move(serial))
        .subject(is_ca ? "CN=sub CA" : "CN=device")
        .public_key(ec_key().public_key_der())
        .validity(now() - 24h, now() + 24h * 90);
    if (is_ca) {
        builder.ca().key_usage({crypto::KeyUsage::key_cert_sign, crypto::KeyUsage::crl_sign});
    } else {
        builder.end_entity().key_usage({crypto::KeyUsage::digital_signature});
    }
    if (crl_url) builder.crl_distribution_point(*crl_url);
    return builder.sign(ca.key, ca.cert).value();
}

struct Entry {
    std::string serial_hex;  // BN_hex2bn syntax: "1A2B", "-5"
    common::SystemTime time = now() - 2h;
    std::optional<int> reason{};
    std::optional<std::string> critical_extension{};  // OID of an unknown critical extension
};

struct Idp {
    std::vector<std::string> uris{};
    bool only_user = false;
    bool only_ca = false;
    bool only_attribute = false;
    bool indirect = false;
    std::optional<int> only_reason_bit{};
};

struct Spec {
    common::SystemTime this_update = now() - 1h;
    std::optional<common::SystemTime> next_update = now() + 24h * 7;
    long version = 1;  // X509_CRL_VERSION_2
    std::optional<long> crl_number = 42;
    bool crl_number_critical = false;
    std::optional<long> delta_base{};
    std::optional<Idp> idp{};
    std::optional<std::string> critical_extension{};  // OID of an unknown critical CRL extension
    std::optional<std::string> noncritical_extension{};
    bool pss = false;      // RSA-PSS with SHA-256, MGF1-SHA-256, salt 32
    bool sort = true;      // X509_CRL_sort before signing
    const Ca* issuer_name_from = nullptr;  // another CA's name as the CRL issuer
};

inline crypto::X509ExtensionPtr unknown_extension(const std::string& oid, bool critical) {
    crypto::Asn1ObjectPtr obj(OBJ_txt2obj(oid.c_str(), 1));
    crypto::Asn1OctetStringPtr value(ASN1_OCTET_STRING_new());
    ASN1_OCTET_STRING_set(value.get(), reinterpret_cast<const unsigned char*>("\x05\x00"), 2);
    return crypto::X509ExtensionPtr(
        X509_EXTENSION_create_by_OBJ(nullptr, obj.get(), critical ? 1 : 0, value.get()));
}

inline void add_entry(X509_CRL* crl, const Entry& e) {
    X509_REVOKED* rev = X509_REVOKED_new();
    BIGNUM* bn_raw = nullptr;
    EXPECT_GT(BN_hex2bn(&bn_raw, e.serial_hex.c_str()), 0) << e.serial_hex;
    crypto::BignumPtr bn(bn_raw);
    crypto::Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
    X509_REVOKED_set_serialNumber(rev, serial.get());
    crypto::Asn1TimePtr t(ASN1_TIME_set(nullptr, seconds(e.time)));
    X509_REVOKED_set_revocationDate(rev, t.get());
    if (e.reason) {
        crypto::OsslPtr<ASN1_ENUMERATED, ASN1_ENUMERATED_free> reason(ASN1_ENUMERATED_new());
        ASN1_ENUMERATED_set(reason.get(), *e.reason);
        X509_REVOKED_add1_ext_i2d(rev, NID_crl_reason, reason.get(), 0, 0);
    }
    if (e.critical_extension) {
        X509_REVOKED_add_ext(rev, unknown_extension(*e.critical_extension, true).get(), -1);
    }
    X509_CRL_add0_revoked(crl, rev);
}

inline void add_idp(X509_CRL* crl, const Idp& spec) {
    crypto::OsslPtr<ISSUING_DIST_POINT, ISSUING_DIST_POINT_free> idp(ISSUING_DIST_POINT_new());
    if (!spec.uris.empty()) {
        idp->distpoint = DIST_POINT_NAME_new();
        idp->distpoint->type = 0;
        idp->distpoint->name.fullname = GENERAL_NAMES_new();
        for (const auto& uri : spec.uris) {
            GENERAL_NAME* name = GENERAL_NAME_new();
            ASN1_IA5STRING* text = ASN1_IA5STRING_new();
            ASN1_STRING_set(text, uri.data(), static_cast<int>(uri.size()));
            GENERAL_NAME_set0_value(name, GEN_URI, text);
            sk_GENERAL_NAME_push(idp->distpoint->name.fullname, name);
        }
    }
    idp->onlyuser = spec.only_user ? 0xff : 0;
    idp->onlyCA = spec.only_ca ? 0xff : 0;
    idp->onlyattr = spec.only_attribute ? 0xff : 0;
    idp->indirectCRL = spec.indirect ? 0xff : 0;
    if (spec.only_reason_bit) {
        idp->onlysomereasons = ASN1_BIT_STRING_new();
        ASN1_BIT_STRING_set_bit(idp->onlysomereasons, *spec.only_reason_bit, 1);
    }
    EXPECT_EQ(X509_CRL_add1_ext_i2d(crl, NID_issuing_distribution_point, idp.get(), 1, 0), 1);
}

inline void sign(X509_CRL* crl, const Ca& signer, bool pss) {
    EVP_PKEY* key = signer.key.native();
    if (EVP_PKEY_is_a(key, "ED25519")) {
        EXPECT_GT(X509_CRL_sign(crl, key, nullptr), 0);
        return;
    }
    if (!pss) {
        EXPECT_GT(X509_CRL_sign(crl, key, EVP_sha256()), 0);
        return;
    }
    crypto::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    ASSERT_EQ(EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key), 1);
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32);
    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256());
    EXPECT_GT(X509_CRL_sign_ctx(crl, ctx.get()), 0);
}

// A CRL signed by signer (its name as the issuer unless spec says otherwise), DER.
inline crypto::Bytes make_crl(const Ca& signer, const std::vector<Entry>& entries,
                              const Spec& spec = {}) {
    crypto::X509CrlPtr crl(X509_CRL_new());
    X509_CRL_set_version(crl.get(), spec.version);
    const Ca& named = spec.issuer_name_from ? *spec.issuer_name_from : signer;
    X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(named.cert.native()));
    crypto::Asn1TimePtr this_update(ASN1_TIME_set(nullptr, seconds(spec.this_update)));
    X509_CRL_set1_lastUpdate(crl.get(), this_update.get());
    if (spec.next_update) {
        crypto::Asn1TimePtr next(ASN1_TIME_set(nullptr, seconds(*spec.next_update)));
        X509_CRL_set1_nextUpdate(crl.get(), next.get());
    }
    for (const auto& e : entries) add_entry(crl.get(), e);
    if (spec.crl_number) {
        crypto::Asn1IntegerPtr number(ASN1_INTEGER_new());
        ASN1_INTEGER_set(number.get(), *spec.crl_number);
        X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(),
                              spec.crl_number_critical ? 1 : 0, 0);
    }
    if (spec.delta_base) {
        crypto::Asn1IntegerPtr base(ASN1_INTEGER_new());
        ASN1_INTEGER_set(base.get(), *spec.delta_base);
        X509_CRL_add1_ext_i2d(crl.get(), NID_delta_crl, base.get(), 1, 0);
    }
    if (spec.idp) add_idp(crl.get(), *spec.idp);
    if (spec.critical_extension) {
        X509_CRL_add_ext(crl.get(), unknown_extension(*spec.critical_extension, true).get(), -1);
    }
    if (spec.noncritical_extension) {
        X509_CRL_add_ext(crl.get(), unknown_extension(*spec.noncritical_extension, false).get(),
                         -1);
    }
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, named.cert.native(), nullptr, nullptr, crl.get(), 0);
    crypto::X509ExtensionPtr aki(
        X509V3_EXT_conf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always"));
    if (aki) X509_CRL_add_ext(crl.get(), aki.get(), -1);
    if (spec.sort) X509_CRL_sort(crl.get());
    sign(crl.get(), signer, spec.pss);
    const int length = i2d_X509_CRL(crl.get(), nullptr);
    crypto::Bytes der(static_cast<std::size_t>(length > 0 ? length : 0));
    unsigned char* out = der.data();
    i2d_X509_CRL(crl.get(), &out);
    return der;
}

inline std::string to_pem(const crypto::Bytes& der) {
    crypto::BioPtr bio(BIO_new(BIO_s_mem()));
    crypto::X509CrlPtr crl;
    const unsigned char* p = der.data();
    crl.reset(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
    PEM_write_bio_X509_CRL(bio.get(), crl.get());
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

}  // namespace crl_test
