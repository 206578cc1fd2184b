#include "crypto/crl.h"

#include "crypto/openssl_error.h"
#include "crypto/ossl_util.h"
#include "crypto/pem.h"

namespace crypto {
namespace {

RevokedEntry to_entry(X509_REVOKED* rev) {
    RevokedEntry entry{detail::asn1_integer_to_hex(X509_REVOKED_get0_serialNumber(rev)),
                       detail::to_system_time(X509_REVOKED_get0_revocationDate(rev)), std::nullopt};
    int crit = 0;
    OsslPtr<ASN1_ENUMERATED, ASN1_ENUMERATED_free> reason(static_cast<ASN1_ENUMERATED*>(
        X509_REVOKED_get_ext_d2i(rev, NID_crl_reason, &crit, nullptr)));
    if (reason) {
        entry.reason = static_cast<int>(ASN1_ENUMERATED_get(reason.get()));
    }
    clear_openssl_errors();
    return entry;
}

}  // namespace

void Crl::Free::operator()(X509_crl_st* p) const noexcept { X509_CRL_free(p); }

common::Result<Crl> Crl::from_der(ByteView der) {
    if (der.empty()) return common::fail(common::Errc::parse, "CRL: empty input");
    if (der.size() > detail::max_input_size) {
        return common::fail(common::Errc::invalid_argument, "CRL: input too large");
    }
    const unsigned char* p = der.data();
    X509CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
    if (!crl) return openssl_error(common::Errc::parse, "CRL: malformed DER");
    if (p != der.data() + der.size()) {
        return common::fail(common::Errc::parse, "CRL: trailing data after DER");
    }
    return Crl(crl.release());
}

common::Result<Crl> Crl::from_pem(std::string_view pem) {
    auto blocks = detail::read_pem_blocks(pem);
    if (!blocks) return blocks.error().with_context("CRL");
    for (const auto& block : *blocks) {
        if (block.label == "X509 CRL") return from_der(block.der);
    }
    return common::fail(common::Errc::parse, "no X509 CRL block in PEM text");
}

Crl Crl::adopt(X509_crl_st* crl) { return Crl(crl); }

common::Result<Crl> Crl::load_any(ByteView data) {
    return detail::looks_like_pem(data) ? from_pem(as_chars(data)) : from_der(data);
}

Bytes Crl::to_der() const {
    unsigned char* der = nullptr;
    const int len = i2d_X509_CRL(m_crl.get(), &der);
    if (len <= 0) {
        clear_openssl_errors();
        return {};
    }
    Bytes out(der, der + len);
    OPENSSL_free(der);
    return out;
}

std::string Crl::to_pem() const { return detail::write_pem("X509 CRL", to_der()); }

std::string Crl::issuer() const {
    return detail::name_to_string(X509_CRL_get_issuer(m_crl.get()));
}

SystemTime Crl::this_update() const {
    return detail::to_system_time(X509_CRL_get0_lastUpdate(m_crl.get()));
}

std::optional<SystemTime> Crl::next_update() const {
    const ASN1_TIME* t = X509_CRL_get0_nextUpdate(m_crl.get());
    if (t == nullptr) return std::nullopt;
    return detail::to_system_time(t);
}

std::optional<std::string> Crl::crl_number_hex() const {
    int crit = 0;
    Asn1IntegerPtr number(static_cast<ASN1_INTEGER*>(
        X509_CRL_get_ext_d2i(m_crl.get(), NID_crl_number, &crit, nullptr)));
    clear_openssl_errors();
    if (!number) return std::nullopt;
    return detail::asn1_integer_to_hex(number.get());
}

std::size_t Crl::entry_count() const {
    const int n = sk_X509_REVOKED_num(X509_CRL_get_REVOKED(m_crl.get()));
    return n > 0 ? static_cast<std::size_t>(n) : 0;
}

std::vector<RevokedEntry> Crl::entries() const {
    std::vector<RevokedEntry> out;
    STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(m_crl.get());
    out.reserve(entry_count());
    for (int i = 0; i < sk_X509_REVOKED_num(revoked); ++i) {
        out.push_back(to_entry(sk_X509_REVOKED_value(revoked, i)));
    }
    return out;
}

std::optional<RevokedEntry> Crl::find(std::string_view serial_hex) const {
    STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(m_crl.get());
    for (int i = 0; i < sk_X509_REVOKED_num(revoked); ++i) {
        X509_REVOKED* rev = sk_X509_REVOKED_value(revoked, i);
        if (detail::asn1_integer_to_hex(X509_REVOKED_get0_serialNumber(rev)) == serial_hex) {
            return to_entry(rev);
        }
    }
    return std::nullopt;
}

bool Crl::is_signed_by(const Certificate& issuer) const {
    EVP_PKEY* key = X509_get0_pubkey(issuer.native());
    const bool ok = key != nullptr && X509_CRL_verify(m_crl.get(), key) == 1;
    clear_openssl_errors();
    return ok;
}

}  // namespace crypto
