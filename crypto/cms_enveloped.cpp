// CMS EnvelopedData (RFC 5652 §6): key transport to RSA recipients, ECDH key agreement to EC
// recipients (RFC 5753), and single-DES tolerance for replies from legacy SCEP servers.
#include "crypto/cms.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include <openssl/cms.h>
#include <openssl/provider.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "crypto/openssl_error.h"
#include "crypto/ossl_ptr.h"
#include "crypto/ossl_util.h"
#include "crypto/cms_common.h"

namespace crypto::cms {
namespace {

using common::Errc;
using common::fail;
using common::Result;

using detail::check_input;
using detail::drain;
using detail::encode_der;
using detail::memory_sink;
using detail::memory_source;
using detail::parse_cms;
using detail::require_type;
using detail::to_stack;
using detail::with_what;

// --- EnvelopedData ---

Result<const EVP_CIPHER*> evp_cipher(ContentCipher cipher) {
    switch (cipher) {
        case ContentCipher::aes128_cbc:
            return EVP_aes_128_cbc();
        case ContentCipher::aes256_cbc:
            return EVP_aes_256_cbc();
        case ContentCipher::des3_cbc:
            return EVP_des_ede3_cbc();
    }
    return fail(Errc::invalid_argument, "CMS encrypt: unknown content cipher");
}

// RSA keys get a KeyTransRecipientInfo, EC keys a KeyAgreeRecipientInfo (ECDH, RFC 5753):
// the reply to an EC device (SCEP CertRep) is encrypted for its EC signer certificate.
bool is_recipient_key(const EVP_PKEY* key) {
    return key != nullptr && (EVP_PKEY_is_a(key, "RSA") == 1 || EVP_PKEY_is_a(key, "EC") == 1);
}

// Whether the EnvelopedData has a recipient info for cert (issuer+serial or SKI).
bool has_recipient(CMS_ContentInfo* cms, X509* cert) {
    STACK_OF(CMS_RecipientInfo)* infos = CMS_get0_RecipientInfos(cms);
    const int n = sk_CMS_RecipientInfo_num(infos);
    for (int i = 0; i < n; ++i) {
        CMS_RecipientInfo* ri = sk_CMS_RecipientInfo_value(infos, i);
        const int type = CMS_RecipientInfo_type(ri);
        if (type == CMS_RECIPINFO_TRANS && CMS_RecipientInfo_ktri_cert_cmp(ri, cert) == 0) {
            return true;
        }
        if (type == CMS_RECIPINFO_AGREE) {
            STACK_OF(CMS_RecipientEncryptedKey)* keys = CMS_RecipientInfo_kari_get0_reks(ri);
            for (int k = 0; k < sk_CMS_RecipientEncryptedKey_num(keys); ++k) {
                if (CMS_RecipientEncryptedKey_cert_cmp(sk_CMS_RecipientEncryptedKey_value(keys, k),
                                                       cert) == 0) {
                    return true;
                }
            }
        }
    }
    return false;
}

Result<void> check_recipient_key(const Certificate& cert, const PrivateKey& key) {
    if (!is_recipient_key(key.native())) {
        return fail(Errc::unsupported, "CMS decrypt: only RSA and EC recipient keys");
    }
    if (X509_check_private_key(cert.native(), key.native()) != 1) {
        clear_openssl_errors();
        return fail(Errc::invalid_argument,
                    "CMS decrypt: the key does not belong to " + cert.subject());
    }
    return {};
}

}  // namespace

std::string_view to_string(ContentCipher cipher) {
    switch (cipher) {
        case ContentCipher::aes128_cbc:
            return "aes-128-cbc";
        case ContentCipher::aes256_cbc:
            return "aes-256-cbc";
        case ContentCipher::des3_cbc:
            return "des-ede3-cbc";
    }
    return "unknown";
}

Result<Bytes> encrypt(ByteView content, const std::vector<Certificate>& recipients,
                      ContentCipher cipher) {
    constexpr std::string_view what = "CMS encrypt";
    if (auto ok = check_input(content, what); !ok) {
        return ok.error();
    }
    if (recipients.empty()) {
        return fail(Errc::invalid_argument, "CMS encrypt: no recipient given");
    }
    auto evp = evp_cipher(cipher);
    if (!evp) {
        return std::move(evp).error();
    }
    for (const Certificate& r : recipients) {
        if (!is_recipient_key(X509_get0_pubkey(r.native()))) {
            clear_openssl_errors();
            return fail(Errc::unsupported, "CMS encrypt: recipient " + r.subject() +
                                               " has neither an RSA nor an EC key");
        }
    }
    auto stack = to_stack(recipients, what);
    auto in = memory_source(content, what);
    if (!stack || !in) {
        return !stack ? std::move(stack).error() : std::move(in).error();
    }
    CmsContentInfoPtr cms(CMS_encrypt(stack->get(), in->get(), *evp, CMS_BINARY));
    if (!cms) {
        return openssl_error(Errc::crypto, "CMS encrypt: encrypting");
    }
    return encode_der(cms.get(), i2d_CMS_ContentInfo, what);
}

namespace {

// A library context with the default and legacy providers, used only to decrypt replies that a
// legacy peer encrypted with single DES. The process-wide default context never gets DES.
OSSL_LIB_CTX* legacy_context() {
    struct Context {
        OSSL_LIB_CTX* ctx = OSSL_LIB_CTX_new();
        OSSL_PROVIDER* fallback = ctx ? OSSL_PROVIDER_load(ctx, "default") : nullptr;
        OSSL_PROVIDER* legacy = ctx ? OSSL_PROVIDER_load(ctx, "legacy") : nullptr;
        ~Context() {
            OSSL_PROVIDER_unload(legacy);
            OSSL_PROVIDER_unload(fallback);
            OSSL_LIB_CTX_free(ctx);
        }
    };
    static const Context context;  // built once, thread-safe, never changed afterwards
    return context.legacy != nullptr && context.fallback != nullptr ? context.ctx : nullptr;
}

Result<Bytes> decrypt_in(OSSL_LIB_CTX* libctx, ByteView der, const Certificate& cert,
                         const PrivateKey& key) {
    constexpr std::string_view what = "CMS decrypt";
    auto cms = parse_cms(der, what, libctx);
    if (!cms) {
        return std::move(cms).error();
    }
    if (auto ok = require_type(cms->get(), NID_pkcs7_enveloped, what); !ok) {
        return ok.error();
    }
    if (auto ok = check_recipient_key(cert, key); !ok) {
        return ok.error();
    }
    if (!has_recipient(cms->get(), cert.native())) {
        clear_openssl_errors();
        return fail(Errc::verification, "CMS decrypt: not encrypted to " + cert.subject());
    }
    auto out = memory_sink(what);
    if (!out) {
        return std::move(out).error();
    }
    // CMS_DEBUG_DECRYPT: without it OpenSSL hides a key-transport failure by decrypting with a
    // random key (its MMA countermeasure) and may hand back garbage instead of an error.
    const unsigned int flags = CMS_BINARY | CMS_DEBUG_DECRYPT;
    if (CMS_decrypt(cms->get(), key.native(), cert.native(), nullptr, out->get(), flags) != 1) {
        return openssl_error(Errc::verification, "CMS decrypt: decryption failed");
    }
    return drain(out->get());
}

}  // namespace

Result<Bytes> decrypt(ByteView der, const Certificate& cert, const PrivateKey& key) {
    return decrypt_in(nullptr, der, cert, key);
}

Result<ContentCipher> envelope_cipher(ByteView der) {
    constexpr std::string_view what = "EnvelopedData cipher";
    if (auto ok = check_input(der, what); !ok || der.empty()) {
        return fail(Errc::parse, with_what(what, "empty or oversized input"));
    }
    const unsigned char* p = der.data();
    Pkcs7Ptr p7(d2i_PKCS7(nullptr, &p, static_cast<long>(der.size())));
    if (!p7 || !PKCS7_type_is_enveloped(p7.get()) || p7->d.enveloped == nullptr ||
        p7->d.enveloped->enc_data == nullptr || p7->d.enveloped->enc_data->algorithm == nullptr) {
        clear_openssl_errors();
        return fail(Errc::parse, with_what(what, "not a DER EnvelopedData"));
    }
    const int nid = OBJ_obj2nid(p7->d.enveloped->enc_data->algorithm->algorithm);
    switch (nid) {
        case NID_aes_128_cbc: return ContentCipher::aes128_cbc;
        case NID_aes_256_cbc: return ContentCipher::aes256_cbc;
        case NID_des_ede3_cbc: return ContentCipher::des3_cbc;
        default: {
            const char* name = OBJ_nid2sn(nid);
            return fail(Errc::unsupported, with_what(what, std::string("refused: ") +
                                                               (name != nullptr ? name : "unknown")));
        }
    }
}

Result<Decrypted> decrypt_tolerating_des(ByteView der, const Certificate& cert,
                                         const PrivateKey& key) {
    // Decide by the envelope's algorithm, so the RSA key transport runs once.
    bool single_des = false;
    {
        const unsigned char* p = der.data();
        ERR_set_mark();
        Pkcs7Ptr p7(d2i_PKCS7(nullptr, &p, static_cast<long>(der.size())));
        ERR_pop_to_mark();
        single_des = p7 && PKCS7_type_is_enveloped(p7.get()) && p7->d.enveloped != nullptr &&
                     p7->d.enveloped->enc_data != nullptr &&
                     p7->d.enveloped->enc_data->algorithm != nullptr &&
                     OBJ_obj2nid(p7->d.enveloped->enc_data->algorithm->algorithm) == NID_des_cbc;
    }
    OSSL_LIB_CTX* legacy = single_des ? legacy_context() : nullptr;
    if (single_des && legacy == nullptr) {
        return fail(Errc::unsupported, "CMS decrypt: single DES needs OpenSSL's legacy provider");
    }
    auto plain = decrypt_in(legacy, der, cert, key);
    if (!plain) {
        return plain.error();
    }
    return Decrypted{std::move(*plain), single_des};
}

}  // namespace crypto::cms
