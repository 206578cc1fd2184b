#include "crypto/certificate_builder.h"

#include <algorithm>

#include "crypto/general_name_syntax.h"
#include "crypto/openssl_error.h"
#include "crypto/ossl_util.h"

namespace crypto {
namespace {

constexpr std::size_t max_serial_octets = 20;

common::Unexpected invalid(std::string message) {
    return common::fail(common::Errc::invalid_argument, "certificate: " + std::move(message));
}

common::Result<Asn1IntegerPtr> serial_integer(const std::optional<Bytes>& serial) {
    if (!serial) return invalid("no serial number");
    const auto first = std::find_if(serial->begin(), serial->end(), [](auto b) { return b != 0; });
    const auto octets = static_cast<std::size_t>(serial->end() - first);
    if (octets == 0) return invalid("serial number is zero");
    if (octets + ((*first & 0x80) != 0 ? 1u : 0u) > max_serial_octets) {
        return invalid("serial number longer than 20 octets");
    }
    BignumPtr bn(BN_bin2bn(&*first, static_cast<int>(octets), nullptr));
    Asn1IntegerPtr out(bn ? BN_to_ASN1_INTEGER(bn.get(), nullptr) : nullptr);
    if (!out) return openssl_error(common::Errc::crypto, "certificate serial number");
    return out;
}

common::Result<X509NamePtr> subject_name(
    const std::variant<std::monostate, std::string, Bytes>& subject) {
    if (const auto* text = std::get_if<std::string>(&subject)) {
        if (text->empty()) {
            X509NamePtr empty(X509_NAME_new());
            if (!empty) return openssl_error(common::Errc::crypto, "X509_NAME_new");
            return empty;
        }
        auto name = detail::name_from_string(*text);
        if (!name) return name.error().with_context("certificate subject");
        return name;
    }
    if (const auto* der = std::get_if<Bytes>(&subject)) {
        const unsigned char* p = der->data();
        X509NamePtr name(d2i_X509_NAME(nullptr, &p, static_cast<long>(der->size())));
        if (!name) return openssl_error(common::Errc::invalid_argument, "certificate subject");
        return name;
    }
    return invalid("no subject");
}

common::Result<EvpPkeyPtr> public_key_from_der(const Bytes& spki) {
    const unsigned char* p = spki.data();
    EvpPkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size())));
    if (!key || p != spki.data() + spki.size()) {
        return openssl_error(common::Errc::invalid_argument, "certificate: malformed public key");
    }
    return key;
}

common::Result<void> check_name_syntax(const std::vector<SubjectAltName>& names) {
    for (const auto& san : names) {
        const bool ok =
            (san.type == SubjectAltName::Type::dns && detail::is_dns_name(san.value, true)) ||
            (san.type == SubjectAltName::Type::email && detail::is_mailbox(san.value)) ||
            (san.type == SubjectAltName::Type::uri && !san.value.empty()) ||
            san.type == SubjectAltName::Type::ip;  // checked when encoded
        if (!ok) {
            return invalid("subjectAltName " + std::string(to_string(san.type)) + ":" + san.value +
                           " is not well formed (RFC 5280 §4.2.1.6)");
        }
    }
    return {};
}

// Adds value (an OpenSSL extension structure of the type `nid` expects) to x.
common::Result<void> add_extension(X509* x, int nid, void* value, bool critical) {
    if (X509_add1_ext_i2d(x, nid, value, critical ? 1 : 0, X509V3_ADD_DEFAULT) != 1) {
        return openssl_error(common::Errc::crypto,
                             std::string("certificate extension ") + OBJ_nid2sn(nid));
    }
    return {};
}

common::Result<void> add_basic_constraints(X509* x, bool ca, std::optional<int> path_length) {
    OsslPtr<BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free> bc(BASIC_CONSTRAINTS_new());
    if (!bc) return openssl_error(common::Errc::crypto, "basicConstraints");
    bc->ca = ca ? 0xff : 0;
    if (ca && path_length) {
        if (*path_length < 0) return invalid("negative pathLenConstraint");
        bc->pathlen = ASN1_INTEGER_new();
        if (bc->pathlen == nullptr || ASN1_INTEGER_set(bc->pathlen, *path_length) != 1) {
            return openssl_error(common::Errc::crypto, "pathLenConstraint");
        }
    }
    return add_extension(x, NID_basic_constraints, bc.get(), true);
}

common::Result<void> add_key_usage(X509* x, KeyUsageSet usages) {
    OsslPtr<ASN1_BIT_STRING, ASN1_BIT_STRING_free> bits(ASN1_BIT_STRING_new());
    if (!bits) return openssl_error(common::Errc::crypto, "keyUsage");
    for (int n = 0; n < 9; ++n) {
        if ((usages.bits() & (1u << n)) != 0 && ASN1_BIT_STRING_set_bit(bits.get(), n, 1) != 1) {
            return openssl_error(common::Errc::crypto, "keyUsage");
        }
    }
    return add_extension(x, NID_key_usage, bits.get(), true);
}

common::Result<void> add_extended_key_usage(X509* x, const std::vector<std::string>& oids) {
    OsslPtr<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free> eku(sk_ASN1_OBJECT_new_null());
    if (!eku) return openssl_error(common::Errc::crypto, "extendedKeyUsage");
    for (const auto& oid : oids) {
        Asn1ObjectPtr obj(OBJ_txt2obj(oid.c_str(), 1));
        if (!obj) {
            clear_openssl_errors();
            return invalid("extendedKeyUsage: '" + oid + "' is not an OID");
        }
        if (sk_ASN1_OBJECT_push(eku.get(), obj.get()) == 0) {
            return openssl_error(common::Errc::crypto, "extendedKeyUsage");
        }
        obj.release();  // owned by the stack
    }
    return add_extension(x, NID_ext_key_usage, eku.get(), false);
}

common::Result<OsslPtr<GENERAL_NAME, GENERAL_NAME_free>> uri_name(const std::string& url) {
    if (url.empty()) return invalid("empty URL");
    auto names = detail::sans_to_general_names({{SubjectAltName::Type::uri, url}});
    if (!names) return names.error();
    return OsslPtr<GENERAL_NAME, GENERAL_NAME_free>(sk_GENERAL_NAME_pop(names->get()));
}

common::Result<void> add_crl_distribution_point(X509* x, const std::string& url) {
    if (url.empty()) return invalid("cRLDistributionPoints: empty URL");
    auto names = detail::sans_to_general_names({{SubjectAltName::Type::uri, url}});
    if (!names) return names.error().with_context("cRLDistributionPoints");
    OsslPtr<CRL_DIST_POINTS, CRL_DIST_POINTS_free> points(sk_DIST_POINT_new_null());
    OsslPtr<DIST_POINT, DIST_POINT_free> point(DIST_POINT_new());
    if (point) point->distpoint = DIST_POINT_NAME_new();
    if (!points || !point || point->distpoint == nullptr) {
        return openssl_error(common::Errc::crypto, "cRLDistributionPoints");
    }
    point->distpoint->type = 0;  // fullName
    point->distpoint->name.fullname = names->release();
    if (sk_DIST_POINT_push(points.get(), point.get()) == 0) {
        return openssl_error(common::Errc::crypto, "cRLDistributionPoints");
    }
    point.release();
    return add_extension(x, NID_crl_distribution_points, points.get(), false);
}

common::Result<void> add_authority_info_access(X509* x, const std::optional<std::string>& ocsp,
                                               const std::optional<std::string>& ca_issuers) {
    OsslPtr<AUTHORITY_INFO_ACCESS, AUTHORITY_INFO_ACCESS_free> aia(
        sk_ACCESS_DESCRIPTION_new_null());
    if (!aia) return openssl_error(common::Errc::crypto, "authorityInfoAccess");
    for (auto [method, url] :
         {std::pair{NID_ad_OCSP, &ocsp}, std::pair{NID_ad_ca_issuers, &ca_issuers}}) {
        if (!*url) continue;
        auto location = uri_name(**url);
        if (!location) return location.error().with_context("authorityInfoAccess");
        OsslPtr<ACCESS_DESCRIPTION, ACCESS_DESCRIPTION_free> ad(ACCESS_DESCRIPTION_new());
        if (!ad) return openssl_error(common::Errc::crypto, "authorityInfoAccess");
        ASN1_OBJECT_free(ad->method);
        ad->method = OBJ_nid2obj(method);
        GENERAL_NAME_free(ad->location);
        ad->location = location->release();
        if (sk_ACCESS_DESCRIPTION_push(aia.get(), ad.get()) == 0) {
            return openssl_error(common::Errc::crypto, "authorityInfoAccess");
        }
        ad.release();
    }
    if (sk_ACCESS_DESCRIPTION_num(aia.get()) == 0) return {};
    return add_extension(x, NID_info_access, aia.get(), false);
}

// SHA-1 of the subjectPublicKey BIT STRING contents (RFC 5280 §4.2.1.2 method 1).
common::Result<Asn1OctetStringPtr> key_identifier(const X509* x) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    Asn1OctetStringPtr id(ASN1_OCTET_STRING_new());
    if (!id || X509_pubkey_digest(x, EVP_sha1(), md, &len) != 1 ||
        ASN1_OCTET_STRING_set(id.get(), md, static_cast<int>(len)) != 1) {
        return openssl_error(common::Errc::crypto, "key identifier");
    }
    return id;
}

common::Result<void> add_key_identifiers(X509* x, X509* issuer) {
    auto own = key_identifier(x);
    if (!own) return own.error();
    if (auto ok = add_extension(x, NID_subject_key_identifier, own->get(), false); !ok) return ok;
    if (issuer == nullptr) return {};
    OsslPtr<AUTHORITY_KEYID, AUTHORITY_KEYID_free> akid(AUTHORITY_KEYID_new());
    if (!akid) return openssl_error(common::Errc::crypto, "authorityKeyIdentifier");
    const ASN1_OCTET_STRING* issuer_id = X509_get0_subject_key_id(issuer);
    clear_openssl_errors();
    if (issuer_id != nullptr) {
        akid->keyid = ASN1_OCTET_STRING_dup(issuer_id);
    } else if (auto computed = key_identifier(issuer)) {
        akid->keyid = computed->release();
    }
    if (akid->keyid == nullptr) {
        return openssl_error(common::Errc::crypto, "authorityKeyIdentifier");
    }
    return add_extension(x, NID_authority_key_identifier, akid.get(), false);
}

}  // namespace

CertificateBuilder& CertificateBuilder::serial(Bytes big_endian) {
    m_serial = std::move(big_endian);
    return *this;
}

CertificateBuilder& CertificateBuilder::subject(std::string rfc4514) {
    m_subject = std::move(rfc4514);
    return *this;
}

CertificateBuilder& CertificateBuilder::subject_from(const Csr& csr) {
    unsigned char* der = nullptr;
    const int len = i2d_X509_NAME(X509_REQ_get_subject_name(csr.native()), &der);
    if (len > 0) {
        m_subject = Bytes(der, der + len);
        OPENSSL_free(der);
    } else {
        clear_openssl_errors();
        m_subject = std::monostate{};  // sign() reports "no subject"
    }
    return *this;
}

CertificateBuilder& CertificateBuilder::public_key(Bytes spki_der) {
    m_public_key = std::move(spki_der);
    return *this;
}

CertificateBuilder& CertificateBuilder::validity(SystemTime not_before, SystemTime not_after) {
    m_not_before = not_before;
    m_not_after = not_after;
    return *this;
}

CertificateBuilder& CertificateBuilder::ca(std::optional<int> path_length) {
    m_basic_constraints = BasicConstraints{true, path_length};
    return *this;
}

CertificateBuilder& CertificateBuilder::end_entity() {
    m_basic_constraints = BasicConstraints{false, std::nullopt};
    return *this;
}

CertificateBuilder& CertificateBuilder::key_usage(KeyUsageSet usages) {
    m_key_usage = usages;
    return *this;
}

CertificateBuilder& CertificateBuilder::extended_key_usage(std::vector<std::string> oids) {
    m_extended_key_usage = std::move(oids);
    return *this;
}

CertificateBuilder& CertificateBuilder::subject_alt_names(std::vector<SubjectAltName> names) {
    m_subject_alt_names = std::move(names);
    return *this;
}

CertificateBuilder& CertificateBuilder::crl_distribution_point(std::string url) {
    m_crl_url = std::move(url);
    return *this;
}

CertificateBuilder& CertificateBuilder::ocsp_url(std::string url) {
    m_ocsp_url = std::move(url);
    return *this;
}

CertificateBuilder& CertificateBuilder::ca_issuers_url(std::string url) {
    m_ca_issuers_url = std::move(url);
    return *this;
}

CertificateBuilder& CertificateBuilder::ocsp_no_check() {
    m_ocsp_no_check = true;
    return *this;
}

CertificateBuilder& CertificateBuilder::digest(DigestAlgorithm alg) {
    m_digest = alg;
    return *this;
}

common::Result<Certificate> CertificateBuilder::sign(const PrivateKey& issuer_key,
                                                     const Certificate& issuer) const {
    if (!issuer_key.matches(issuer)) {
        return invalid("the signing key does not belong to the issuer certificate");
    }
    return build(issuer_key, &issuer);
}

common::Result<Certificate> CertificateBuilder::self_sign(const PrivateKey& key) const {
    if (m_public_key && *m_public_key != key.public_key_der()) {
        return invalid("self-signed: the public key is not the signing key's");
    }
    return build(key, nullptr);
}

common::Result<Certificate> CertificateBuilder::build(const PrivateKey& signer_key,
                                                      const Certificate* issuer) const {
    if (!is_collision_resistant(m_digest)) return invalid("signature digest must be SHA-2");
    if (!m_not_before || !m_not_after || *m_not_before >= *m_not_after) {
        return invalid("no validity period, or notBefore is not before notAfter");
    }
    auto serial = serial_integer(m_serial);
    if (!serial) return serial.error();
    auto subject = subject_name(m_subject);
    if (!subject) return subject.error();
    const bool empty_subject = X509_NAME_entry_count(subject->get()) == 0;
    if (empty_subject && m_subject_alt_names.empty()) {
        return invalid("an empty subject needs subjectAltNames (RFC 5280 §4.1.2.6)");
    }
    if (auto ok = check_name_syntax(m_subject_alt_names); !ok) return ok.error();
    auto key = public_key_from_der(m_public_key ? *m_public_key : signer_key.public_key_der());
    if (!key) return key.error();

    X509Ptr x(X509_new());
    auto not_before = detail::to_asn1_time(*m_not_before);
    auto not_after = detail::to_asn1_time(*m_not_after);
    const X509_NAME* issuer_name =
        issuer != nullptr ? X509_get_subject_name(issuer->native()) : subject->get();
    if (!x || !not_before || !not_after || X509_set_version(x.get(), 2) != 1 ||
        X509_set_serialNumber(x.get(), serial->get()) != 1 ||
        X509_set_subject_name(x.get(), subject->get()) != 1 ||
        X509_set_issuer_name(x.get(), issuer_name) != 1 ||
        X509_set1_notBefore(x.get(), not_before.get()) != 1 ||
        X509_set1_notAfter(x.get(), not_after.get()) != 1 ||
        X509_set_pubkey(x.get(), key->get()) != 1) {
        return openssl_error(common::Errc::crypto, "certificate fields");
    }
    if (auto ok = add_extensions(x.get(), empty_subject); !ok) return ok.error();
    if (auto ok = add_key_identifiers(x.get(), issuer != nullptr ? issuer->native() : nullptr);
        !ok) {
        return ok.error();
    }
    if (X509_sign(x.get(), signer_key.native(), detail::evp_md(m_digest)) <= 0) {
        return openssl_error(common::Errc::crypto, "signing the certificate");
    }
    return Certificate::adopt(x.release());
}

common::Result<void> CertificateBuilder::add_extensions(x509_st* x, bool empty_subject) const {
    if (m_basic_constraints) {
        auto ok =
            add_basic_constraints(x, m_basic_constraints->ca, m_basic_constraints->path_length);
        if (!ok) return ok;
    }
    if (!m_key_usage.empty()) {
        if (auto ok = add_key_usage(x, m_key_usage); !ok) return ok;
    }
    if (!m_extended_key_usage.empty()) {
        if (auto ok = add_extended_key_usage(x, m_extended_key_usage); !ok) return ok;
    }
    if (!m_subject_alt_names.empty()) {
        auto names = detail::sans_to_general_names(m_subject_alt_names);
        if (!names) return names.error().with_context("certificate");
        // RFC 5280 §4.2.1.6: critical exactly when the subject is empty.
        if (auto ok = add_extension(x, NID_subject_alt_name, names->get(), empty_subject); !ok) {
            return ok;
        }
    }
    if (m_crl_url) {
        if (auto ok = add_crl_distribution_point(x, *m_crl_url); !ok) return ok;
    }
    if (auto ok = add_authority_info_access(x, m_ocsp_url, m_ca_issuers_url); !ok) return ok;
    if (m_ocsp_no_check) {
        OsslPtr<ASN1_NULL, ASN1_NULL_free> null(ASN1_NULL_new());
        if (!null) return openssl_error(common::Errc::crypto, "ocspNoCheck");
        return add_extension(x, NID_id_pkix_OCSP_noCheck, null.get(), false);
    }
    return {};
}

}  // namespace crypto
