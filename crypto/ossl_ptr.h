// unique_ptr aliases for every OpenSSL handle the project owns (STYLE.md habit 7).
// Only crypto/ and the .cpp files of scep/, ocsp-crl/ and ca/ include this header.
#pragma once

#include <memory>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

namespace crypto {

template <auto FreeFn>
struct OsslDeleter {
    template <typename T>
    void operator()(T* p) const noexcept {
        FreeFn(p);
    }
};

template <typename T, auto FreeFn>
using OsslPtr = std::unique_ptr<T, OsslDeleter<FreeFn>>;

using Asn1IntegerPtr = OsslPtr<ASN1_INTEGER, ASN1_INTEGER_free>;
using Asn1ObjectPtr = OsslPtr<ASN1_OBJECT, ASN1_OBJECT_free>;
using Asn1OctetStringPtr = OsslPtr<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>;
using Asn1StringPtr = OsslPtr<ASN1_STRING, ASN1_STRING_free>;
using Asn1TimePtr = OsslPtr<ASN1_TIME, ASN1_TIME_free>;
using BignumPtr = OsslPtr<BIGNUM, BN_free>;
using BioPtr = OsslPtr<BIO, BIO_free_all>;
using CmsContentInfoPtr = OsslPtr<CMS_ContentInfo, CMS_ContentInfo_free>;
using EvpCipherCtxPtr = OsslPtr<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;
using EvpMdCtxPtr = OsslPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using EvpPkeyCtxPtr = OsslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using EvpPkeyPtr = OsslPtr<EVP_PKEY, EVP_PKEY_free>;
using GeneralNamesPtr = OsslPtr<GENERAL_NAMES, GENERAL_NAMES_free>;
using OcspBasicRespPtr = OsslPtr<OCSP_BASICRESP, OCSP_BASICRESP_free>;
using OcspCertIdPtr = OsslPtr<OCSP_CERTID, OCSP_CERTID_free>;
using OcspRequestPtr = OsslPtr<OCSP_REQUEST, OCSP_REQUEST_free>;
using OcspResponsePtr = OsslPtr<OCSP_RESPONSE, OCSP_RESPONSE_free>;
using Pkcs12Ptr = OsslPtr<PKCS12, PKCS12_free>;
using Pkcs7Ptr = OsslPtr<PKCS7, PKCS7_free>;
using X509CrlPtr = OsslPtr<X509_CRL, X509_CRL_free>;
using X509ExtensionPtr = OsslPtr<X509_EXTENSION, X509_EXTENSION_free>;
using X509NamePtr = OsslPtr<X509_NAME, X509_NAME_free>;
using X509Ptr = OsslPtr<X509, X509_free>;
using X509ReqPtr = OsslPtr<X509_REQ, X509_REQ_free>;
using X509StoreCtxPtr = OsslPtr<X509_STORE_CTX, X509_STORE_CTX_free>;
using X509StorePtr = OsslPtr<X509_STORE, X509_STORE_free>;
using X509VerifyParamPtr = OsslPtr<X509_VERIFY_PARAM, X509_VERIFY_PARAM_free>;

// STACK_OF(X509) owning its elements.
struct X509StackDeleter {
    void operator()(STACK_OF(X509) * s) const noexcept { sk_X509_pop_free(s, X509_free); }
};
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackDeleter>;

struct X509CrlStackDeleter {
    void operator()(STACK_OF(X509_CRL) * s) const noexcept { sk_X509_CRL_pop_free(s, X509_CRL_free); }
};
using X509CrlStackPtr = std::unique_ptr<STACK_OF(X509_CRL), X509CrlStackDeleter>;

// Up-ref helpers: a copy of an owned handle is a new reference, never a raw alias.
X509Ptr up_ref(X509* x);
EvpPkeyPtr up_ref(EVP_PKEY* k);
X509CrlPtr up_ref(X509_CRL* c);

}  // namespace crypto
