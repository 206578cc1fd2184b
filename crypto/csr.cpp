#include "crypto/csr.h"

#include "crypto/openssl_error.h"
#include "crypto/ossl_util.h"
#include "crypto/pem.h"

namespace crypto {
namespace {

using ExtensionStackPtr = std::unique_ptr<STACK_OF(X509_EXTENSION), void (*)(STACK_OF(X509_EXTENSION)*)>;

void free_extensions(STACK_OF(X509_EXTENSION) * s) { sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free); }

common::Result<X509ExtensionPtr> key_usage_extension(KeyUsageSet usage) {
    OsslPtr<ASN1_BIT_STRING, ASN1_BIT_STRING_free> bits(ASN1_BIT_STRING_new());
    for (int n = 0; n < 9; ++n) {
        if ((usage.bits() & (1u << n)) != 0 && bits &&
            ASN1_BIT_STRING_set_bit(bits.get(), n, 1) != 1) {
            return openssl_error(common::Errc::crypto, "keyUsage");
        }
    }
    X509ExtensionPtr ext(bits ? X509V3_EXT_i2d(NID_key_usage, 1, bits.get()) : nullptr);
    if (!ext) return openssl_error(common::Errc::crypto, "keyUsage extension");
    return ext;
}

common::Result<X509ExtensionPtr> eku_extension(const std::vector<std::string>& oids) {
    OsslPtr<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free> eku(sk_ASN1_OBJECT_new_null());
    if (!eku) return openssl_error(common::Errc::crypto, "extendedKeyUsage");
    for (const auto& oid : oids) {
        ASN1_OBJECT* obj = OBJ_txt2obj(oid.c_str(), 1);
        if (obj == nullptr) {
            clear_openssl_errors();
            return common::fail(common::Errc::invalid_argument, "extendedKeyUsage: bad OID " + oid);
        }
        if (sk_ASN1_OBJECT_push(eku.get(), obj) == 0) {
            ASN1_OBJECT_free(obj);
            return openssl_error(common::Errc::crypto, "extendedKeyUsage push");
        }
    }
    X509ExtensionPtr ext(X509V3_EXT_i2d(NID_ext_key_usage, 0, eku.get()));
    if (!ext) return openssl_error(common::Errc::crypto, "extendedKeyUsage extension");
    return ext;
}

common::Result<ExtensionStackPtr> requested_extensions(const CsrRequest& request) {
    ExtensionStackPtr exts(sk_X509_EXTENSION_new_null(), free_extensions);
    auto push = [&](common::Result<X509ExtensionPtr> ext) -> common::Result<void> {
        if (!ext) return ext.error();
        if (sk_X509_EXTENSION_push(exts.get(), ext->get()) == 0) {
            return openssl_error(common::Errc::crypto, "extension push");
        }
        ext->release();
        return {};
    };
    if (!request.subject_alt_names.empty()) {
        auto names = detail::sans_to_general_names(request.subject_alt_names);
        if (!names) return names.error();
        X509ExtensionPtr ext(X509V3_EXT_i2d(NID_subject_alt_name, 0, names->get()));
        if (!ext) return openssl_error(common::Errc::crypto, "subjectAltName extension");
        if (auto r = push(std::move(ext)); !r) return r.error();
    }
    if (!request.key_usage.empty()) {
        if (auto r = push(key_usage_extension(request.key_usage)); !r) return r.error();
    }
    if (!request.extended_key_usage.empty()) {
        if (auto r = push(eku_extension(request.extended_key_usage)); !r) return r.error();
    }
    return exts;
}

}  // namespace

void Csr::Free::operator()(X509_req_st* p) const noexcept { X509_REQ_free(p); }

common::Result<Csr> Csr::build(const CsrRequest& request, const PrivateKey& key) {
    if (!is_collision_resistant(request.digest)) {
        return common::fail(common::Errc::unsupported, "CSR: digest must be SHA-2");
    }
    auto name = detail::name_from_string(request.subject);
    if (!name) return name.error().with_context("CSR subject");
    X509ReqPtr req(X509_REQ_new());
    if (!req || X509_REQ_set_version(req.get(), 0) != 1 ||
        X509_REQ_set_subject_name(req.get(), name->get()) != 1 ||
        X509_REQ_set_pubkey(req.get(), key.native()) != 1) {
        return openssl_error(common::Errc::crypto, "CSR");
    }
    auto exts = requested_extensions(request);
    if (!exts) return exts.error().with_context("CSR");
    if (sk_X509_EXTENSION_num(exts->get()) > 0 &&
        X509_REQ_add_extensions(req.get(), exts->get()) != 1) {
        return openssl_error(common::Errc::crypto, "CSR extensionRequest");
    }
    if (request.challenge_password) {
        const std::string& pw = *request.challenge_password;
        if (X509_REQ_add1_attr_by_NID(req.get(), NID_pkcs9_challengePassword, MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char*>(pw.data()),
                                      static_cast<int>(pw.size())) != 1) {
            // Never include the password itself in the message.
            return openssl_error(common::Errc::invalid_argument, "CSR challengePassword");
        }
    }
    if (X509_REQ_sign(req.get(), key.native(), detail::evp_md(request.digest)) <= 0) {
        return openssl_error(common::Errc::crypto, "CSR signature");
    }
    return Csr(req.release());
}

common::Result<Csr> Csr::from_der(ByteView der) {
    if (der.empty()) return common::fail(common::Errc::parse, "CSR: empty input");
    if (der.size() > detail::max_input_size) {
        return common::fail(common::Errc::invalid_argument, "CSR: input too large");
    }
    const unsigned char* p = der.data();
    X509ReqPtr req(d2i_X509_REQ(nullptr, &p, static_cast<long>(der.size())));
    if (!req) return openssl_error(common::Errc::parse, "CSR: malformed DER");
    if (p != der.data() + der.size()) {
        return common::fail(common::Errc::parse, "CSR: trailing data after DER");
    }
    return Csr(req.release());
}

common::Result<Csr> Csr::from_pem(std::string_view pem) {
    auto blocks = detail::read_pem_blocks(pem);
    if (!blocks) return blocks.error().with_context("CSR");
    for (const auto& block : *blocks) {
        if (block.label == "CERTIFICATE REQUEST" || block.label == "NEW CERTIFICATE REQUEST") {
            return from_der(block.der);
        }
    }
    return common::fail(common::Errc::parse, "no CERTIFICATE REQUEST block in PEM text");
}

Bytes Csr::to_der() const {
    unsigned char* der = nullptr;
    const int len = i2d_X509_REQ(m_req.get(), &der);
    if (len <= 0) {
        clear_openssl_errors();
        return {};
    }
    Bytes out(der, der + len);
    OPENSSL_free(der);
    return out;
}

std::string Csr::to_pem() const { return detail::write_pem("CERTIFICATE REQUEST", to_der()); }

std::string Csr::subject() const {
    return detail::name_to_string(X509_REQ_get_subject_name(m_req.get()));
}

namespace {

template <typename T, auto FreeFn>
OsslPtr<T, FreeFn> find_extension(X509_REQ* req, int nid) {
    ExtensionStackPtr exts(X509_REQ_get_extensions(req), free_extensions);
    clear_openssl_errors();
    if (!exts) return nullptr;
    const int idx = X509v3_get_ext_by_NID(exts.get(), nid, -1);
    if (idx < 0) return nullptr;
    auto* value = static_cast<T*>(X509V3_EXT_d2i(sk_X509_EXTENSION_value(exts.get(), idx)));
    clear_openssl_errors();
    return OsslPtr<T, FreeFn>(value);
}

}  // namespace

std::vector<SubjectAltName> Csr::subject_alt_names() const {
    auto names = find_extension<GENERAL_NAMES, GENERAL_NAMES_free>(m_req.get(), NID_subject_alt_name);
    return names ? detail::general_names_to_sans(names.get()) : std::vector<SubjectAltName>{};
}

std::optional<KeyUsageSet> Csr::key_usage() const {
    auto bits = find_extension<ASN1_BIT_STRING, ASN1_BIT_STRING_free>(m_req.get(), NID_key_usage);
    if (!bits) return std::nullopt;
    KeyUsageSet out;
    for (int n = 0; n < 9; ++n) {
        if (ASN1_BIT_STRING_get_bit(bits.get(), n) == 1) {
            out.add(static_cast<KeyUsage>(1u << n));
        }
    }
    return out;
}

std::vector<std::string> Csr::extended_key_usage() const {
    std::vector<std::string> out;
    auto eku = find_extension<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free>(m_req.get(),
                                                                          NID_ext_key_usage);
    for (int i = 0; eku && i < sk_ASN1_OBJECT_num(eku.get()); ++i) {
        char buf[128];
        OBJ_obj2txt(buf, sizeof buf, sk_ASN1_OBJECT_value(eku.get(), i), 1);
        out.emplace_back(buf);
    }
    return out;
}

std::optional<std::string> Csr::challenge_password() const {
    const int idx = X509_REQ_get_attr_by_NID(m_req.get(), NID_pkcs9_challengePassword, -1);
    if (idx < 0) return std::nullopt;
    X509_ATTRIBUTE* attr = X509_REQ_get_attr(m_req.get(), idx);
    const ASN1_TYPE* value = X509_ATTRIBUTE_get0_type(attr, 0);
    if (value == nullptr || (value->type != V_ASN1_PRINTABLESTRING &&
                             value->type != V_ASN1_UTF8STRING && value->type != V_ASN1_IA5STRING &&
                             value->type != V_ASN1_T61STRING && value->type != V_ASN1_BMPSTRING)) {
        return std::nullopt;
    }
    unsigned char* utf8 = nullptr;
    const int len = ASN1_STRING_to_UTF8(&utf8, value->value.asn1_string);
    if (len < 0) {
        clear_openssl_errors();
        return std::nullopt;
    }
    std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(len));
    OPENSSL_clear_free(utf8, static_cast<std::size_t>(len));
    return out;
}

Bytes Csr::public_key_der() const {
    return detail::public_key_to_der(X509_REQ_get0_pubkey(m_req.get()));
}

std::string Csr::public_key_description() const {
    return detail::describe_public_key(X509_REQ_get0_pubkey(m_req.get()));
}

bool Csr::verify_signature() const {
    EVP_PKEY* key = X509_REQ_get0_pubkey(m_req.get());
    const bool ok = key != nullptr && X509_REQ_verify(m_req.get(), key) == 1;
    clear_openssl_errors();
    return ok;
}

}  // namespace crypto
