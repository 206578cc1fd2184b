#include "ocsp-crl/raw_signature.h"

#include <openssl/objects.h>
#include <openssl/rsa.h>

#include "crypto/openssl_error.h"
#include "crypto/ossl_ptr.h"

namespace revocation {
namespace {

using X509AlgorPtr = crypto::OsslPtr<X509_ALGOR, X509_ALGOR_free>;
using RsaPssParamsPtr = crypto::OsslPtr<RSA_PSS_PARAMS, RSA_PSS_PARAMS_free>;

X509AlgorPtr decode_algorithm(crypto::ByteView der) {
    const unsigned char* p = der.data();
    X509AlgorPtr alg(d2i_X509_ALGOR(nullptr, &p, static_cast<long>(der.size())));
    if (alg && p != der.data() + der.size()) alg.reset();
    return alg;
}

struct PssSettings {
    const EVP_MD* md = nullptr;
    const EVP_MD* mgf1_md = nullptr;
    int salt_length = 20;
};

// RSASSA-PSS-params (RFC 4055 §3.1); absent fields take their defaults (SHA-1, MGF1 with SHA-1,
// salt 20, trailer 1).
std::optional<PssSettings> pss_settings(const X509_ALGOR* alg) {
    PssSettings out;
    out.md = EVP_sha1();
    out.mgf1_md = EVP_sha1();
    if (alg->parameter == nullptr || alg->parameter->type != V_ASN1_SEQUENCE) return std::nullopt;
    RsaPssParamsPtr params(static_cast<RSA_PSS_PARAMS*>(
        ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(RSA_PSS_PARAMS), alg->parameter)));
    if (!params) return std::nullopt;
    if (params->hashAlgorithm != nullptr) {
        out.md = EVP_get_digestbyobj(params->hashAlgorithm->algorithm);
        if (out.md == nullptr) return std::nullopt;
    }
    if (params->maskGenAlgorithm != nullptr) {
        const X509_ALGOR* mgf = params->maskGenAlgorithm;
        if (OBJ_obj2nid(mgf->algorithm) != NID_mgf1 || mgf->parameter == nullptr ||
            mgf->parameter->type != V_ASN1_SEQUENCE) {
            return std::nullopt;
        }
        X509AlgorPtr mgf_hash(static_cast<X509_ALGOR*>(
            ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(X509_ALGOR), mgf->parameter)));
        if (!mgf_hash) return std::nullopt;
        out.mgf1_md = EVP_get_digestbyobj(mgf_hash->algorithm);
        if (out.mgf1_md == nullptr) return std::nullopt;
    }
    if (params->saltLength != nullptr) {
        const long salt = ASN1_INTEGER_get(params->saltLength);
        if (salt < 0 || salt > 1024) return std::nullopt;
        out.salt_length = static_cast<int>(salt);
    }
    if (params->trailerField != nullptr && ASN1_INTEGER_get(params->trailerField) != 1) {
        return std::nullopt;
    }
    return out;
}

bool init_verify(EVP_MD_CTX* ctx, const X509_ALGOR* alg, EVP_PKEY* key) {
    int md_nid = NID_undef;
    int pk_nid = NID_undef;
    if (OBJ_find_sigid_algs(OBJ_obj2nid(alg->algorithm), &md_nid, &pk_nid) != 1) return false;
    if (pk_nid == NID_rsassaPss) {
        if (!EVP_PKEY_is_a(key, "RSA") && !EVP_PKEY_is_a(key, "RSA-PSS")) return false;
        const auto pss = pss_settings(alg);
        EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
        return pss && EVP_DigestVerifyInit(ctx, &pctx, pss->md, nullptr, key) == 1 &&
               EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
               EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, pss->salt_length) == 1 &&
               EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, pss->mgf1_md) == 1;
    }
    if (EVP_PKEY_type(pk_nid) != EVP_PKEY_get_base_id(key)) return false;
    const EVP_MD* md = nullptr;  // Ed25519 and Ed448 hash internally
    if (md_nid != NID_undef) {
        md = EVP_get_digestbynid(md_nid);
        if (md == nullptr) return false;
    }
    return EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, key) == 1;
}

}  // namespace

bool verify_raw_signature(crypto::ByteView signed_bytes, crypto::ByteView algorithm,
                          crypto::ByteView signature, const crypto::Certificate& signer) {
    // BIT STRING content: the unused-bits octet must be 0 for a signature.
    if (signature.size() < 2 || signature[0] != 0) return false;
    const auto alg = decode_algorithm(algorithm);
    EVP_PKEY* key = X509_get0_pubkey(signer.native());
    crypto::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    const bool ok = alg && key != nullptr && ctx && init_verify(ctx.get(), alg.get(), key) &&
                    EVP_DigestVerify(ctx.get(), signature.data() + 1, signature.size() - 1,
                                     signed_bytes.data(), signed_bytes.size()) == 1;
    crypto::clear_openssl_errors();
    return ok;
}

std::string signature_algorithm_name(crypto::ByteView algorithm) {
    const auto alg = decode_algorithm(algorithm);
    crypto::clear_openssl_errors();
    if (!alg) return "";
    const int nid = OBJ_obj2nid(alg->algorithm);
    if (nid != NID_undef) return OBJ_nid2ln(nid);
    char text[128];
    const int n = OBJ_obj2txt(text, sizeof text, alg->algorithm, 1);
    return n > 0 && static_cast<std::size_t>(n) < sizeof text ? std::string(text) : std::string();
}

}  // namespace revocation
