#include "ca/authority.h"

#include <algorithm>
#include <array>

#include "crypto/certificate_builder.h"
#include "crypto/openssl_error.h"
#include "crypto/ossl_util.h"

namespace ca {
namespace {

using namespace std::chrono_literals;

constexpr auto clock_skew = 5min;
constexpr int min_rsa_bits = 2048;
constexpr int max_rsa_bits = 16384;
constexpr std::array supported_curves{std::string_view("prime256v1"), std::string_view("secp384r1"),
                                      std::string_view("secp521r1")};

common::Unexpected refuse(common::Errc code, std::string message) {
    return common::fail(code, "issue: " + std::move(message));
}

// RSA of a sane size or EC on a NIST curve; the same rule for requests and for the CA.
common::Result<void> check_key_type(EVP_PKEY* key) {
    const std::string description = crypto::detail::describe_public_key(key);
    if (key != nullptr && EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) {
        const int bits = EVP_PKEY_get_bits(key);
        if (bits < min_rsa_bits || bits > max_rsa_bits) {
            return common::fail(
                common::Errc::unsupported,
                description + " key refused: RSA keys must have 2048 to 16384 bits");
        }
        return {};
    }
    if (key != nullptr && EVP_PKEY_get_base_id(key) == EVP_PKEY_EC) {
        char group[64] = {};
        std::size_t len = 0;
        const bool named = EVP_PKEY_get_group_name(key, group, sizeof group, &len) == 1;
        crypto::clear_openssl_errors();
        if (named && std::find(supported_curves.begin(), supported_curves.end(), group) !=
                         supported_curves.end()) {
            return {};
        }
        return common::fail(common::Errc::unsupported,
                            description + " key refused: EC keys must be on P-256, P-384 or P-521");
    }
    return common::fail(common::Errc::unsupported,
                        description + " key refused: only RSA and EC keys are supported");
}

struct ExtensionsFree {
    void operator()(STACK_OF(X509_EXTENSION) * s) const noexcept {
        sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free);
    }
};
using ExtensionsPtr = std::unique_ptr<STACK_OF(X509_EXTENSION), ExtensionsFree>;

bool is_understood_extension(int nid) {
    return nid == NID_subject_alt_name || nid == NID_key_usage || nid == NID_ext_key_usage ||
           nid == NID_basic_constraints;
}

// The subjectAltNames a CSR requests, after refusing a malformed extensionRequest or a critical
// extension the CA does not understand.
common::Result<std::vector<crypto::SubjectAltName>> requested_alt_names(X509_REQ* req) {
    ExtensionsPtr extensions(X509_REQ_get_extensions(req));
    if (!extensions) {
        return crypto::openssl_error(common::Errc::invalid_argument,
                                     "issue: malformed extensionRequest");
    }
    std::vector<crypto::SubjectAltName> out;
    for (int i = 0; i < sk_X509_EXTENSION_num(extensions.get()); ++i) {
        X509_EXTENSION* ext = sk_X509_EXTENSION_value(extensions.get(), i);
        const int nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));
        if (X509_EXTENSION_get_critical(ext) == 1 && !is_understood_extension(nid)) {
            char oid[80] = {};
            OBJ_obj2txt(oid, sizeof oid, X509_EXTENSION_get_object(ext), 1);
            return refuse(common::Errc::unsupported,
                          std::string("the CSR requests critical extension ") + oid +
                              ", which this CA does not support");
        }
        if (nid != NID_subject_alt_name) continue;
        crypto::GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(X509V3_EXT_d2i(ext)));
        if (!names) {
            return crypto::openssl_error(common::Errc::invalid_argument,
                                         "issue: malformed subjectAltName request");
        }
        auto decoded = crypto::detail::general_names_to_sans(names.get());
        out.insert(out.end(), decoded.begin(), decoded.end());
    }
    return out;
}

common::Result<std::vector<crypto::SubjectAltName>> alt_names_for(
    std::vector<crypto::SubjectAltName> requested, const CertificateProfile& profile) {
    if (profile.san == SanPolicy::forbid && !requested.empty()) {
        return refuse(common::Errc::invalid_argument,
                      "profile \"" + profile.name +
                          "\" forbids subjectAltNames and the CSR requests " +
                          std::to_string(requested.size()));
    }
    std::erase_if(requested,
                  [](const auto& san) { return san.type == crypto::SubjectAltName::Type::other; });
    if (profile.san == SanPolicy::require && requested.empty()) {
        return refuse(
            common::Errc::invalid_argument,
            "profile \"" + profile.name + "\" requires a DNS, IP, URI or email subjectAltName");
    }
    return requested;
}

struct Validity {
    SystemTime not_before;
    SystemTime not_after;
};

// now - skew .. now + validity, inside every certificate from the CA up to the root.
common::Result<Validity> validity_for(const crypto::Certificate& ca,
                                      const std::vector<crypto::Certificate>& chain,
                                      std::chrono::seconds validity, SystemTime now) {
    if (!ca.is_valid_at(now)) {
        return refuse(common::Errc::verification,
                      "the CA certificate " + ca.subject() + " is not valid at this time");
    }
    const auto now_s = std::chrono::floor<std::chrono::seconds>(now);
    Validity out{now_s - clock_skew, now_s + validity};
    auto clamp = [&out](const crypto::Certificate& cert) {
        out.not_before = std::max(out.not_before, cert.not_before());
        out.not_after = std::min(out.not_after, cert.not_after());
    };
    clamp(ca);
    std::for_each(chain.begin(), chain.end(), clamp);
    if (out.not_after <= out.not_before) {
        return refuse(common::Errc::verification, "the CA chain leaves no validity period");
    }
    return out;
}

common::Result<void> check_chain(const crypto::Certificate& ca,
                                 const std::vector<crypto::Certificate>& chain) {
    const crypto::Certificate* below = &ca;
    for (const auto& cert : chain) {
        if (!cert.is_ca() || !below->is_signed_by(cert)) {
            return common::fail(
                common::Errc::invalid_argument,
                "CA chain: " + cert.subject() + " is not the CA that signed " + below->subject());
        }
        below = &cert;
    }
    return {};
}

common::Result<void> check_ocsp_signer(const crypto::Certificate& ca, const OcspSigner& signer) {
    const auto eku = signer.certificate.extended_key_usage();
    if (!signer.certificate.is_signed_by(ca) || signer.certificate.issuer() != ca.subject()) {
        return common::fail(common::Errc::invalid_argument, "OCSP signer: not issued by the CA");
    }
    if (std::find(eku.begin(), eku.end(), crypto::eku::ocsp_signing) == eku.end()) {
        return common::fail(common::Errc::invalid_argument,
                            "OCSP signer: no id-kp-OCSPSigning (RFC 6960 §4.2.2.2)");
    }
    if (!signer.key.matches(signer.certificate)) {
        return common::fail(common::Errc::invalid_argument,
                            "OCSP signer: the key does not match the certificate");
    }
    return {};
}

}  // namespace

common::Result<crypto::Bytes> random_serial() {
    auto serial = crypto::random_bytes(16);
    if (!serial) return serial.error();
    // Redraw the first byte until it is 0x01..0x7f: positive and without a leading zero octet.
    (*serial)[0] &= 0x7f;
    while ((*serial)[0] == 0) {
        auto again = crypto::random_bytes(1);
        if (!again) return again.error();
        (*serial)[0] = (*again)[0] & 0x7f;
    }
    return serial;
}

std::string serial_hex(crypto::ByteView serial) {
    std::string hex = crypto::to_hex(serial);
    std::transform(hex.begin(), hex.end(), hex.begin(), [](char c) {
        return c >= 'a' && c <= 'f' ? static_cast<char>(c - 'a' + 'A') : c;
    });
    const auto first = hex.find_first_not_of('0');
    return first == std::string::npos ? "0" : hex.substr(first);
}

common::Result<Authority> Authority::create(crypto::Certificate certificate, crypto::PrivateKey key,
                                            std::vector<crypto::Certificate> chain,
                                            std::optional<OcspSigner> ocsp_signer) {
    auto invalid = [](std::string message) {
        return common::fail(common::Errc::invalid_argument, "CA: " + std::move(message));
    };
    if (!key.matches(certificate)) {
        return invalid("the key does not belong to " + certificate.subject());
    }
    if (!certificate.is_ca()) {
        return invalid(certificate.subject() + " is not a CA certificate (basicConstraints)");
    }
    const auto usage = certificate.key_usage();
    if (usage && !usage->has(crypto::KeyUsage::key_cert_sign)) {
        return invalid(certificate.subject() + " lacks keyUsage keyCertSign");
    }
    if (auto ok = check_key_type(key.native()); !ok) {
        return common::fail(common::Errc::invalid_argument, "CA: " + ok.error().message());
    }
    if (auto ok = check_chain(certificate, chain); !ok) return ok.error();
    if (ocsp_signer) {
        if (auto ok = check_ocsp_signer(certificate, *ocsp_signer); !ok) return ok.error();
    }
    return Authority(std::move(certificate), std::move(key), std::move(chain),
                     std::move(ocsp_signer));
}

common::Result<crypto::Certificate> Authority::issue(const crypto::Csr& csr,
                                                     const CertificateProfile& profile,
                                                     crypto::ByteView serial,
                                                     SystemTime now) const {
    if (!csr.verify_signature()) {
        return refuse(common::Errc::verification,
                      "the CSR signature does not verify (no proof of possession)");
    }
    if (auto ok = check_key_type(X509_REQ_get0_pubkey(csr.native())); !ok) {
        return ok.error().with_context("issue");
    }
    if (csr.public_key_der() == m_key.public_key_der()) {
        return refuse(common::Errc::unsupported, "the CSR carries the CA's own public key");
    }
    auto requested = requested_alt_names(csr.native());
    if (!requested) return requested.error();
    auto alt_names = alt_names_for(std::move(*requested), profile);
    if (!alt_names) return alt_names.error();
    auto validity = validity_for(m_certificate, m_chain, profile.validity, now);
    if (!validity) return validity.error();

    crypto::CertificateBuilder builder;
    builder.serial(crypto::Bytes(serial.begin(), serial.end()))
        .subject_from(csr)
        .public_key(csr.public_key_der())
        .validity(validity->not_before, validity->not_after)
        .end_entity()
        .key_usage(profile.key_usage)
        .extended_key_usage(profile.extended_key_usage)
        .subject_alt_names(std::move(*alt_names));
    if (profile.crl_url) builder.crl_distribution_point(*profile.crl_url);
    if (profile.ocsp_url) builder.ocsp_url(*profile.ocsp_url);
    if (profile.ca_issuers_url) builder.ca_issuers_url(*profile.ca_issuers_url);
    auto issued = builder.sign(m_key, m_certificate);
    if (!issued) return issued.error().with_context("issue");
    return issued;
}

}  // namespace ca
