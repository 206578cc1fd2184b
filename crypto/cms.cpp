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
using crypto::detail::max_input_size;  // larger inputs are refused before OpenSSL sees them

using detail::check_input;
using detail::drain;
using detail::encode_der;
using detail::memory_sink;
using detail::memory_source;
using detail::parse_cms;
using detail::require_type;
using detail::to_stack;
using detail::with_what;

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

}  // namespace crypto::cms
