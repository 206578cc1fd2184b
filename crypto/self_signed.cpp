#include "crypto/self_signed.h"

#include "crypto/openssl_error.h"
#include "crypto/ossl_util.h"

namespace crypto {
namespace {

common::Result<void> add_extension(X509* cert, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
        return openssl_error(common::Errc::crypto, std::string("extension ") + OBJ_nid2sn(nid));
    }
    return {};
}

common::Result<void> set_serial(X509* cert) {
    auto random = random_bytes(16);
    if (!random) return random.error();
    (*random)[0] &= 0x7f;  // positive
    (*random)[0] |= 0x01;  // and not shortened by a leading zero
    BignumPtr bn(BN_bin2bn(random->data(), static_cast<int>(random->size()), nullptr));
    if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) == nullptr) {
        return openssl_error(common::Errc::crypto, "serial number");
    }
    return {};
}

}  // namespace

common::Result<Certificate> make_self_signed(const PrivateKey& key, std::string_view subject_dn,
                                             const SelfSignedOptions& options) {
    if (options.not_before >= options.not_after) {
        return common::fail(common::Errc::invalid_argument, "self-signed: empty validity period");
    }
    auto name = detail::name_from_string(subject_dn);
    if (!name) return name.error().with_context("self-signed subject");
    X509Ptr cert(X509_new());
    auto not_before = detail::to_asn1_time(options.not_before);
    auto not_after = detail::to_asn1_time(options.not_after);
    if (!cert || !not_before || !not_after || X509_set_version(cert.get(), 2) != 1 ||
        X509_set_subject_name(cert.get(), name->get()) != 1 ||
        X509_set_issuer_name(cert.get(), name->get()) != 1 ||
        X509_set1_notBefore(cert.get(), not_before.get()) != 1 ||
        X509_set1_notAfter(cert.get(), not_after.get()) != 1 ||
        X509_set_pubkey(cert.get(), key.native()) != 1) {
        return openssl_error(common::Errc::crypto, "self-signed certificate");
    }
    if (auto ok = set_serial(cert.get()); !ok) return ok.error();
    const bool ca = options.ca;
    for (auto [nid, value] : {std::pair{NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE"},
                              std::pair{NID_key_usage, ca ? "critical,keyCertSign,cRLSign"
                                                          : "critical,digitalSignature,keyEncipherment"},
                              std::pair{NID_subject_key_identifier, "hash"}}) {
        if (auto ok = add_extension(cert.get(), nid, value); !ok) return ok.error();
    }
    if (X509_sign(cert.get(), key.native(), detail::evp_md(options.digest)) <= 0) {
        return openssl_error(common::Errc::crypto, "signing self-signed certificate");
    }
    return Certificate::adopt(cert.release());
}

}  // namespace crypto
