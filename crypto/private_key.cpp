#include "crypto/private_key.h"

#include <openssl/pem.h>

#include <cctype>
#include <cstring>

#include "crypto/certificate.h"
#include "crypto/openssl_error.h"
#include "crypto/ossl_util.h"

namespace crypto {
namespace {

std::string lower(std::string_view s) {
    std::string out;
    for (char c : s) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

struct Passphrase {
    std::string_view text;
};

// Never prompts: without a passphrase an encrypted key simply fails to load.
int passphrase_cb(char* buf, int size, int /*rwflag*/, void* user) {
    const auto* pass = static_cast<const Passphrase*>(user);
    if (pass == nullptr || pass->text.empty() || pass->text.size() > static_cast<std::size_t>(size)) {
        return -1;
    }
    std::memcpy(buf, pass->text.data(), pass->text.size());
    return static_cast<int>(pass->text.size());
}

}  // namespace

void PrivateKey::Free::operator()(evp_pkey_st* p) const noexcept { EVP_PKEY_free(p); }

common::Result<KeySpec> KeySpec::parse(std::string_view text) {
    const std::string t = lower(text);
    const auto colon = t.find(':');
    const std::string kind = t.substr(0, colon);
    const std::string arg = colon == std::string::npos ? "" : t.substr(colon + 1);
    KeySpec spec;
    if (kind == "rsa") {
        spec.type = Type::rsa;
        if (arg == "2048" || arg.empty()) {
            spec.rsa_bits = 2048;
        } else if (arg == "3072") {
            spec.rsa_bits = 3072;
        } else if (arg == "4096") {
            spec.rsa_bits = 4096;
        } else {
            return common::fail(common::Errc::unsupported,
                                "key '" + std::string(text) + "': RSA sizes are 2048, 3072, 4096");
        }
        return spec;
    }
    if (kind == "ec") {
        spec.type = Type::ec;
        if (arg == "p-256" || arg == "p256" || arg == "prime256v1" || arg == "secp256r1") {
            spec.curve = "P-256";
        } else if (arg == "p-384" || arg == "p384" || arg == "secp384r1") {
            spec.curve = "P-384";
        } else {
            return common::fail(common::Errc::unsupported,
                                "key '" + std::string(text) + "': EC curves are P-256, P-384");
        }
        return spec;
    }
    return common::fail(common::Errc::invalid_argument,
                        "key '" + std::string(text) + "': expected rsa:BITS or ec:CURVE");
}

std::string KeySpec::to_string() const {
    return type == Type::rsa ? "rsa:" + std::to_string(rsa_bits) : "ec:" + curve;
}

common::Result<PrivateKey> PrivateKey::generate(const KeySpec& spec) {
    EVP_PKEY* key = nullptr;
    if (spec.type == KeySpec::Type::rsa) {
        key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(spec.rsa_bits));
    } else {
        key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", spec.curve.c_str());
    }
    if (key == nullptr) return openssl_error(common::Errc::crypto, "generate " + spec.to_string());
    return PrivateKey(key);
}

common::Result<PrivateKey> PrivateKey::from_pem(std::string_view pem,
                                                std::optional<std::string_view> passphrase) {
    if (pem.size() > detail::max_input_size) {
        return common::fail(common::Errc::invalid_argument, "private key: input too large");
    }
    const bool encrypted = pem.find("ENCRYPTED") != std::string_view::npos;
    if (encrypted && (!passphrase || passphrase->empty())) {
        return common::fail(common::Errc::invalid_argument,
                            "private key is encrypted and no passphrase was given");
    }
    clear_openssl_errors();
    BioPtr bio = detail::memory_bio(pem);
    Passphrase pass{passphrase.value_or("")};
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, passphrase_cb, &pass);
    if (key == nullptr) {
        return openssl_error(encrypted ? common::Errc::verification : common::Errc::parse,
                             encrypted ? "private key: wrong passphrase or malformed PEM"
                                       : "private key: malformed PEM");
    }
    return PrivateKey(key);
}

common::Result<PrivateKey> PrivateKey::from_der(ByteView der) {
    if (der.empty()) return common::fail(common::Errc::parse, "private key: empty input");
    if (der.size() > detail::max_input_size) {
        return common::fail(common::Errc::invalid_argument, "private key: input too large");
    }
    const unsigned char* p = der.data();
    EVP_PKEY* key = d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size()));
    if (key == nullptr) return openssl_error(common::Errc::parse, "private key: malformed DER");
    PrivateKey out(key);
    if (p != der.data() + der.size()) {
        return common::fail(common::Errc::parse, "private key: trailing data after DER");
    }
    return out;
}

PrivateKey PrivateKey::adopt(evp_pkey_st* pkey) { return PrivateKey(pkey); }

std::string PrivateKey::to_pem() const {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PKCS8PrivateKey(bio.get(), m_pkey.get(), nullptr, nullptr, 0,
                                              nullptr, nullptr) != 1) {
        clear_openssl_errors();
        return {};
    }
    return detail::bio_to_string(bio.get());
}

common::Result<std::string> PrivateKey::to_encrypted_pem(std::string_view passphrase) const {
    if (passphrase.empty()) {
        return common::fail(common::Errc::invalid_argument, "empty passphrase");
    }
    BioPtr bio(BIO_new(BIO_s_mem()));
    const std::string pass(passphrase);
    if (!bio || PEM_write_bio_PKCS8PrivateKey(bio.get(), m_pkey.get(), EVP_aes_256_cbc(),
                                              pass.data(), static_cast<int>(pass.size()), nullptr,
                                              nullptr) != 1) {
        return openssl_error(common::Errc::crypto, "encrypt private key");
    }
    return detail::bio_to_string(bio.get());
}

Bytes PrivateKey::to_der() const {
    OsslPtr<PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free> p8(EVP_PKEY2PKCS8(m_pkey.get()));
    unsigned char* der = nullptr;
    const int len = p8 ? i2d_PKCS8_PRIV_KEY_INFO(p8.get(), &der) : -1;
    if (len <= 0) {
        clear_openssl_errors();
        return {};
    }
    Bytes out(der, der + len);
    OPENSSL_clear_free(der, static_cast<std::size_t>(len));
    return out;
}

Bytes PrivateKey::public_key_der() const { return detail::public_key_to_der(m_pkey.get()); }

std::string PrivateKey::description() const { return detail::describe_public_key(m_pkey.get()); }

bool PrivateKey::is_rsa() const { return EVP_PKEY_get_base_id(m_pkey.get()) == EVP_PKEY_RSA; }

bool PrivateKey::matches(const Certificate& cert) const {
    const bool ok = X509_check_private_key(cert.native(), m_pkey.get()) == 1;
    clear_openssl_errors();
    return ok;
}

}  // namespace crypto
