#include "fakes/fake_scep_pki.h"

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/provider.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <stdexcept>
#include <string>

#include "crypto/ossl_ptr.h"
#include "crypto/ossl_util.h"

namespace fakes {
namespace {

using namespace std::chrono_literals;
constexpr auto day = std::chrono::hours(24);

[[noreturn]] void die(std::string_view what) {
    ERR_clear_error();
    throw std::runtime_error("fake SCEP PKI: " + std::string(what));
}

template <typename T>
T must(common::Result<T> result, std::string_view what) {
    if (!result)
        die(std::string(what) + ": " + result.error().to_string());
    return std::move(*result);
}

crypto::PrivateKey generate_rsa_key() {
    return must(crypto::PrivateKey::generate({crypto::KeySpec::Type::rsa, 2048, ""}), "RSA key");
}

crypto::PrivateKey ec_key() {
    return must(crypto::PrivateKey::generate({crypto::KeySpec::Type::ec, 0, "P-256"}), "EC key");
}

struct Profile {
    const char* basic_constraints;  // openssl.cnf syntax
    const char* key_usage;
    common::SystemTime not_before;
    common::SystemTime not_after;
    std::uint64_t serial;
};

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    crypto::X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    if (!ext || X509_add_ext(cert, ext.get(), -1) != 1)
        die(std::string("extension ") + value);
}

// issuer == nullptr: self-signed with issuer_key.
crypto::Certificate sign(const X509_NAME* subject, EVP_PKEY* public_key, X509* issuer,
                         EVP_PKEY* issuer_key, const Profile& profile) {
    crypto::X509Ptr x(X509_new());
    auto not_before = crypto::detail::to_asn1_time(profile.not_before);
    auto not_after = crypto::detail::to_asn1_time(profile.not_after);
    if (!x || !not_before || !not_after || X509_set_version(x.get(), X509_VERSION_3) != 1 ||
        ASN1_INTEGER_set_uint64(X509_get_serialNumber(x.get()), profile.serial) != 1 ||
        X509_set_subject_name(x.get(), subject) != 1 ||
        X509_set_issuer_name(x.get(), issuer ? X509_get_subject_name(issuer) : subject) != 1 ||
        X509_set1_notBefore(x.get(), not_before.get()) != 1 ||
        X509_set1_notAfter(x.get(), not_after.get()) != 1 ||
        X509_set_pubkey(x.get(), public_key) != 1) {
        die("certificate fields");
    }
    X509* authority = issuer ? issuer : x.get();
    add_extension(x.get(), authority, NID_basic_constraints, profile.basic_constraints);
    add_extension(x.get(), authority, NID_key_usage, profile.key_usage);
    add_extension(x.get(), authority, NID_subject_key_identifier, "hash");
    if (issuer)
        add_extension(x.get(), authority, NID_authority_key_identifier, "keyid:always");
    if (X509_sign(x.get(), issuer_key, EVP_sha256()) <= 0)
        die("signing a certificate");
    return crypto::Certificate::adopt(x.release());
}

crypto::X509NamePtr name(std::string_view dn) {
    return must(crypto::detail::name_from_string(dn), dn);
}

Profile ca_profile(common::SystemTime now, std::uint64_t serial,
                   const char* usage = "critical,keyCertSign,cRLSign") {
    return {"critical,CA:TRUE", usage, now - 365 * day, now + 5 * 365 * day, serial};
}

Profile ra_profile(common::SystemTime now, std::uint64_t serial, const char* usage) {
    return {"critical,CA:FALSE", usage, now - 365 * day, now + 5 * 365 * day, serial};
}

struct Issued {
    crypto::Certificate cert;
    crypto::PrivateKey key;
};

Issued make_root(std::string_view dn, crypto::PrivateKey key, const Profile& profile) {
    auto cert = sign(name(dn).get(), key.native(), nullptr, key.native(), profile);
    return {cert, key};
}

Issued make_sub(std::string_view dn, crypto::PrivateKey key, const Issued& issuer,
                const Profile& profile) {
    auto cert =
        sign(name(dn).get(), key.native(), issuer.cert.native(), issuer.key.native(), profile);
    return {cert, key};
}

constexpr const char* ca_and_scep_usage =
    "critical,keyCertSign,cRLSign,digitalSignature,keyEncipherment";

}  // namespace

ScepPki ScepPki::make(Shape shape, common::SystemTime now,
                      std::vector<crypto::PrivateKey> rsa_keys) {
    std::size_t used = 0;
    auto rsa_key = [&]() { return used < rsa_keys.size() ? rsa_keys[used++] : generate_rsa_key(); };
    const Issued unrelated =
        make_root("CN=Unrelated SCEP CA,O=Elsewhere", ec_key(), ca_profile(now, 0x51));
    switch (shape) {
        case Shape::ca_only: {
            const Issued ca = make_root("CN=Fake SCEP CA,O=certkeeper tests", rsa_key(),
                                        ca_profile(now, 0x11, ca_and_scep_usage));
            return {shape,  ca.cert, {},     ca.cert,        ca.key,       ca.cert,
                    ca.key, ca.cert, ca.key, unrelated.cert, unrelated.key};
        }
        case Shape::ca_with_ra: {
            const Issued ca = make_root("CN=Fake SCEP CA with RA,O=certkeeper tests", rsa_key(),
                                        ca_profile(now, 0x21));
            const Issued ra_sign = make_sub("CN=Fake SCEP RA Signing,O=certkeeper tests", rsa_key(),
                                            ca, ra_profile(now, 0x22, "critical,digitalSignature"));
            const Issued ra_encrypt =
                make_sub("CN=Fake SCEP RA Encryption,O=certkeeper tests", rsa_key(), ca,
                         ra_profile(now, 0x23, "critical,keyEncipherment"));
            return {shape,          ca.cert,        {},           ca.cert,
                    ca.key,         ra_sign.cert,   ra_sign.key,  ra_encrypt.cert,
                    ra_encrypt.key, unrelated.cert, unrelated.key};
        }
        case Shape::three_level: {
            const Issued root =
                make_root("CN=Fake SCEP Root,O=certkeeper tests", ec_key(), ca_profile(now, 0x31));
            const Issued mid = make_sub("CN=Fake SCEP Intermediate,O=certkeeper tests", ec_key(),
                                        root, ca_profile(now, 0x32));
            const Issued issuing = make_sub("CN=Fake SCEP Issuing CA,O=certkeeper tests", rsa_key(),
                                            mid, ca_profile(now, 0x33, ca_and_scep_usage));
            return {shape,       root.cert,      {mid.cert},   issuing.cert,
                    issuing.key, issuing.cert,   issuing.key,  issuing.cert,
                    issuing.key, unrelated.cert, unrelated.key};
        }
    }
    die("unknown shape");
}

std::vector<crypto::Certificate> ScepPki::ca_certificates() const {
    std::vector<crypto::Certificate> out{issuing_ca};
    if (!(signer == issuing_ca))
        out.push_back(signer);
    if (!(encryption == issuing_ca) && !(encryption == signer))
        out.push_back(encryption);
    out.insert(out.end(), intermediates.begin(), intermediates.end());
    if (!(anchor == issuing_ca))
        out.push_back(anchor);
    return out;
}

crypto::Certificate issue_certificate(std::string_view subject_dn, crypto::ByteView public_key,
                                      const crypto::Certificate& issuer,
                                      const crypto::PrivateKey& issuer_key, common::SystemTime now,
                                      std::uint64_t serial) {
    const unsigned char* p = public_key.data();
    crypto::EvpPkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(public_key.size())));
    if (!key)
        die("public key DER");
    const Profile profile{"critical,CA:FALSE", "critical,digitalSignature,keyEncipherment",
                          now - 1h, now + 365 * day, serial};
    return sign(name(subject_dn).get(), key.get(), issuer.native(), issuer_key.native(), profile);
}

crypto::Crl issue_crl(const crypto::Certificate& issuer, const crypto::PrivateKey& issuer_key,
                      const std::vector<std::string>& revoked_serials_hex, common::SystemTime now) {
    crypto::X509CrlPtr crl(X509_CRL_new());
    auto this_update = crypto::detail::to_asn1_time(now - 1h);
    auto next_update = crypto::detail::to_asn1_time(now + 7 * day);
    if (!crl || !this_update || !next_update || X509_CRL_set_version(crl.get(), 1) != 1 ||
        X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.native())) != 1 ||
        X509_CRL_set1_lastUpdate(crl.get(), this_update.get()) != 1 ||
        X509_CRL_set1_nextUpdate(crl.get(), next_update.get()) != 1) {
        die("CRL fields");
    }
    for (const auto& hex : revoked_serials_hex) {
        BIGNUM* raw = nullptr;
        if (BN_hex2bn(&raw, hex.c_str()) == 0)
            die("CRL serial " + hex);
        crypto::BignumPtr bn(raw);
        crypto::Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
        X509_REVOKED* entry = X509_REVOKED_new();
        if (!serial || entry == nullptr ||
            X509_REVOKED_set_serialNumber(entry, serial.get()) != 1 ||
            X509_REVOKED_set_revocationDate(entry, this_update.get()) != 1 ||
            X509_CRL_add0_revoked(crl.get(), entry) != 1) {
            X509_REVOKED_free(entry);
            die("CRL entry");
        }
    }
    crypto::Asn1IntegerPtr number(ASN1_INTEGER_new());
    if (!number || ASN1_INTEGER_set(number.get(), 1) != 1 ||
        X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, 0) != 1 ||
        X509_CRL_sort(crl.get()) != 1 ||
        X509_CRL_sign(crl.get(), issuer_key.native(), EVP_sha256()) <= 0) {
        die("signing the CRL");
    }
    return crypto::Crl::adopt(crl.release());
}

crypto::Bytes encrypt_with_single_des(crypto::ByteView content,
                                      const crypto::Certificate& recipient) {
    struct Legacy {
        OSSL_LIB_CTX* ctx = OSSL_LIB_CTX_new();
        OSSL_PROVIDER* fallback = OSSL_PROVIDER_load(ctx, "default");
        OSSL_PROVIDER* legacy = OSSL_PROVIDER_load(ctx, "legacy");
        ~Legacy() {
            OSSL_PROVIDER_unload(legacy);
            OSSL_PROVIDER_unload(fallback);
            OSSL_LIB_CTX_free(ctx);
        }
    };
    static const Legacy legacy;
    crypto::OsslPtr<EVP_CIPHER, EVP_CIPHER_free> des(
        EVP_CIPHER_fetch(legacy.ctx, "DES-CBC", nullptr));
    crypto::X509StackPtr recipients(sk_X509_new_null());
    crypto::BioPtr in(BIO_new_mem_buf(content.data(), static_cast<int>(content.size())));
    if (!des || !recipients || !in ||
        sk_X509_push(recipients.get(), crypto::up_ref(recipient.native()).release()) <= 0) {
        die("no single DES (legacy provider)");
    }
    crypto::CmsContentInfoPtr cms(
        CMS_encrypt_ex(recipients.get(), in.get(), des.get(), CMS_BINARY, legacy.ctx, nullptr));
    unsigned char* der = nullptr;
    const int len = cms ? i2d_CMS_ContentInfo(cms.get(), &der) : 0;
    if (len <= 0)
        die("single DES envelope");
    crypto::Bytes out(der, der + len);
    OPENSSL_free(der);
    return out;
}

}  // namespace fakes
