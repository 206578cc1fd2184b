#include "crypto/pkcs12.h"

#include <openssl/pkcs12.h>

#include "crypto/openssl_error.h"
#include "crypto/ossl_ptr.h"
#include "crypto/ossl_util.h"

namespace crypto {

common::Result<Bytes> make_pkcs12(const PrivateKey& key, const Certificate& certificate,
                                  const std::vector<Certificate>& chain,
                                  std::string_view passphrase, const Pkcs12Options& options) {
    if (passphrase.empty()) {
        return common::fail(common::Errc::invalid_argument, "PKCS#12: empty passphrase");
    }
    if (options.iterations < 1) {
        return common::fail(common::Errc::invalid_argument, "PKCS#12: iterations must be >= 1");
    }
    if (!key.matches(certificate)) {
        return common::fail(common::Errc::invalid_argument,
                            "PKCS#12: the private key does not match the certificate");
    }
    X509StackPtr ca(sk_X509_new_null());
    if (!ca) return openssl_error(common::Errc::crypto, "PKCS#12: allocate chain");
    for (const Certificate& c : chain) {
        X509Ptr ref = up_ref(c.native());
        if (sk_X509_push(ca.get(), ref.get()) <= 0) {
            return openssl_error(common::Errc::crypto, "PKCS#12: add chain certificate");
        }
        static_cast<void>(ref.release());
    }
    const std::string pass(passphrase);
    const char* name = options.friendly_name.empty() ? nullptr : options.friendly_name.c_str();
    clear_openssl_errors();
    // mac_iter -1: no MAC here; it is added below with an explicit SHA-256.
    Pkcs12Ptr p12(PKCS12_create_ex(pass.c_str(), name, key.native(), certificate.native(),
                                   ca.get(), NID_aes_256_cbc, NID_aes_256_cbc,
                                   options.iterations, -1, 0, nullptr, nullptr));
    if (!p12) return openssl_error(common::Errc::crypto, "PKCS#12: create");
    if (PKCS12_set_mac(p12.get(), pass.c_str(), static_cast<int>(pass.size()), nullptr, 0,
                       options.iterations, EVP_sha256()) != 1) {
        return openssl_error(common::Errc::crypto, "PKCS#12: MAC");
    }
    unsigned char* der = nullptr;
    const int len = i2d_PKCS12(p12.get(), &der);
    if (len <= 0) return openssl_error(common::Errc::crypto, "PKCS#12: encode");
    Bytes out(der, der + len);
    OPENSSL_clear_free(der, static_cast<std::size_t>(len));
    return out;
}

common::Result<Pkcs12Contents> parse_pkcs12(ByteView der, std::string_view passphrase) {
    if (der.empty()) return common::fail(common::Errc::parse, "PKCS#12: empty input");
    if (der.size() > detail::max_input_size) {
        return common::fail(common::Errc::invalid_argument, "PKCS#12: input too large");
    }
    clear_openssl_errors();
    const unsigned char* p = der.data();
    Pkcs12Ptr p12(d2i_PKCS12(nullptr, &p, static_cast<long>(der.size())));
    if (!p12) return openssl_error(common::Errc::parse, "PKCS#12: malformed DER");
    if (p != der.data() + der.size()) {
        return common::fail(common::Errc::parse, "PKCS#12: trailing data after DER");
    }
    if (PKCS12_mac_present(p12.get()) != 1) {
        return common::fail(common::Errc::verification, "PKCS#12: no MAC, integrity unprotected");
    }
    const std::string pass(passphrase);
    if (PKCS12_verify_mac(p12.get(), pass.c_str(), static_cast<int>(pass.size())) != 1) {
        return openssl_error(common::Errc::verification,
                             "PKCS#12: MAC does not verify (wrong passphrase or damaged file)");
    }
    EVP_PKEY* pkey = nullptr;
    X509* cert = nullptr;
    STACK_OF(X509)* others = nullptr;
    const int ok = PKCS12_parse(p12.get(), pass.c_str(), &pkey, &cert, &others);
    EvpPkeyPtr key_owner(pkey);
    X509Ptr cert_owner(cert);
    X509StackPtr others_owner(others);
    if (ok != 1) return openssl_error(common::Errc::parse, "PKCS#12: cannot decode contents");
    if (!key_owner || !cert_owner) {
        return common::fail(common::Errc::parse, "PKCS#12: no private key with its certificate");
    }
    int alias_len = 0;
    const unsigned char* alias = X509_alias_get0(cert_owner.get(), &alias_len);
    std::string friendly_name = alias != nullptr && alias_len > 0
                                    ? std::string(reinterpret_cast<const char*>(alias),
                                                  static_cast<std::size_t>(alias_len))
                                    : std::string();
    Pkcs12Contents out{PrivateKey::adopt(key_owner.release()),
                       Certificate::adopt(cert_owner.release()), {}, std::move(friendly_name)};
    for (int i = 0; others_owner && i < sk_X509_num(others_owner.get()); ++i) {
        out.chain.push_back(Certificate::adopt(up_ref(sk_X509_value(others_owner.get(), i)).release()));
    }
    if (!out.key.matches(out.certificate)) {
        return common::fail(common::Errc::parse, "PKCS#12: key and certificate do not match");
    }
    clear_openssl_errors();
    return out;
}

}  // namespace crypto
