// Authority::make_crl: v2 CRLs (RFC 5280 §5).
#include <cctype>
#include <set>

#include "ca/authority.h"
#include "crypto/openssl_error.h"
#include "crypto/ossl_util.h"

namespace ca {
namespace {

constexpr int reason_unspecified = 0;
constexpr int reason_unused = 7;
constexpr int reason_remove_from_crl = 8;
constexpr int reason_max = 10;  // aACompromise

common::Unexpected invalid(std::string message) {
    return common::fail(common::Errc::invalid_argument, "CRL: " + std::move(message));
}

// "0a" and "A" are the same serial.
std::string canonical_hex(std::string hex) {
    for (char& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const auto first = hex.find_first_not_of('0');
    return first == std::string::npos ? "0" : hex.substr(first);
}

common::Result<crypto::Asn1IntegerPtr> serial_from_hex(const std::string& hex) {
    const bool syntax_ok = !hex.empty() && hex.size() <= 40 &&
                           hex.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
    BIGNUM* raw = nullptr;
    if (!syntax_ok || BN_hex2bn(&raw, hex.c_str()) == 0) {
        crypto::clear_openssl_errors();
        return invalid("'" + hex + "' is not a serial number in hex");
    }
    crypto::BignumPtr bn(raw);
    crypto::Asn1IntegerPtr out(BN_to_ASN1_INTEGER(bn.get(), nullptr));
    if (!out) return crypto::openssl_error(common::Errc::crypto, "CRL serial number");
    return out;
}

common::Result<void> add_entry(X509_CRL* crl, const crypto::RevokedEntry& entry) {
    if (entry.reason &&
        (*entry.reason < 0 || *entry.reason > reason_max || *entry.reason == reason_unused ||
         *entry.reason == reason_remove_from_crl)) {
        return invalid("reason " + std::to_string(*entry.reason) + " of " + entry.serial_hex +
                       " is not a CRLReason for a full CRL");
    }
    auto serial = serial_from_hex(entry.serial_hex);
    if (!serial) return serial.error();
    auto when = crypto::detail::to_asn1_time(entry.revocation_time);
    crypto::OsslPtr<X509_REVOKED, X509_REVOKED_free> revoked(X509_REVOKED_new());
    if (!revoked || !when || X509_REVOKED_set_serialNumber(revoked.get(), serial->get()) != 1 ||
        X509_REVOKED_set_revocationDate(revoked.get(), when.get()) != 1) {
        return crypto::openssl_error(common::Errc::crypto, "CRL entry");
    }
    if (entry.reason && *entry.reason != reason_unspecified) {
        crypto::OsslPtr<ASN1_ENUMERATED, ASN1_ENUMERATED_free> code(ASN1_ENUMERATED_new());
        if (!code || ASN1_ENUMERATED_set(code.get(), *entry.reason) != 1 ||
            X509_REVOKED_add1_ext_i2d(revoked.get(), NID_crl_reason, code.get(), 0,
                                      X509V3_ADD_DEFAULT) != 1) {
            return crypto::openssl_error(common::Errc::crypto, "CRL entry reasonCode");
        }
    }
    if (X509_CRL_add0_revoked(crl, revoked.get()) != 1) {
        return crypto::openssl_error(common::Errc::crypto, "CRL entry");
    }
    revoked.release();  // owned by the CRL
    return {};
}

common::Result<void> add_crl_extensions(X509_CRL* crl, X509* ca, std::uint64_t crl_number) {
    crypto::Asn1IntegerPtr number(ASN1_INTEGER_new());
    if (!number || ASN1_INTEGER_set_uint64(number.get(), crl_number) != 1 ||
        X509_CRL_add1_ext_i2d(crl, NID_crl_number, number.get(), 0, X509V3_ADD_DEFAULT) != 1) {
        return crypto::openssl_error(common::Errc::crypto, "cRLNumber");
    }
    crypto::OsslPtr<AUTHORITY_KEYID, AUTHORITY_KEYID_free> akid(AUTHORITY_KEYID_new());
    const ASN1_OCTET_STRING* ca_key_id = X509_get0_subject_key_id(ca);
    crypto::clear_openssl_errors();
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (akid && ca_key_id != nullptr) {
        akid->keyid = ASN1_OCTET_STRING_dup(ca_key_id);
    } else if (akid && X509_pubkey_digest(ca, EVP_sha1(), md, &md_len) == 1) {
        akid->keyid = ASN1_OCTET_STRING_new();
        if (akid->keyid != nullptr) {
            ASN1_OCTET_STRING_set(akid->keyid, md, static_cast<int>(md_len));
        }
    }
    if (!akid || akid->keyid == nullptr ||
        X509_CRL_add1_ext_i2d(crl, NID_authority_key_identifier, akid.get(), 0,
                              X509V3_ADD_DEFAULT) != 1) {
        return crypto::openssl_error(common::Errc::crypto, "CRL authorityKeyIdentifier");
    }
    return {};
}

}  // namespace

common::Result<crypto::Crl> Authority::make_crl(std::vector<crypto::RevokedEntry> revoked,
                                                std::uint64_t crl_number, SystemTime this_update,
                                                SystemTime next_update) const {
    if (this_update >= next_update) return invalid("thisUpdate is not before nextUpdate");
    const auto usage = m_certificate.key_usage();
    if (usage && !usage->has(crypto::KeyUsage::crl_sign)) {
        return invalid(m_certificate.subject() + " lacks keyUsage cRLSign");
    }
    std::set<std::string> seen;
    crypto::X509CrlPtr crl(X509_CRL_new());
    auto last = crypto::detail::to_asn1_time(this_update);
    auto next = crypto::detail::to_asn1_time(next_update);
    if (!crl || !last || !next || X509_CRL_set_version(crl.get(), 1) != 1 ||
        X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(m_certificate.native())) != 1 ||
        X509_CRL_set1_lastUpdate(crl.get(), last.get()) != 1 ||
        X509_CRL_set1_nextUpdate(crl.get(), next.get()) != 1) {
        return crypto::openssl_error(common::Errc::crypto, "CRL fields");
    }
    for (const auto& entry : revoked) {
        if (auto ok = add_entry(crl.get(), entry); !ok) return ok.error();
        if (!seen.insert(canonical_hex(entry.serial_hex)).second) {
            return invalid("serial " + entry.serial_hex + " listed twice");
        }
    }
    if (X509_CRL_sort(crl.get()) != 1) {
        return crypto::openssl_error(common::Errc::crypto, "CRL sort");
    }
    if (auto ok = add_crl_extensions(crl.get(), m_certificate.native(), crl_number); !ok) {
        return ok.error();
    }
    if (X509_CRL_sign(crl.get(), m_key.native(), EVP_sha256()) <= 0) {
        return crypto::openssl_error(common::Errc::crypto, "signing the CRL");
    }
    return crypto::Crl::adopt(crl.release());
}

}  // namespace ca
