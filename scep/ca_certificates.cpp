#include "scep/ca_certificates.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string>

#include "common/time_format.h"
#include "crypto/chain_validator.h"
#include "crypto/cms.h"
#include "crypto/openssl_error.h"

namespace scep {
namespace {

using common::Errc;
using crypto::Certificate;
using Certificates = std::vector<Certificate>;

// A GetCACert response holds a handful of certificates (NDES: three). The role search compares
// every pair, so hostile input is cut off early.
constexpr std::size_t max_certificates = 32;

// --- parse_ca_cert_response ---

enum class Hint { none, certificate, certs_only, other };

std::string printable(std::string_view text, std::size_t max_length = 100) {
    std::string out;
    for (char c : text.substr(0, max_length)) {
        out += std::isprint(static_cast<unsigned char>(c)) != 0 ? c : '?';
    }
    if (text.size() > max_length) {
        out += "...";
    }
    return out;
}

// The media type without parameters, lower-case ("Application/X-X509-CA-RA-Cert; x=y" ->
// "application/x-x509-ca-ra-cert").
std::string media_type(std::string_view content_type) {
    content_type = content_type.substr(0, content_type.find(';'));
    std::string out;
    for (char c : content_type) {
        if (c != ' ' && c != '\t') {
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
    }
    return out;
}

// RFC 8894 §4.2.1.1 and §4.2.1.2, Entrust's variant, and the generic PKCS#7 types.
Hint hint_for(std::string_view content_type) {
    const std::string type = media_type(content_type);
    if (type.empty()) {
        return Hint::none;
    }
    if (type == "application/x-x509-ca-cert" || type == "application/pkix-cert") {
        return Hint::certificate;
    }
    if (type == "application/x-x509-ca-ra-cert" || type == "application/x-x509-ra-ca-certs" ||
        type == "application/pkcs7-mime" || type == "application/x-pkcs7-mime" ||
        type == "application/x-pkcs7-certificates") {
        return Hint::certs_only;
    }
    return Hint::other;
}

common::Error parse_error(std::string_view content_type, const std::string& detail) {
    std::string message = "GetCACert response";
    if (!content_type.empty()) {
        message += " (Content-Type '" + printable(content_type) + "')";
    }
    return common::Error(Errc::parse, message + ": " + detail);
}

common::Result<Certificates> single_certificate(crypto::ByteView der) {
    auto cert = Certificate::from_der(der);
    if (!cert) {
        return cert.error();
    }
    return Certificates{std::move(*cert)};
}

// DER: a Certificate or a certs-only SignedData, tried in the order the Content-Type suggests.
common::Result<Certificates> parse_der(std::string_view content_type, crypto::ByteView der) {
    const bool certs_only_first = hint_for(content_type) == Hint::certs_only;
    auto first = certs_only_first ? crypto::cms::parse_certs_only(der) : single_certificate(der);
    if (first) {
        return first;
    }
    auto second = certs_only_first ? single_certificate(der) : crypto::cms::parse_certs_only(der);
    if (second) {
        return second;
    }
    const std::string& as_cert = (certs_only_first ? second : first).error().message();
    const std::string& as_cms = (certs_only_first ? first : second).error().message();
    return parse_error(content_type, "neither a DER certificate (" + as_cert +
                                         ") nor a certs-only PKCS#7 (" + as_cms + ")");
}

std::string describe_start(std::string_view body) {
    const auto byte = static_cast<unsigned char>(body.front());
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned>(byte));
    std::string out = "starts with ";
    out += hex;
    if (std::isprint(byte) != 0) {
        out += std::string(" '") + body.front() + "'";
    }
    return out;
}

// --- select_ca_certificates: who issued whom ---

std::string describe(const Certificate& cert) {
    return printable(cert.subject(), 200);
}

// Whether issuer issued subject: names and key identifiers match, issuer may sign certificates
// (if it has keyUsage), and the signature verifies.
bool issued(const Certificate& issuer, const Certificate& subject) {
    const bool linked = X509_check_issued(issuer.native(), subject.native()) == X509_V_OK;
    crypto::clear_openssl_errors();
    return linked && subject.is_signed_by(issuer);
}

bool is_self_signed(const Certificate& cert) {
    return issued(cert, cert);
}

Certificates without_duplicates(const Certificates& certs) {
    Certificates out;
    for (const auto& cert : certs) {
        if (std::find(out.begin(), out.end(), cert) == out.end()) {
            out.push_back(cert);
        }
    }
    return out;
}

// The CAs of cas other than cert that issued cert.
Certificates issuers_of(const Certificate& cert, const Certificates& cas) {
    Certificates out;
    for (const auto& ca : cas) {
        if (!(ca == cert) && issued(ca, cert)) {
            out.push_back(ca);
        }
    }
    return out;
}

std::string list_subjects(const Certificates& certs) {
    std::string out;
    for (const auto& cert : certs) {
        out += (out.empty() ? "" : "; ") + describe(cert);
    }
    return out;
}

// With RA certificates: the one CA of the set that issued all of them.
common::Result<Certificate> issuer_of_ras(const Certificates& cas, const Certificates& ras) {
    Certificates common_issuers;
    for (std::size_t i = 0; i < ras.size(); ++i) {
        const Certificates issuers = issuers_of(ras[i], cas);
        if (issuers.empty()) {
            return common::fail(Errc::verification, "GetCACert: RA certificate " +
                                                        describe(ras[i]) +
                                                        " is not issued by any CA certificate "
                                                        "of the response");
        }
        if (i == 0) {
            common_issuers = issuers;
            continue;
        }
        std::erase_if(common_issuers, [&](const Certificate& ca) {
            return std::find(issuers.begin(), issuers.end(), ca) == issuers.end();
        });
        if (common_issuers.empty()) {
            return common::fail(Errc::protocol,
                                "GetCACert: the RA certificates are issued by different CAs (" +
                                    list_subjects(ras) + ")");
        }
    }
    return common_issuers.front();
}

// Without RA certificates: the lowest CA, the one that issued none of the others.
common::Result<Certificate> lowest_ca(const Certificates& cas) {
    Certificates lowest;
    for (const auto& candidate : cas) {
        const bool issues_another = std::any_of(cas.begin(), cas.end(), [&](const auto& other) {
            return !(other == candidate) && issued(candidate, other);
        });
        if (!issues_another) {
            lowest.push_back(candidate);
        }
    }
    if (lowest.empty()) {
        return common::fail(Errc::protocol,
                            "GetCACert: cannot tell the issuing CA: each CA "
                            "certificate issued another one (" +
                                list_subjects(cas) + ")");
    }
    if (lowest.size() > 1) {
        return common::fail(Errc::protocol, "GetCACert: cannot tell the issuing CA among " +
                                                std::to_string(lowest.size()) +
                                                " unrelated CA certificates (" +
                                                list_subjects(lowest) + ")");
    }
    return lowest.front();
}

// Every CA of cas must be the issuing CA or one of its superiors.
common::Result<void> check_related(const Certificate& issuing_ca, const Certificates& cas) {
    Certificates reached{issuing_ca};
    for (std::size_t next = 0; next < reached.size(); ++next) {
        for (const auto& superior : issuers_of(reached[next], cas)) {
            if (std::find(reached.begin(), reached.end(), superior) == reached.end()) {
                reached.push_back(superior);
            }
        }
    }
    for (const auto& ca : cas) {
        if (std::find(reached.begin(), reached.end(), ca) == reached.end()) {
            return common::fail(Errc::protocol, "GetCACert: CA certificate " + describe(ca) +
                                                    " is unrelated to the issuing CA " +
                                                    describe(issuing_ca));
        }
    }
    return {};
}

struct Roles {
    Certificate issuing_ca;
    Certificates ras;  // without duplicates, as received
};

common::Result<Roles> assign_roles(const Certificates& received) {
    const Certificates unique = without_duplicates(received);
    Certificates cas;
    Certificates ras;
    for (const auto& cert : unique) {
        (cert.is_ca() ? cas : ras).push_back(cert);
    }
    if (cas.empty()) {
        return common::fail(Errc::protocol,
                            "GetCACert: the response holds no CA certificate (basicConstraints "
                            "cA), only " +
                                list_subjects(ras));
    }
    auto issuing_ca = ras.empty() ? lowest_ca(cas) : issuer_of_ras(cas, ras);
    if (!issuing_ca) {
        return issuing_ca.error();
    }
    if (auto related = check_related(*issuing_ca, cas); !related) {
        return related.error();
    }
    return Roles{std::move(*issuing_ca), std::move(ras)};
}

// --- select_ca_certificates: trust ---

common::Result<void> check_arguments(const std::optional<crypto::Fingerprint>& pin,
                                     const std::optional<Certificate>& trusted_anchor) {
    if (!pin && !trusted_anchor) {
        return common::fail(Errc::invalid_argument,
                            "GetCACert: no fingerprint or trust anchor to authenticate the CA");
    }
    if (pin && !crypto::is_collision_resistant(pin->algorithm())) {
        return common::fail(Errc::unsupported,
                            "GetCACert: the CA fingerprint uses " +
                                std::string(crypto::to_string(pin->algorithm())) +
                                "; pins must use SHA-256 or stronger (RFC 8894 §2.2)");
    }
    return {};
}

common::Result<Certificate> choose_anchor(const Certificates& received,
                                          const std::optional<crypto::Fingerprint>& pin,
                                          const std::optional<Certificate>& trusted_anchor) {
    if (pin) {
        for (const auto& cert : received) {
            if (cert.fingerprint(pin->algorithm()) == *pin) {
                return cert;
            }
        }
    }
    if (trusted_anchor) {
        return *trusted_anchor;
    }
    std::string seen;
    for (const auto& cert : received) {
        seen += (seen.empty() ? "" : "; ") + describe(cert) + " " +
                cert.fingerprint(pin->algorithm()).to_string();
    }
    return common::fail(Errc::verification,
                        "GetCACert: no certificate matches the pinned CA "
                        "fingerprint " +
                            pin->to_string() + " (received: " + seen + ")");
}

common::Result<void> check_time(const Certificate& cert, common::SystemTime at) {
    if (!cert.is_valid_at(at)) {
        return common::fail(Errc::verification,
                            "not valid at " + common::format_rfc3339(at) + " (" +
                                common::format_rfc3339(cert.not_before()) + " to " +
                                common::format_rfc3339(cert.not_after()) + ")");
    }
    return {};
}

// A non-self-signed anchor (the issuing CA pinned directly): ChainValidator wants self-signed
// anchors, so the one hop below it is checked here, as X509_verify_cert would check it.
common::Result<crypto::CertificatePath> hop_below_anchor(const Certificate& cert,
                                                         const Certificate& anchor,
                                                         common::SystemTime at) {
    if (!issued(anchor, cert)) {
        return common::fail(Errc::verification,
                            describe(cert) + " is not issued by the pinned CA " + describe(anchor));
    }
    for (const Certificate* c : {&cert, &anchor}) {
        if (auto valid = check_time(*c, at); !valid) {
            return valid.error().with_context(describe(*c));
        }
        if ((X509_get_extension_flags(c->native()) & EXFLAG_CRITICAL) != 0) {
            return common::fail(Errc::verification,
                                describe(*c) + " has an unsupported critical extension");
        }
    }
    return crypto::CertificatePath{cert, anchor};
}

// The path from cert up to the anchor, cert first.
common::Result<crypto::CertificatePath> path_to_anchor(const Certificate& cert,
                                                       const Certificate& anchor,
                                                       const Certificates& untrusted,
                                                       common::SystemTime at) {
    if (cert == anchor) {
        if (auto valid = check_time(anchor, at); !valid) {
            return valid.error();
        }
        return crypto::CertificatePath{anchor};
    }
    if (!is_self_signed(anchor)) {
        return hop_below_anchor(cert, anchor, at);
    }
    crypto::ValidationOptions options;
    options.time = at;
    return crypto::ChainValidator({anchor}).validate(cert, untrusted, options);
}

common::Result<crypto::CertificatePath> validate(std::string_view role, const Certificate& cert,
                                                 const Certificate& anchor,
                                                 const Certificates& untrusted,
                                                 common::SystemTime at) {
    auto path = path_to_anchor(cert, anchor, untrusted, at);
    if (!path) {
        return path.error().with_context("GetCACert: " + std::string(role) + " " + describe(cert));
    }
    return path;
}

// RFC 8894 §3.5.2: keyUsage of RA certificates cannot be relied on. The best candidate has the
// wanted usage, then comes one without keyUsage, then any other; validity at `at` breaks ties,
// then the order received.
const Certificate& pick_ra(const Certificates& ras, crypto::KeyUsage wanted,
                           common::SystemTime at) {
    auto score = [&](const Certificate& cert) {
        const auto usage = cert.key_usage();
        const int fit = !usage ? 2 : usage->has(wanted) ? 3 : 1;
        return fit * 2 + (cert.is_valid_at(at) ? 1 : 0);
    };
    return *std::max_element(ras.begin(), ras.end(),
                             [&](const auto& a, const auto& b) { return score(a) < score(b); });
}

// RFC 8894 §3.1: key transport needs an RSA recipient.
common::Result<void> check_rsa(const Certificate& encryption) {
    const EVP_PKEY* key = X509_get0_pubkey(encryption.native());
    crypto::clear_openssl_errors();
    if (key == nullptr) {
        return common::fail(Errc::unsupported, "GetCACert: the encryption certificate " +
                                                   describe(encryption) +
                                                   " has no public key we can decode");
    }
    if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
        return common::fail(Errc::unsupported, "GetCACert: the encryption certificate " +
                                                   describe(encryption) + " has an " +
                                                   encryption.public_key_description() +
                                                   " key; SCEP key transport needs RSA");
    }
    return {};
}

}  // namespace

common::Result<Certificates> parse_ca_cert_response(std::string_view content_type,
                                                    std::string_view body) {
    if (body.empty()) {
        return parse_error(content_type, "empty body");
    }
    const bool pem = body.find("-----BEGIN ") != std::string_view::npos;
    if (body.front() == 0x30) {  // every DER structure we accept is a SEQUENCE
        auto certs = parse_der(content_type, crypto::as_bytes(body));
        if (certs || !pem) {
            return certs;
        }
    }
    if (pem) {
        auto certs = Certificate::all_from_pem(body);
        if (!certs) {
            return parse_error(content_type, "PEM: " + certs.error().message());
        }
        return certs;
    }
    return parse_error(content_type, "neither DER nor PEM (" + describe_start(body) + ")");
}

common::Result<CaCertificates> select_ca_certificates(
    const Certificates& certs, const std::optional<crypto::Fingerprint>& pin,
    const std::optional<Certificate>& trusted_anchor, common::SystemTime at) {
    if (certs.empty() || certs.size() > max_certificates) {
        return common::fail(Errc::protocol, "GetCACert: " + std::to_string(certs.size()) +
                                                " certificates received, expected 1 to " +
                                                std::to_string(max_certificates));
    }
    if (auto ok = check_arguments(pin, trusted_anchor); !ok) {
        return ok.error();
    }
    auto roles = assign_roles(certs);
    if (!roles) {
        return roles.error();
    }
    auto anchor = choose_anchor(certs, pin, trusted_anchor);
    if (!anchor) {
        return anchor.error();
    }
    if (!anchor->is_ca()) {
        return common::fail(Errc::verification, "GetCACert: the anchor " + describe(*anchor) +
                                                    " is not a CA certificate");
    }
    auto chain = validate("issuing CA", roles->issuing_ca, *anchor, certs, at);
    if (!chain) {
        return chain.error();
    }
    CaCertificates out{roles->issuing_ca, roles->issuing_ca, roles->issuing_ca, *anchor, certs,
                       std::move(*chain)};
    if (!roles->ras.empty()) {
        out.encryption = pick_ra(roles->ras, crypto::KeyUsage::key_encipherment, at);
        out.signer = pick_ra(roles->ras, crypto::KeyUsage::digital_signature, at);
        for (const auto& [role, cert] : {std::pair{"RA encryption certificate", &out.encryption},
                                         std::pair{"RA signing certificate", &out.signer}}) {
            if (auto ok = validate(role, *cert, *anchor, certs, at); !ok) {
                return ok.error();
            }
        }
    }
    if (auto ok = check_rsa(out.encryption); !ok) {
        return ok.error();
    }
    return out;
}

}  // namespace scep
