#include "crypto/certificate.h"

#include <cctype>

#include "crypto/openssl_error.h"
#include "crypto/ossl_util.h"
#include "crypto/pem.h"

namespace crypto {

void Certificate::Free::operator()(x509_st* p) const noexcept { X509_free(p); }

std::string_view to_string(SubjectAltName::Type type) {
    switch (type) {
        case SubjectAltName::Type::dns: return "DNS";
        case SubjectAltName::Type::ip: return "IP";
        case SubjectAltName::Type::uri: return "URI";
        case SubjectAltName::Type::email: return "email";
        case SubjectAltName::Type::other: return "other";
    }
    return "?";
}

common::Result<SubjectAltName> parse_subject_alt_name(std::string_view text) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos || colon + 1 == text.size()) {
        return common::fail(common::Errc::invalid_argument,
                            "subjectAltName '" + std::string(text) +
                                "': expected dns:NAME, ip:ADDRESS, uri:URI or email:ADDRESS");
    }
    std::string kind;
    for (char c : text.substr(0, colon)) kind += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string value(text.substr(colon + 1));
    if (kind == "dns") return SubjectAltName{SubjectAltName::Type::dns, value};
    if (kind == "ip") {
        // Validate now so that a typo is reported where it was typed.
        ASN1_OCTET_STRING* ip = a2i_IPADDRESS(value.c_str());
        if (ip == nullptr) {
            clear_openssl_errors();
            return common::fail(common::Errc::invalid_argument,
                                "subjectAltName: '" + value + "' is not an IP address");
        }
        ASN1_OCTET_STRING_free(ip);
        return SubjectAltName{SubjectAltName::Type::ip, value};
    }
    if (kind == "uri") return SubjectAltName{SubjectAltName::Type::uri, value};
    if (kind == "email") return SubjectAltName{SubjectAltName::Type::email, value};
    return common::fail(common::Errc::invalid_argument,
                        "subjectAltName '" + std::string(text) + "': unknown kind '" + kind + "'");
}

common::Result<Certificate> Certificate::from_der(ByteView der) {
    if (der.empty()) return common::fail(common::Errc::parse, "certificate: empty input");
    if (der.size() > detail::max_input_size) {
        return common::fail(common::Errc::invalid_argument, "certificate: input too large");
    }
    const unsigned char* p = der.data();
    X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    if (!x) return openssl_error(common::Errc::parse, "certificate: malformed DER");
    if (p != der.data() + der.size()) {
        return common::fail(common::Errc::parse, "certificate: trailing data after DER");
    }
    return Certificate(x.release());
}

common::Result<std::vector<Certificate>> Certificate::all_from_pem(std::string_view pem) {
    auto blocks = detail::read_pem_blocks(pem);
    if (!blocks) return blocks.error().with_context("certificate");
    std::vector<Certificate> out;
    for (const auto& block : *blocks) {
        if (block.label != "CERTIFICATE" && block.label != "X509 CERTIFICATE") continue;
        auto cert = from_der(block.der);
        if (!cert) return cert.error();
        out.push_back(std::move(*cert));
    }
    if (out.empty()) return common::fail(common::Errc::parse, "no CERTIFICATE block in PEM text");
    return out;
}

common::Result<Certificate> Certificate::from_pem(std::string_view pem) {
    auto all = all_from_pem(pem);
    if (!all) return all.error();
    return std::move(all->front());
}

common::Result<std::vector<Certificate>> Certificate::load_any(ByteView data) {
    if (detail::looks_like_pem(data)) return all_from_pem(as_chars(data));
    auto cert = from_der(data);
    if (!cert) return cert.error();
    return std::vector<Certificate>{std::move(*cert)};
}

Certificate Certificate::adopt(x509_st* x509) { return Certificate(x509); }

Bytes Certificate::to_der() const {
    unsigned char* der = nullptr;
    const int len = i2d_X509(m_x509.get(), &der);
    if (len <= 0) {
        clear_openssl_errors();
        return {};
    }
    Bytes out(der, der + len);
    OPENSSL_free(der);
    return out;
}

std::string Certificate::to_pem() const { return detail::write_pem("CERTIFICATE", to_der()); }

std::string Certificate::subject() const {
    return detail::name_to_string(X509_get_subject_name(m_x509.get()));
}

std::string Certificate::issuer() const {
    return detail::name_to_string(X509_get_issuer_name(m_x509.get()));
}

std::string Certificate::common_name() const {
    const X509_NAME* name = X509_get_subject_name(m_x509.get());
    const int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (idx < 0) return {};
    const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
    unsigned char* utf8 = nullptr;
    const int len = ASN1_STRING_to_UTF8(&utf8, data);
    if (len < 0) {
        clear_openssl_errors();
        return {};
    }
    std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(len));
    OPENSSL_free(utf8);
    return out;
}

std::string Certificate::serial_hex() const {
    return detail::asn1_integer_to_hex(X509_get0_serialNumber(m_x509.get()));
}

SystemTime Certificate::not_before() const {
    return detail::to_system_time(X509_get0_notBefore(m_x509.get()));
}

SystemTime Certificate::not_after() const {
    return detail::to_system_time(X509_get0_notAfter(m_x509.get()));
}

bool Certificate::is_self_issued() const {
    return X509_NAME_cmp(X509_get_subject_name(m_x509.get()),
                         X509_get_issuer_name(m_x509.get())) == 0;
}

bool Certificate::is_ca() const {
    // X509_get_extension_flags() computes the cached extension data first.
    return (X509_get_extension_flags(m_x509.get()) & EXFLAG_CA) != 0;
}

std::optional<int> Certificate::path_length() const {
    const long len = X509_get_pathlen(m_x509.get());
    if (len < 0) return std::nullopt;
    return static_cast<int>(len);
}

std::vector<SubjectAltName> Certificate::subject_alt_names() const {
    GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
        X509_get_ext_d2i(m_x509.get(), NID_subject_alt_name, nullptr, nullptr)));
    if (!names) {
        clear_openssl_errors();
        return {};
    }
    return detail::general_names_to_sans(names.get());
}

std::optional<KeyUsageSet> Certificate::key_usage() const {
    if ((X509_get_extension_flags(m_x509.get()) & EXFLAG_KUSAGE) == 0) return std::nullopt;
    const std::uint32_t ku = X509_get_key_usage(m_x509.get());
    // OpenSSL's KU_* bits follow the DER bit string: digitalSignature = 0x80, ...,
    // decipherOnly = 0x8000.
    static constexpr std::pair<std::uint32_t, KeyUsage> map[] = {
        {KU_DIGITAL_SIGNATURE, KeyUsage::digital_signature},
        {KU_NON_REPUDIATION, KeyUsage::content_commitment},
        {KU_KEY_ENCIPHERMENT, KeyUsage::key_encipherment},
        {KU_DATA_ENCIPHERMENT, KeyUsage::data_encipherment},
        {KU_KEY_AGREEMENT, KeyUsage::key_agreement},
        {KU_KEY_CERT_SIGN, KeyUsage::key_cert_sign},
        {KU_CRL_SIGN, KeyUsage::crl_sign},
        {KU_ENCIPHER_ONLY, KeyUsage::encipher_only},
        {KU_DECIPHER_ONLY, KeyUsage::decipher_only},
    };
    KeyUsageSet out;
    for (const auto& [bit, usage] : map) {
        if ((ku & bit) != 0) out.add(usage);
    }
    return out;
}

std::vector<std::string> Certificate::extended_key_usage() const {
    std::vector<std::string> out;
    OsslPtr<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free> eku(static_cast<EXTENDED_KEY_USAGE*>(
        X509_get_ext_d2i(m_x509.get(), NID_ext_key_usage, nullptr, nullptr)));
    if (!eku) {
        clear_openssl_errors();
        return out;
    }
    for (int i = 0; i < sk_ASN1_OBJECT_num(eku.get()); ++i) {
        char buf[128];
        OBJ_obj2txt(buf, sizeof buf, sk_ASN1_OBJECT_value(eku.get(), i), 1);
        out.emplace_back(buf);
    }
    return out;
}

namespace {

std::vector<std::string> access_urls(X509* x509, int method_nid) {
    std::vector<std::string> out;
    OsslPtr<AUTHORITY_INFO_ACCESS, AUTHORITY_INFO_ACCESS_free> aia(
        static_cast<AUTHORITY_INFO_ACCESS*>(X509_get_ext_d2i(x509, NID_info_access, nullptr, nullptr)));
    clear_openssl_errors();
    for (int i = 0; aia && i < sk_ACCESS_DESCRIPTION_num(aia.get()); ++i) {
        const ACCESS_DESCRIPTION* ad = sk_ACCESS_DESCRIPTION_value(aia.get(), i);
        if (OBJ_obj2nid(ad->method) == method_nid && ad->location->type == GEN_URI) {
            const ASN1_IA5STRING* uri = ad->location->d.uniformResourceIdentifier;
            out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                             static_cast<std::size_t>(ASN1_STRING_length(uri)));
        }
    }
    return out;
}

}  // namespace

std::vector<std::string> Certificate::ca_issuers_urls() const {
    return access_urls(m_x509.get(), NID_ad_ca_issuers);
}

std::vector<std::string> Certificate::ocsp_urls() const {
    return access_urls(m_x509.get(), NID_ad_OCSP);
}

std::vector<std::string> Certificate::crl_distribution_urls() const {
    std::vector<std::string> out;
    OsslPtr<CRL_DIST_POINTS, CRL_DIST_POINTS_free> points(static_cast<CRL_DIST_POINTS*>(
        X509_get_ext_d2i(m_x509.get(), NID_crl_distribution_points, nullptr, nullptr)));
    clear_openssl_errors();
    for (int i = 0; points && i < sk_DIST_POINT_num(points.get()); ++i) {
        const DIST_POINT* dp = sk_DIST_POINT_value(points.get(), i);
        if (dp->distpoint == nullptr || dp->distpoint->type != 0) continue;  // fullName only
        const GENERAL_NAMES* names = dp->distpoint->name.fullname;
        for (int j = 0; j < sk_GENERAL_NAME_num(names); ++j) {
            const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, j);
            if (gn->type != GEN_URI) continue;
            const ASN1_IA5STRING* uri = gn->d.uniformResourceIdentifier;
            out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                             static_cast<std::size_t>(ASN1_STRING_length(uri)));
        }
    }
    return out;
}

std::string Certificate::public_key_description() const {
    return detail::describe_public_key(X509_get0_pubkey(m_x509.get()));
}

Bytes Certificate::public_key_der() const {
    return detail::public_key_to_der(X509_get0_pubkey(m_x509.get()));
}

std::string Certificate::signature_algorithm() const {
    const int nid = X509_get_signature_nid(m_x509.get());
    const char* name = OBJ_nid2ln(nid);
    return name != nullptr ? name : "unknown";
}

Fingerprint Certificate::fingerprint(DigestAlgorithm alg) const {
    return Fingerprint::of(to_der(), alg);
}

bool Certificate::is_signed_by(const Certificate& issuer) const {
    EVP_PKEY* key = X509_get0_pubkey(issuer.m_x509.get());
    const bool ok = key != nullptr && X509_verify(m_x509.get(), key) == 1;
    clear_openssl_errors();
    return ok;
}

bool Certificate::operator==(const Certificate& other) const {
    return X509_cmp(m_x509.get(), other.m_x509.get()) == 0 && to_der() == other.to_der();
}

}  // namespace crypto
