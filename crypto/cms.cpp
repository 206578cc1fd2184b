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

namespace crypto::cms {
namespace {

using common::Errc;
using common::fail;
using common::Result;

using detail::max_input_size;  // larger inputs are refused before OpenSSL sees them

std::string with_what(std::string_view what, std::string_view detail) {
    std::string s(what);
    s += ": ";
    s += detail;
    return s;
}

Result<void> check_input(ByteView data, std::string_view what) {
    if (data.size() > max_input_size) {
        return fail(Errc::invalid_argument, with_what(what, "input larger than 64 MiB"));
    }
    return {};
}

// A read-only memory BIO over data (which must outlive the BIO).
Result<BioPtr> memory_source(ByteView data, std::string_view what) {
    static constexpr char empty[] = "";
    const void* p = data.empty() ? static_cast<const void*>(empty) : data.data();
    BioPtr bio(BIO_new_mem_buf(p, static_cast<int>(data.size())));
    if (!bio) {
        return openssl_error(Errc::crypto, with_what(what, "memory BIO"));
    }
    return bio;
}

Result<BioPtr> memory_sink(std::string_view what) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio) {
        return openssl_error(Errc::crypto, with_what(what, "memory BIO"));
    }
    return bio;
}

Bytes drain(BIO* bio) {
    char* p = nullptr;
    const long n = BIO_get_mem_data(bio, &p);
    if (n <= 0 || p == nullptr) {
        return {};
    }
    const auto* first = reinterpret_cast<const std::uint8_t*>(p);
    return Bytes(first, first + n);
}

template <typename T, typename Encode>
Result<Bytes> encode_der(const T* object, Encode encode, std::string_view what) {
    const int len = encode(object, nullptr);
    if (len <= 0) {
        return openssl_error(Errc::crypto, with_what(what, "DER encoding"));
    }
    Bytes out(static_cast<std::size_t>(len));
    unsigned char* p = out.data();
    if (encode(object, &p) != len) {
        return openssl_error(Errc::crypto, with_what(what, "DER encoding"));
    }
    return out;
}

Result<CmsContentInfoPtr> parse_cms(ByteView der, std::string_view what,
                                    OSSL_LIB_CTX* libctx = nullptr) {
    if (der.empty()) {
        return fail(Errc::parse, with_what(what, "empty input"));
    }
    if (auto ok = check_input(der, what); !ok) {
        return ok.error();
    }
    const unsigned char* p = der.data();
    CmsContentInfoPtr cms(CMS_ContentInfo_new_ex(libctx, nullptr));
    CMS_ContentInfo* parsed = cms.get();
    if (!cms) {
        return openssl_error(Errc::crypto, with_what(what, "CMS_ContentInfo_new_ex"));
    }
    if (d2i_CMS_ContentInfo(&parsed, &p, static_cast<long>(der.size())) == nullptr) {
        (void)cms.release();  // on failure d2i has already freed the object it was given
        return openssl_error(Errc::parse, with_what(what, "not a DER CMS ContentInfo"));
    }
    if (p != der.data() + der.size()) {
        clear_openssl_errors();
        return fail(Errc::parse, with_what(what, "trailing bytes after the CMS ContentInfo"));
    }
    return cms;
}

Result<void> require_type(const CMS_ContentInfo* cms, int nid, std::string_view what) {
    const int actual = OBJ_obj2nid(CMS_get0_type(cms));
    if (actual != nid) {
        const char* name = OBJ_nid2sn(actual);
        std::string detail = "expected " + std::string(OBJ_nid2sn(nid)) + ", got ";
        detail += name != nullptr ? name : "an unknown content type";
        return fail(Errc::parse, with_what(what, detail));
    }
    return {};
}

std::vector<Certificate> adopt_all(STACK_OF(X509) * stack) {
    std::vector<Certificate> out;
    const int n = sk_X509_num(stack);
    for (int i = 0; i < n; ++i) {
        out.push_back(Certificate::adopt(up_ref(sk_X509_value(stack, i)).release()));
    }
    return out;
}

// --- certs-only ---

// nullopt if der is not a complete DER PKCS#7 ContentInfo; the caller then tries CMS, which
// also knows CertificateChoices other than plain certificates.
std::optional<Result<std::vector<Certificate>>> certs_from_pkcs7(ByteView der) {
    constexpr std::string_view what = "PKCS#7 certs-only";
    ERR_set_mark();
    const unsigned char* p = der.data();
    Pkcs7Ptr p7(d2i_PKCS7(nullptr, &p, static_cast<long>(der.size())));
    const bool complete = p7 && p == der.data() + der.size();
    ERR_pop_to_mark();
    if (!complete) {
        return std::nullopt;
    }
    if (!PKCS7_type_is_signed(p7.get()) || p7->d.sign == nullptr) {
        return Result<std::vector<Certificate>>(
            fail(Errc::parse, with_what(what, "not a SignedData")));
    }
    if (sk_X509_num(p7->d.sign->cert) <= 0) {
        return Result<std::vector<Certificate>>(
            fail(Errc::parse, with_what(what, "no certificate in the SignedData")));
    }
    return Result<std::vector<Certificate>>(adopt_all(p7->d.sign->cert));
}

Result<std::vector<Certificate>> certs_from_cms(ByteView der) {
    constexpr std::string_view what = "CMS certs-only";
    auto cms = parse_cms(der, what);
    if (!cms) {
        return std::move(cms).error();
    }
    if (auto ok = require_type(cms->get(), NID_pkcs7_signed, what); !ok) {
        return ok.error();
    }
    X509StackPtr certs(CMS_get1_certs(cms->get()));
    if (sk_X509_num(certs.get()) <= 0) {
        clear_openssl_errors();
        return fail(Errc::parse, with_what(what, "no certificate in the SignedData"));
    }
    return adopt_all(certs.get());
}

// --- SignedData ---

constexpr std::string_view oid_content_type = "1.2.840.113549.1.9.3";
constexpr std::string_view oid_message_digest = "1.2.840.113549.1.9.4";
constexpr std::string_view oid_signing_time = "1.2.840.113549.1.9.5";

// The digests a SignerInfo may use (RFC 8894 §2.9: SHA-2, or SHA-1 for legacy peers; no MD5).
constexpr std::array<std::pair<DigestAlgorithm, int>, 4> signer_digests{{
    {DigestAlgorithm::sha256, NID_sha256},
    {DigestAlgorithm::sha384, NID_sha384},
    {DigestAlgorithm::sha512, NID_sha512},
    {DigestAlgorithm::sha1, NID_sha1},
}};

Result<const EVP_MD*> signing_digest(DigestAlgorithm alg) {
    for (const auto& [known, nid] : signer_digests) {
        if (known == alg) {
            return EVP_get_digestbynid(nid);
        }
    }
    return fail(Errc::unsupported, "CMS sign: digest " + std::string(to_string(alg)) +
                                       " is not allowed (RFC 8894 §2.9)");
}

Result<DigestAlgorithm> digest_of(CMS_SignerInfo* si) {
    X509_ALGOR* alg = nullptr;
    CMS_SignerInfo_get0_algs(si, nullptr, nullptr, &alg, nullptr);
    const ASN1_OBJECT* obj = nullptr;
    if (alg != nullptr) {
        X509_ALGOR_get0(&obj, nullptr, nullptr, alg);
    }
    const int nid = OBJ_obj2nid(obj);
    for (const auto& [known, known_nid] : signer_digests) {
        if (known_nid == nid) {
            return known;
        }
    }
    return fail(Errc::unsupported, "CMS verify: signer digest algorithm is not SHA-1 or SHA-2");
}

bool is_printable_string(ByteView value) {
    constexpr std::string_view extra = " '()+,-./:=?";
    for (const std::uint8_t c : value) {
        const bool alnum =
            (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && extra.find(static_cast<char>(c)) == std::string_view::npos) {
            return false;
        }
    }
    return true;
}

bool is_dotted_oid(std::string_view oid) {
    if (oid.empty() || oid.front() == '.' || oid.back() == '.' ||
        oid.find("..") != std::string_view::npos || oid.find('.') == std::string_view::npos) {
        return false;
    }
    return oid.find_first_not_of("0123456789.") == std::string_view::npos;
}

constexpr std::array<std::pair<Attribute::Type, int>, 3> attribute_types{{
    {Attribute::Type::printable_string, V_ASN1_PRINTABLESTRING},
    {Attribute::Type::octet_string, V_ASN1_OCTET_STRING},
    {Attribute::Type::utf8_string, V_ASN1_UTF8STRING},
}};

int asn1_type(Attribute::Type type) {
    for (const auto& [known, asn1] : attribute_types) {
        if (known == type) {
            return asn1;
        }
    }
    return -1;
}

std::optional<Attribute::Type> attribute_type(int asn1) {
    for (const auto& [known, known_asn1] : attribute_types) {
        if (known_asn1 == asn1) {
            return known;
        }
    }
    return std::nullopt;
}

Result<void> check_attribute(const Attribute& a) {
    constexpr std::string_view what = "CMS sign";
    if (!is_dotted_oid(a.oid)) {
        return fail(Errc::invalid_argument,
                    with_what(what, "attribute OID '" + a.oid + "' is not dotted"));
    }
    if (a.oid == oid_content_type || a.oid == oid_message_digest || a.oid == oid_signing_time) {
        return fail(Errc::invalid_argument,
                    with_what(what, "attribute " + a.oid + " is set by CMS itself"));
    }
    if (asn1_type(a.type) < 0) {
        return fail(Errc::invalid_argument, with_what(what, "unknown attribute type"));
    }
    if (a.value.size() > max_input_size) {
        return fail(Errc::invalid_argument, with_what(what, "attribute value larger than 64 MiB"));
    }
    if (a.type == Attribute::Type::printable_string && !is_printable_string(a.value)) {
        return fail(Errc::invalid_argument,
                    with_what(what, "attribute " + a.oid + " is not a valid PrintableString"));
    }
    return {};
}

Result<void> add_attributes(CMS_SignerInfo* si, const std::vector<Attribute>& attributes) {
    std::set<std::string_view> seen;
    for (const Attribute& a : attributes) {
        if (auto ok = check_attribute(a); !ok) {
            return ok;
        }
        if (!seen.insert(a.oid).second) {
            return fail(Errc::invalid_argument, "CMS sign: attribute " + a.oid + " given twice");
        }
        Asn1ObjectPtr obj(OBJ_txt2obj(a.oid.c_str(), 1));
        if (!obj) {
            return openssl_error(Errc::invalid_argument, "CMS sign: attribute OID " + a.oid);
        }
        static constexpr std::uint8_t none = 0;
        const void* data = a.value.empty() ? &none : a.value.data();
        if (CMS_signed_add1_attr_by_OBJ(si, obj.get(), asn1_type(a.type), data,
                                        static_cast<int>(a.value.size())) != 1) {
            return openssl_error(Errc::crypto, "CMS sign: adding attribute " + a.oid);
        }
    }
    return {};
}

// The signer certificate is added by CMS_add1_signer; OpenSSL 3.0 refuses duplicates, so the
// extra certificates are deduplicated here.
Result<void> add_extra_certs(CMS_ContentInfo* cms, const Certificate& signer,
                             const std::vector<Certificate>& extra) {
    std::vector<const X509*> added{signer.native()};
    for (const Certificate& c : extra) {
        bool duplicate = false;
        for (const X509* x : added) {
            duplicate = duplicate || X509_cmp(x, c.native()) == 0;
        }
        if (duplicate) {
            continue;
        }
        if (CMS_add1_cert(cms, c.native()) != 1) {
            return openssl_error(Errc::crypto, "CMS sign: adding certificate " + c.subject());
        }
        added.push_back(c.native());
    }
    return {};
}

std::string oid_text(const ASN1_OBJECT* obj) {
    const int n = OBJ_obj2txt(nullptr, 0, obj, 1);
    if (n <= 0) {
        return {};
    }
    std::string text(static_cast<std::size_t>(n) + 1, '\0');
    OBJ_obj2txt(text.data(), n + 1, obj, 1);
    text.resize(static_cast<std::size_t>(n));
    return text;
}

std::vector<Attribute> signed_attributes(const CMS_SignerInfo* si) {
    std::vector<Attribute> out;
    const int count = CMS_signed_get_attr_count(si);
    for (int i = 0; i < count; ++i) {
        X509_ATTRIBUTE* attr = CMS_signed_get_attr(si, i);
        if (attr == nullptr || X509_ATTRIBUTE_count(attr) != 1) {
            continue;
        }
        const ASN1_TYPE* value = X509_ATTRIBUTE_get0_type(attr, 0);
        const auto type = value != nullptr ? attribute_type(ASN1_TYPE_get(value)) : std::nullopt;
        if (!type || value->value.asn1_string == nullptr) {
            continue;
        }
        const ASN1_STRING* s = value->value.asn1_string;
        const std::uint8_t* data = ASN1_STRING_get0_data(s);
        const auto len = static_cast<std::size_t>(ASN1_STRING_length(s));
        out.push_back(Attribute{oid_text(X509_ATTRIBUTE_get0_object(attr)), *type,
                                data != nullptr ? Bytes(data, data + len) : Bytes{}});
    }
    return out;
}

Result<CMS_SignerInfo*> single_signer(CMS_ContentInfo* cms) {
    STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms);
    const int n = sk_CMS_SignerInfo_num(infos);
    if (n <= 0) {
        return fail(Errc::verification, "CMS verify: the SignedData has no signer");
    }
    if (n > 1) {
        return fail(Errc::unsupported,
                    "CMS verify: " + std::to_string(n) + " signers; exactly one is supported");
    }
    return sk_CMS_SignerInfo_value(infos, 0);
}

// An absent eContent (RFC 5652 §5.2; SCEP CertRep FAILURE/PENDING carries no pkcsPKIEnvelope)
// is verified as empty content. A null BIO means the content is encapsulated.
Result<BioPtr> detached_content(CMS_ContentInfo* cms) {
    ASN1_OCTET_STRING** content = CMS_get0_content(cms);
    if (content == nullptr) {
        return openssl_error(Errc::parse,
                             "CMS verify: SignedData without encapsulated content info");
    }
    if (*content != nullptr) {
        return BioPtr{};
    }
    return memory_source({}, "CMS verify");
}

// allowed == nullptr: the signer certificate is looked up among SignedData.certificates.
Result<Verified> verify_signed(ByteView der, STACK_OF(X509) * allowed) {
    constexpr std::string_view what = "CMS verify";
    auto cms = parse_cms(der, what);
    if (!cms) {
        return std::move(cms).error();
    }
    if (auto ok = require_type(cms->get(), NID_pkcs7_signed, what); !ok) {
        return ok.error();
    }
    auto si = single_signer(cms->get());
    if (!si) {
        return std::move(si).error();
    }
    auto digest = digest_of(*si);
    if (!digest) {
        return std::move(digest).error();
    }
    auto dcont = detached_content(cms->get());
    auto out = memory_sink(what);
    if (!dcont || !out) {
        return !dcont ? std::move(dcont).error() : std::move(out).error();
    }
    unsigned int flags = CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY;
    flags |= allowed != nullptr ? CMS_NOINTERN : 0U;
    if (CMS_verify(cms->get(), allowed, nullptr, dcont->get(), out->get(), flags) != 1) {
        return openssl_error(Errc::verification, "CMS verify: signature does not verify");
    }
    X509* signer = nullptr;
    CMS_SignerInfo_get0_algs(*si, nullptr, &signer, nullptr, nullptr);
    if (signer == nullptr) {
        return fail(Errc::internal, "CMS verify: verified without a signer certificate");
    }
    X509StackPtr certs(CMS_get1_certs(cms->get()));
    clear_openssl_errors();
    return Verified{drain(out->get()), Certificate::adopt(up_ref(signer).release()),
                    signed_attributes(*si), adopt_all(certs.get()), *digest};
}

Result<X509StackPtr> to_stack(const std::vector<Certificate>& certs, std::string_view what) {
    X509StackPtr stack(sk_X509_new_null());
    if (!stack) {
        return openssl_error(Errc::crypto, with_what(what, "certificate stack"));
    }
    for (const Certificate& c : certs) {
        X509Ptr ref = up_ref(c.native());
        if (sk_X509_push(stack.get(), ref.get()) <= 0) {
            return openssl_error(Errc::crypto, with_what(what, "certificate stack"));
        }
        static_cast<void>(ref.release());
    }
    return stack;
}

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

std::optional<Bytes> Verified::attribute(std::string_view oid) const {
    for (const Attribute& a : attributes) {
        if (a.oid == oid) {
            return a.value;
        }
    }
    return std::nullopt;
}

Result<Bytes> make_certs_only(const std::vector<Certificate>& certs) {
    constexpr std::string_view what = "PKCS#7 certs-only";
    if (certs.empty()) {
        return fail(Errc::invalid_argument, with_what(what, "no certificate given"));
    }
    Pkcs7Ptr p7(PKCS7_new());
    if (!p7 || PKCS7_set_type(p7.get(), NID_pkcs7_signed) != 1 ||
        PKCS7_content_new(p7.get(), NID_pkcs7_data) != 1) {
        return openssl_error(Errc::crypto, with_what(what, "building SignedData"));
    }
    // No eContent, no digestAlgorithms, no signerInfos: the degenerate form (RFC 8894 §3.4).
    PKCS7_set_detached(p7.get(), 1);
    for (const Certificate& c : certs) {
        if (PKCS7_add_certificate(p7.get(), c.native()) != 1) {
            return openssl_error(Errc::crypto, with_what(what, "adding " + c.subject()));
        }
    }
    return encode_der(p7.get(), i2d_PKCS7, what);
}

Result<Bytes> make_crls_only(const std::vector<Crl>& crls) {
    constexpr std::string_view what = "PKCS#7 CRLs-only";
    if (crls.empty()) {
        return fail(Errc::invalid_argument, with_what(what, "no CRL given"));
    }
    Pkcs7Ptr p7(PKCS7_new());
    if (!p7 || PKCS7_set_type(p7.get(), NID_pkcs7_signed) != 1 ||
        PKCS7_content_new(p7.get(), NID_pkcs7_data) != 1) {
        return openssl_error(Errc::crypto, with_what(what, "building SignedData"));
    }
    PKCS7_set_detached(p7.get(), 1);
    for (const Crl& c : crls) {
        if (PKCS7_add_crl(p7.get(), c.native()) != 1) {
            return openssl_error(Errc::crypto, with_what(what, "adding CRL of " + c.issuer()));
        }
    }
    return encode_der(p7.get(), i2d_PKCS7, what);
}

Result<std::vector<Crl>> parse_crls_only(ByteView der) {
    constexpr std::string_view what = "PKCS#7 CRLs-only";
    if (der.empty()) {
        return fail(Errc::parse, with_what(what, "empty input"));
    }
    if (auto ok = check_input(der, what); !ok) {
        return ok.error();
    }
    const unsigned char* p = der.data();
    Pkcs7Ptr p7(d2i_PKCS7(nullptr, &p, static_cast<long>(der.size())));
    if (!p7 || p != der.data() + der.size()) {
        return openssl_error(Errc::parse, with_what(what, "malformed DER"));
    }
    if (!PKCS7_type_is_signed(p7.get()) || p7->d.sign == nullptr) {
        return fail(Errc::parse, with_what(what, "not a SignedData"));
    }
    std::vector<Crl> out;
    const int n = sk_X509_CRL_num(p7->d.sign->crl);
    for (int i = 0; i < n; ++i) {
        out.push_back(Crl::adopt(up_ref(sk_X509_CRL_value(p7->d.sign->crl, i)).release()));
    }
    if (out.empty()) {
        return fail(Errc::parse, with_what(what, "no CRL in the SignedData"));
    }
    return out;
}

Result<std::vector<Certificate>> parse_certs_only(ByteView der) {
    if (der.empty()) {
        return fail(Errc::parse, "certs-only: empty input");
    }
    if (auto ok = check_input(der, "certs-only"); !ok) {
        return ok.error();
    }
    if (auto from_pkcs7 = certs_from_pkcs7(der)) {
        return std::move(*from_pkcs7);
    }
    return certs_from_cms(der);
}

Result<Bytes> sign(ByteView content, const Certificate& signer, const PrivateKey& key,
                   const SignOptions& options) {
    constexpr std::string_view what = "CMS sign";
    if (auto ok = check_input(content, what); !ok) {
        return ok.error();
    }
    auto md = signing_digest(options.digest);
    if (!md) {
        return std::move(md).error();
    }
    if (X509_check_private_key(signer.native(), key.native()) != 1) {
        clear_openssl_errors();
        return fail(Errc::invalid_argument,
                    "CMS sign: the key does not belong to " + signer.subject());
    }
    CmsContentInfoPtr cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, CMS_PARTIAL | CMS_BINARY));
    if (!cms) {
        return openssl_error(Errc::crypto, "CMS sign: building SignedData");
    }
    CMS_SignerInfo* si =
        CMS_add1_signer(cms.get(), signer.native(), key.native(), *md, CMS_BINARY | CMS_NOSMIMECAP);
    if (si == nullptr) {
        return openssl_error(Errc::crypto, "CMS sign: adding the signer");
    }
    if (auto ok = add_attributes(si, options.attributes); !ok) {
        return ok.error();
    }
    if (auto ok = add_extra_certs(cms.get(), signer, options.extra_certs); !ok) {
        return ok.error();
    }
    auto in = memory_source(content, what);
    if (!in) {
        return std::move(in).error();
    }
    if (CMS_set_detached(cms.get(), 0) != 1 ||
        CMS_final(cms.get(), in->get(), nullptr, CMS_BINARY) != 1) {
        return openssl_error(Errc::crypto, "CMS sign: signing");
    }
    return encode_der(cms.get(), i2d_CMS_ContentInfo, what);
}

Result<Verified> verify(ByteView der, const std::vector<Certificate>& allowed_signers) {
    if (allowed_signers.empty()) {
        return fail(Errc::verification, "CMS verify: no allowed signer given");
    }
    auto allowed = to_stack(allowed_signers, "CMS verify");
    if (!allowed) {
        return std::move(allowed).error();
    }
    return verify_signed(der, allowed->get());
}

Result<Verified> verify_with_embedded_signer(ByteView der) {
    return verify_signed(der, nullptr);
}

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
