#include "ca/make_ca.h"

#include <algorithm>

#include "crypto/certificate_builder.h"

namespace ca {
namespace {

using namespace std::chrono_literals;

constexpr auto clock_skew = 5min;

common::Result<crypto::PrivateKey> key_for(const std::optional<crypto::PrivateKey>& ready,
                                           const crypto::KeySpec& spec) {
    if (ready) return *ready;
    return crypto::PrivateKey::generate(spec);
}

// now - skew .. now + validity, inside the issuer's validity when there is one.
crypto::CertificateBuilder& with_validity(crypto::CertificateBuilder& builder, SystemTime now,
                                          CaOptions::days validity, const IssuedPair* issuer) {
    const auto now_s = std::chrono::floor<std::chrono::seconds>(now);
    SystemTime not_before = now_s - clock_skew;
    SystemTime not_after = now_s + validity;
    if (issuer != nullptr) {
        not_before = std::max(not_before, issuer->certificate.not_before());
        not_after = std::min(not_after, issuer->certificate.not_after());
    }
    return builder.validity(not_before, not_after);
}

common::Result<IssuedPair> make_root(const CaOptions& options, SystemTime now) {
    auto key = key_for(options.keys.root, options.key);
    if (!key) return key.error().with_context("root key");
    auto serial = random_serial();
    if (!serial) return serial.error();
    crypto::CertificateBuilder builder;
    builder.serial(std::move(*serial))
        .subject(options.root_subject)
        .ca()
        .key_usage({crypto::KeyUsage::key_cert_sign, crypto::KeyUsage::crl_sign});
    auto cert = with_validity(builder, now, options.root_validity, nullptr).self_sign(*key);
    if (!cert) return cert.error().with_context("root certificate");
    return IssuedPair{std::move(*cert), std::move(*key)};
}

common::Result<IssuedPair> make_intermediate(const CaOptions& options, const IssuedPair& root,
                                             SystemTime now) {
    auto key = key_for(options.keys.intermediate, options.key);
    if (!key) return key.error().with_context("intermediate key");
    auto serial = random_serial();
    if (!serial) return serial.error();
    crypto::CertificateBuilder builder;
    builder.serial(std::move(*serial))
        .subject(*options.intermediate_subject)
        .public_key(key->public_key_der())
        .ca(0)
        .key_usage({crypto::KeyUsage::key_cert_sign, crypto::KeyUsage::crl_sign});
    auto cert = with_validity(builder, now, options.intermediate_validity, &root)
                    .sign(root.key, root.certificate);
    if (!cert) return cert.error().with_context("intermediate certificate");
    return IssuedPair{std::move(*cert), std::move(*key)};
}

struct EndEntitySpec {
    std::string subject;
    crypto::KeyUsageSet key_usage;
    std::vector<std::string> extended_key_usage;
    bool ocsp_no_check = false;
    CaOptions::days validity{};
};

common::Result<IssuedPair> make_end_entity(const EndEntitySpec& spec, crypto::PrivateKey key,
                                           const IssuedPair& issuer, SystemTime now) {
    auto serial = random_serial();
    if (!serial) return serial.error();
    crypto::CertificateBuilder builder;
    builder.serial(std::move(*serial))
        .subject(spec.subject)
        .public_key(key.public_key_der())
        .end_entity()
        .key_usage(spec.key_usage)
        .extended_key_usage(spec.extended_key_usage);
    if (spec.ocsp_no_check) builder.ocsp_no_check();
    auto cert =
        with_validity(builder, now, spec.validity, &issuer).sign(issuer.key, issuer.certificate);
    if (!cert) return cert.error().with_context(spec.subject);
    return IssuedPair{std::move(*cert), std::move(key)};
}

common::Result<crypto::PrivateKey> ra_key(const std::optional<crypto::PrivateKey>& ready,
                                          const crypto::KeySpec& spec) {
    auto key = key_for(ready, spec);
    if (key && !key->is_rsa()) {
        return common::fail(
            common::Errc::unsupported,
            "RA key must be RSA: SCEP clients encrypt to it with RSA key transport");
    }
    return key;
}

common::Result<void> add_ra(const CaOptions& options, CaMaterial& out, SystemTime now) {
    using KU = crypto::KeyUsage;
    const bool separate = options.ra == CaOptions::Ra::separate;
    auto signing_key = ra_key(options.keys.ra_signing, options.ra_key);
    if (!signing_key) return signing_key.error().with_context("RA");
    const crypto::KeyUsageSet signing_usage =
        separate ? crypto::KeyUsageSet{KU::digital_signature}
                 : crypto::KeyUsageSet{KU::digital_signature, KU::key_encipherment};
    auto signing =
        make_end_entity({options.ra_subject, signing_usage, {}, false, options.ra_validity},
                        std::move(*signing_key), out.issuing(), now);
    if (!signing) return signing.error();
    out.ra_signing = std::move(*signing);
    if (!separate) return {};
    auto encryption_key = ra_key(options.keys.ra_encryption, options.ra_key);
    if (!encryption_key) return encryption_key.error().with_context("RA encryption");
    auto encryption = make_end_entity({options.ra_subject + " encryption",
                                       {KU::key_encipherment},
                                       {},
                                       false,
                                       options.ra_validity},
                                      std::move(*encryption_key), out.issuing(), now);
    if (!encryption) return encryption.error();
    out.ra_encryption = std::move(*encryption);
    return {};
}

}  // namespace

common::Result<Authority> CaMaterial::authority() const {
    std::vector<crypto::Certificate> chain;
    if (intermediate) chain.push_back(root.certificate);
    std::optional<OcspSigner> signer;
    if (ocsp_signer) signer = OcspSigner{ocsp_signer->certificate, ocsp_signer->key};
    return Authority::create(issuing().certificate, issuing().key, std::move(chain),
                             std::move(signer));
}

common::Result<CaMaterial> make_ca(const CaOptions& options, SystemTime now) {
    if (options.ra != CaOptions::Ra::none && !options.keys.ra_signing &&
        options.ra_key.type != crypto::KeySpec::Type::rsa) {
        return common::fail(
            common::Errc::unsupported,
            "RA key must be RSA: SCEP clients encrypt to it with RSA key transport");
    }
    auto root = make_root(options, now);
    if (!root) return root.error();
    CaMaterial out{std::move(*root), std::nullopt, std::nullopt, std::nullopt, std::nullopt};
    if (options.intermediate_subject) {
        auto intermediate = make_intermediate(options, out.root, now);
        if (!intermediate) return intermediate.error();
        out.intermediate = std::move(*intermediate);
    }
    if (options.ra != CaOptions::Ra::none) {
        if (auto ok = add_ra(options, out, now); !ok) return ok.error();
    }
    if (options.ocsp_signer) {
        auto key = key_for(options.keys.ocsp_signer, options.key);
        if (!key) return key.error().with_context("OCSP signer key");
        auto signer = make_end_entity({options.ocsp_signer_subject,
                                       {crypto::KeyUsage::digital_signature},
                                       {std::string(crypto::eku::ocsp_signing)},
                                       true,
                                       options.ocsp_signer_validity},
                                      std::move(*key), out.issuing(), now);
        if (!signer) return signer.error();
        out.ocsp_signer = std::move(*signer);
    }
    return out;
}

}  // namespace ca
