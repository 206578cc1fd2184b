#include "ocsp-crl/crl_check.h"

#include <algorithm>

#include "common/time_format.h"
#include "crypto/openssl_error.h"
#include "crypto/ossl_ptr.h"
#include "ocsp-crl/der_reader.h"

namespace revocation {
namespace {

using common::Errc;

common::Unexpected refuse(std::string message) {
    return common::fail(Errc::verification, std::move(message));
}

// a > b + margin, without overflowing SystemTime (CRL times may saturate at its ends).
bool later_than(common::SystemTime a, common::SystemTime b, std::chrono::seconds margin) {
    constexpr std::chrono::seconds century{100LL * 366 * 24 * 3600};
    const auto m = std::chrono::duration_cast<common::SystemTime::duration>(
        std::clamp(margin, std::chrono::seconds{0}, century));
    if (b > common::SystemTime::max() - m) return false;
    return a > b + m;
}

bool same_name(crypto::ByteView der, const X509_NAME* name) {
    const unsigned char* p = der.data();
    crypto::X509NamePtr decoded(d2i_X509_NAME(nullptr, &p, static_cast<long>(der.size())));
    const bool same = decoded && X509_NAME_cmp(decoded.get(), name) == 0;
    crypto::clear_openssl_errors();
    return same;
}

bool issued_by(const crypto::Certificate& cert, const crypto::Certificate& issuer) {
    return X509_NAME_cmp(X509_get_issuer_name(cert.native()),
                         X509_get_subject_name(issuer.native())) == 0;
}

bool has_crl_sign(const crypto::Certificate& cert) {
    const auto usage = cert.key_usage();
    return !usage || usage->has(crypto::KeyUsage::crl_sign);
}

// Why signer may not sign the CA's CRLs, or "" if it may (RFC 5280 §6.3.3(f)).
std::string signer_problem(const crypto::Certificate& signer, const crypto::Certificate& issuer,
                           common::SystemTime now) {
    if (!issued_by(signer, issuer) || !signer.is_signed_by(issuer)) {
        return "it was not issued by " + issuer.subject();
    }
    if (!signer.key_usage() || !signer.key_usage()->has(crypto::KeyUsage::crl_sign)) {
        return "its keyUsage does not include cRLSign";
    }
    if (!signer.is_valid_at(now)) return "it is not valid at " + common::format_rfc3339(now);
    return "";
}

common::Result<void> check_signature(const CrlIndex& crl, const crypto::Certificate& issuer,
                                     common::SystemTime now, const CrlCheckOptions& options) {
    if (!crl.signature_algorithms_match()) {
        return refuse("CRL's signature algorithm in TBSCertList differs from signatureAlgorithm");
    }
    if (crl.is_signed_by(issuer)) {
        if (!has_crl_sign(issuer)) {
            return refuse("CRL signed by " + issuer.subject() +
                          ", whose keyUsage does not include cRLSign");
        }
        return {};
    }
    for (const auto& signer : options.crl_signers) {
        if (!crl.is_signed_by(signer)) continue;
        const std::string problem = signer_problem(signer, issuer, now);
        if (!problem.empty()) {
            return refuse("CRL signed by " + signer.subject() +
                          ", which may not sign CRLs for " + issuer.subject() + ": " + problem);
        }
        return {};
    }
    return refuse("CRL signed by the wrong key: not by " + issuer.subject() +
                  (options.crl_signers.empty() ? "" : " nor by an authorised CRL signer") +
                  " (" + crl.signature_algorithm() + ")");
}

common::Result<void> check_times(const CrlIndex& crl, common::SystemTime now,
                                 const Freshness& freshness) {
    using common::format_rfc3339;
    if (later_than(crl.this_update(), now, freshness.skew)) {
        return refuse("CRL not yet valid: thisUpdate " + format_rfc3339(crl.this_update()) +
                      " is after " + format_rfc3339(now));
    }
    const auto next = crl.next_update();
    if (next && later_than(now, *next, freshness.skew)) {
        return refuse("CRL expired at " + format_rfc3339(*next) + " (nextUpdate)");
    }
    if (!next && !freshness.max_age) {
        return refuse("CRL has no nextUpdate and no maximum age is configured");
    }
    if (freshness.max_age && later_than(now, crl.this_update(), *freshness.max_age)) {
        return refuse("CRL is stale: thisUpdate " + format_rfc3339(crl.this_update()) +
                      " is more than " + std::to_string(freshness.max_age->count()) +
                      " s before " + format_rfc3339(now));
    }
    return {};
}

common::Result<void> check_extensions(const CrlIndex& crl, const CrlCheckOptions& options) {
    if (crl.crl_number_critical()) {
        return refuse("CRL's cRLNumber is marked critical (RFC 5280 §5.2.3 requires non-critical)");
    }
    if (options.require_crl_number && !crl.crl_number_hex()) {
        return refuse("CRL has no cRLNumber (RFC 5280 §5.2.3)");
    }
    if (crl.is_delta()) {
        return common::fail(Errc::unsupported,
                            "delta CRLs are not supported (deltaCRLIndicator present); a "
                            "complete CRL is needed");
    }
    const auto& idp = crl.issuing_distribution_point();
    if (idp && idp->indirect_crl) {
        return common::fail(Errc::unsupported,
                            "indirect CRLs are not supported (issuingDistributionPoint "
                            "indirectCRL is set)");
    }
    if (!crl.unknown_critical_extensions().empty()) {
        return refuse("CRL has an unrecognised critical extension " +
                      crl.unknown_critical_extensions().front());
    }
    if (!crl.unknown_critical_entry_extensions().empty()) {
        return refuse("CRL entry has an unrecognised critical extension " +
                      crl.unknown_critical_entry_extensions().front());
    }
    return {};
}

// Why crl does not cover cert (RFC 5280 §6.3.3(b)), or "" if it does.
std::string scope_problem(const CrlIndex& crl, const crypto::Certificate& cert) {
    const auto& idp = crl.issuing_distribution_point();
    if (!idp) return "";
    if (idp->only_attribute_certs) return "CRL covers only attribute certificates";
    if (idp->only_ca_certs && !cert.is_ca()) {
        return "CRL covers only CA certificates and " + cert.subject() + " is not a CA";
    }
    if (idp->only_user_certs && cert.is_ca()) {
        return "CRL covers only end-entity certificates and " + cert.subject() + " is a CA";
    }
    if (idp->only_some_reasons) {
        return "CRL covers only some revocation reasons (onlySomeReasons); a complete CRL is "
               "needed";
    }
    if (idp->has_name) {
        const auto points = cert.crl_distribution_urls();
        for (const auto& uri : idp->uris) {
            if (std::find(points.begin(), points.end(), uri) != points.end()) return "";
        }
        std::string names;
        for (const auto& uri : idp->uris) names += (names.empty() ? "" : ", ") + uri;
        return "CRL's distribution point (" + (names.empty() ? "no URI" : names) +
               ") is not among the certificate's cRLDistributionPoints";
    }
    return "";
}

// The content octets of cert's serialNumber INTEGER.
crypto::Bytes serial_octets(const crypto::Certificate& cert) {
    const ASN1_INTEGER* serial = X509_get0_serialNumber(cert.native());
    const int length = i2d_ASN1_INTEGER(serial, nullptr);
    if (length <= 0) {
        crypto::clear_openssl_errors();
        return {};
    }
    crypto::Bytes der(static_cast<std::size_t>(length));
    unsigned char* out = der.data();
    i2d_ASN1_INTEGER(serial, &out);
    der::Reader r(der);
    const auto element = r.next(der::tag_integer);
    if (!element) return {};
    return crypto::Bytes(element->content.begin(), element->content.end());
}

}  // namespace

common::Result<void> validate_crl(const CrlIndex& crl, const crypto::Certificate& issuer,
                                  common::SystemTime now, const CrlCheckOptions& options) {
    if (!same_name(crl.issuer_der(), X509_get_subject_name(issuer.native()))) {
        return refuse("CRL is for issuer " + crl.issuer() + ", not " + issuer.subject());
    }
    if (auto ok = check_signature(crl, issuer, now, options); !ok) return ok;
    if (auto ok = check_times(crl, now, options.freshness); !ok) return ok;
    return check_extensions(crl, options);
}

Status check_crl(const CrlIndex& crl, const crypto::Certificate& cert,
                 const crypto::Certificate& issuer, common::SystemTime now,
                 const CrlCheckOptions& options) {
    if (!issued_by(cert, issuer)) {
        return Status::unknown("certificate " + cert.subject() + " was issued by " +
                               cert.issuer() + ", not by " + issuer.subject());
    }
    if (auto ok = validate_crl(crl, issuer, now, options); !ok) {
        return Status::unknown(ok.error().message());
    }
    if (auto problem = scope_problem(crl, cert); !problem.empty()) {
        return Status::unknown(std::move(problem));
    }
    const auto serial = serial_octets(cert);
    if (serial.empty()) return Status::unknown("certificate serial number unreadable");
    const auto entry = crl.find_serial(serial);
    if (!entry) return Status::good();
    if (entry->reason == static_cast<int>(Reason::remove_from_crl)) return Status::good();
    return Status::revoked(entry->revocation_time, entry->reason);
}

}  // namespace revocation
