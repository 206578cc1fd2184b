#include "crypto/ossl_util.h"

#include <arpa/inet.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/pem.h>

#include <cstring>
#include <ctime>

#include "crypto/distinguished_name.h"
#include "crypto/openssl_error.h"

namespace crypto::detail {

SystemTime to_system_time(const ASN1_TIME* t) {
    std::tm tm{};
    if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
        return SystemTime{};
    }
    // timegm handles dates past 2038 on 64-bit time_t. SystemTime counts nanoseconds and ends
    // in 2262: later times (such as RFC 5280's 99991231235959Z, "no expiry") saturate.
    using std::chrono::duration_cast;
    using std::chrono::seconds;
    const std::time_t secs = timegm(&tm);
    constexpr auto max_secs = duration_cast<seconds>(SystemTime::duration::max()).count();
    constexpr auto min_secs = duration_cast<seconds>(SystemTime::duration::min()).count();
    if (secs > max_secs) return SystemTime::max();
    if (secs < min_secs) return SystemTime::min();
    return SystemTime{} + seconds(secs);
}

Asn1TimePtr to_asn1_time(SystemTime t) {
    return Asn1TimePtr(ASN1_TIME_set(nullptr, std::chrono::system_clock::to_time_t(t)));
}

std::string bio_to_string(BIO* bio) {
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    return len > 0 ? std::string(data, static_cast<std::size_t>(len)) : std::string();
}

BioPtr memory_bio(std::string_view data) {
    return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

std::string name_to_string(const X509_NAME* name) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || name == nullptr) return {};
    X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    return bio_to_string(bio.get());
}

common::Result<X509NamePtr> name_from_string(std::string_view text) {
    auto attrs = parse_distinguished_name(text);
    if (!attrs) return attrs.error();
    X509NamePtr name(X509_NAME_new());
    if (!name) return openssl_error(common::Errc::crypto, "X509_NAME_new");
    // RFC 4514 lists the most specific RDN first; the encoding holds it last.
    for (auto it = attrs->rbegin(); it != attrs->rend(); ++it) {
        const std::string type = it->type == "E" ? "emailAddress" : it->type;
        if (X509_NAME_add_entry_by_txt(name.get(), type.c_str(), MBSTRING_UTF8,
                                       reinterpret_cast<const unsigned char*>(it->value.data()),
                                       static_cast<int>(it->value.size()), -1, 0) != 1) {
            return openssl_error(common::Errc::invalid_argument,
                                 "distinguished name attribute '" + it->type + "'");
        }
    }
    return name;
}

namespace {

std::string ip_to_string(const ASN1_OCTET_STRING* ip) {
    char buf[INET6_ADDRSTRLEN] = {};
    const int len = ASN1_STRING_length(ip);
    const unsigned char* data = ASN1_STRING_get0_data(ip);
    if (len == 4 && inet_ntop(AF_INET, data, buf, sizeof buf) != nullptr) return buf;
    if (len == 16 && inet_ntop(AF_INET6, data, buf, sizeof buf) != nullptr) return buf;
    return "<malformed IP of " + std::to_string(len) + " bytes>";
}

std::string asn1_string_to_std(const ASN1_STRING* s) {
    return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                       static_cast<std::size_t>(ASN1_STRING_length(s)));
}

}  // namespace

std::vector<SubjectAltName> general_names_to_sans(const GENERAL_NAMES* names) {
    std::vector<SubjectAltName> out;
    for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
        const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
        switch (gn->type) {
            case GEN_DNS:
                out.push_back({SubjectAltName::Type::dns, asn1_string_to_std(gn->d.dNSName)});
                break;
            case GEN_IPADD:
                out.push_back({SubjectAltName::Type::ip, ip_to_string(gn->d.iPAddress)});
                break;
            case GEN_URI:
                out.push_back({SubjectAltName::Type::uri,
                               asn1_string_to_std(gn->d.uniformResourceIdentifier)});
                break;
            case GEN_EMAIL:
                out.push_back({SubjectAltName::Type::email, asn1_string_to_std(gn->d.rfc822Name)});
                break;
            case GEN_DIRNAME:
                out.push_back({SubjectAltName::Type::other,
                               "dirName:" + name_to_string(gn->d.directoryName)});
                break;
            default:
                out.push_back({SubjectAltName::Type::other,
                               "type " + std::to_string(gn->type)});
                break;
        }
    }
    return out;
}

common::Result<GeneralNamesPtr> sans_to_general_names(const std::vector<SubjectAltName>& sans) {
    GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
    if (!names) return openssl_error(common::Errc::crypto, "GENERAL_NAMES");
    for (const auto& san : sans) {
        OsslPtr<GENERAL_NAME, GENERAL_NAME_free> gn(GENERAL_NAME_new());
        if (!gn) return openssl_error(common::Errc::crypto, "GENERAL_NAME_new");
        if (san.type == SubjectAltName::Type::ip) {
            ASN1_OCTET_STRING* ip = a2i_IPADDRESS(san.value.c_str());
            if (ip == nullptr) {
                clear_openssl_errors();
                return common::fail(common::Errc::invalid_argument,
                                    "subjectAltName: '" + san.value + "' is not an IP address");
            }
            GENERAL_NAME_set0_value(gn.get(), GEN_IPADD, ip);
        } else {
            int type = GEN_DNS;
            if (san.type == SubjectAltName::Type::uri) type = GEN_URI;
            if (san.type == SubjectAltName::Type::email) type = GEN_EMAIL;
            if (san.type == SubjectAltName::Type::other || san.value.empty()) {
                return common::fail(common::Errc::invalid_argument,
                                    "subjectAltName: cannot encode '" + san.value + "'");
            }
            ASN1_IA5STRING* s = ASN1_IA5STRING_new();
            if (s == nullptr || ASN1_STRING_set(s, san.value.data(),
                                                static_cast<int>(san.value.size())) != 1) {
                ASN1_IA5STRING_free(s);
                return openssl_error(common::Errc::crypto, "subjectAltName");
            }
            GENERAL_NAME_set0_value(gn.get(), type, s);
        }
        if (sk_GENERAL_NAME_push(names.get(), gn.get()) == 0) {
            return openssl_error(common::Errc::crypto, "subjectAltName push");
        }
        gn.release();  // now owned by the stack
    }
    return names;
}

std::string describe_public_key(const EVP_PKEY* key) {
    if (key == nullptr) return "none";
    const int bits = EVP_PKEY_get_bits(key);
    switch (EVP_PKEY_get_base_id(key)) {
        case EVP_PKEY_RSA: return "RSA " + std::to_string(bits);
        case EVP_PKEY_RSA_PSS: return "RSA-PSS " + std::to_string(bits);
        case EVP_PKEY_ED25519: return "Ed25519";
        case EVP_PKEY_ED448: return "Ed448";
        case EVP_PKEY_DSA: return "DSA " + std::to_string(bits);
        case EVP_PKEY_EC: {
            char group[64] = {};
            std::size_t len = 0;
            if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                               &len) != 1) {
                clear_openssl_errors();
                return "EC " + std::to_string(bits);
            }
            const char* nist = EC_curve_nid2nist(OBJ_sn2nid(group));
            return std::string("EC ") + (nist != nullptr ? nist : group);
        }
        default: return "unknown key type, " + std::to_string(bits) + " bits";
    }
}

Bytes public_key_to_der(EVP_PKEY* key) {
    unsigned char* der = nullptr;
    const int len = i2d_PUBKEY(key, &der);
    if (len <= 0) {
        clear_openssl_errors();
        return {};
    }
    Bytes out(der, der + len);
    OPENSSL_free(der);
    return out;
}

std::string asn1_integer_to_hex(const ASN1_INTEGER* i) {
    BignumPtr bn(ASN1_INTEGER_to_BN(i, nullptr));
    if (!bn) {
        clear_openssl_errors();
        return {};
    }
    char* hex = BN_bn2hex(bn.get());
    std::string out = hex != nullptr ? hex : "";
    OPENSSL_free(hex);
    // BN_bn2hex() prints whole bytes ("0100"); drop leading zero digits but keep "0" for zero.
    const std::size_t sign = out.rfind('-', 0) == 0 ? 1 : 0;
    const std::size_t first = out.find_first_not_of('0', sign);
    if (first == std::string::npos) return out.empty() ? out : "0";
    out.erase(sign, first - sign);
    return out;
}

const EVP_MD* evp_md(DigestAlgorithm alg) {
    switch (alg) {
        case DigestAlgorithm::sha256: return EVP_sha256();
        case DigestAlgorithm::sha384: return EVP_sha384();
        case DigestAlgorithm::sha512: return EVP_sha512();
        case DigestAlgorithm::sha1: return EVP_sha1();
        case DigestAlgorithm::md5: return EVP_md5();
    }
    return EVP_sha256();
}

bool looks_like_pem(ByteView data) {
    return as_chars(data).find("-----BEGIN ") != std::string_view::npos;
}

}  // namespace crypto::detail
