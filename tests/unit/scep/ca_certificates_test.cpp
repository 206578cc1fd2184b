#include "scep/ca_certificates.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "crypto/cms.h"
#include "unit/crypto/test_pki_builder.h"

namespace {

using common::Errc;
using crypto::Certificate;
using crypto::KeyUsage;
using crypto::KeyUsageSet;
using scep::parse_ca_cert_response;
using scep::select_ca_certificates;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;
using Certificates = std::vector<Certificate>;

constexpr auto day = std::chrono::hours(24);

common::SystemTime at() {
    return test_pki::reference_time();
}

crypto::PrivateKey rsa_key() {
    return crypto::PrivateKey::generate({crypto::KeySpec::Type::rsa, 2048, ""}).value();
}

test_pki::CertSpec ra_spec(std::string common_name, std::optional<KeyUsageSet> usage) {
    test_pki::CertSpec spec;
    spec.common_name = std::move(common_name);
    spec.key_usage = usage;
    return spec;
}

// One PKI for every test (RSA key generation is slow under the sanitizers):
// root -> intermediate -> issuing CA (RSA) -> RA signing / RA encryption (RSA), an NDES-like
// self-signed CA with its own RA pair, and an unrelated CA.
struct Pki {
    test_pki::Issued root = test_pki::issue(test_pki::ca_spec("SCEP Test Root"));
    test_pki::Issued intermediate =
        test_pki::issue(test_pki::ca_spec("SCEP Test Intermediate"), &root);
    test_pki::Issued issuing =
        test_pki::issue(test_pki::ca_spec("SCEP Test Issuing CA"), &intermediate, rsa_key());
    test_pki::Issued ra_sign = test_pki::issue(
        ra_spec("SCEP RA Signing", KeyUsageSet{KeyUsage::digital_signature}), &issuing, rsa_key());
    test_pki::Issued ra_encrypt =
        test_pki::issue(ra_spec("SCEP RA Encryption", KeyUsageSet{KeyUsage::key_encipherment}),
                        &issuing, rsa_key());
    test_pki::Issued unrelated = test_pki::issue(test_pki::ca_spec("Unrelated CA"));
};

const Pki& pki() {
    static const Pki instance;
    return instance;
}

crypto::Bytes certs_only(const Certificates& certs) {
    return crypto::cms::make_certs_only(certs).value();
}

std::string_view chars(const crypto::Bytes& bytes) {
    return crypto::as_chars(bytes);
}

crypto::Fingerprint pin_of(const Certificate& cert) {
    return cert.fingerprint();
}

// --- parse_ca_cert_response ---

TEST(CaCertResponseTest, SingleDerCertificate) {
    const auto der = pki().root.cert.to_der();
    const auto certs = parse_ca_cert_response("application/x-x509-ca-cert", chars(der));
    ASSERT_TRUE(certs) << certs.error().to_string();
    EXPECT_THAT(*certs, ElementsAre(pki().root.cert));
}

TEST(CaCertResponseTest, ContentTypeIsOnlyAHint) {
    const auto der = pki().root.cert.to_der();
    for (std::string_view type : {"application/x-x509-ca-ra-cert", "APPLICATION/X-X509-CA-CERT",
                                  "application/x-x509-ca-cert; charset=binary", "text/plain", ""}) {
        const auto certs = parse_ca_cert_response(type, chars(der));
        ASSERT_TRUE(certs) << type << ": " << certs.error().to_string();
        EXPECT_THAT(*certs, ElementsAre(pki().root.cert)) << type;
    }
}

TEST(CaCertResponseTest, PemCertificates) {
    const std::string pem = pki().issuing.cert.to_pem() + pki().root.cert.to_pem();
    const auto certs = parse_ca_cert_response("text/plain", pem);
    ASSERT_TRUE(certs) << certs.error().to_string();
    EXPECT_THAT(*certs, ElementsAre(pki().issuing.cert, pki().root.cert));
    // Text before the first block, here starting with '0' (0x30, like DER).
    const auto annotated =
        parse_ca_cert_response("", "0 s:CN=SCEP Test Root\n" + pki().root.cert.to_pem());
    ASSERT_TRUE(annotated) << annotated.error().to_string();
    EXPECT_THAT(*annotated, ElementsAre(pki().root.cert));
}

TEST(CaCertResponseTest, CertsOnlyPkcs7WithThreeLevels) {
    const auto body = certs_only({pki().root.cert, pki().intermediate.cert, pki().issuing.cert});
    for (std::string_view type :
         {"application/x-x509-ca-ra-cert", "Application/X-X509-RA-CA-Certs; foo=bar",
          "application/x-x509-ca-cert", ""}) {
        const auto certs = parse_ca_cert_response(type, chars(body));
        ASSERT_TRUE(certs) << type << ": " << certs.error().to_string();
        EXPECT_THAT(*certs, UnorderedElementsAre(pki().root.cert, pki().intermediate.cert,
                                                 pki().issuing.cert))
            << type;
    }
}

void expect_parse_error(std::string_view body, std::string_view detail) {
    const auto certs = parse_ca_cert_response("application/x-x509-ca-ra-cert", body);
    ASSERT_FALSE(certs);
    EXPECT_EQ(certs.error().code(), Errc::parse);
    EXPECT_THAT(certs.error().message(), HasSubstr("GetCACert response"));
    EXPECT_THAT(certs.error().message(), HasSubstr(detail));
}

TEST(CaCertResponseTest, EmptyBodyRefused) {
    expect_parse_error("", "empty body");
}

TEST(CaCertResponseTest, GarbageRefused) {
    expect_parse_error("<html><body>Service Unavailable</body></html>", "0x3C '<'");
    std::string noise(300, '\0');
    for (std::size_t i = 0; i < noise.size(); ++i) {
        noise[i] = static_cast<char>((i * 131 + 7) % 251);
    }
    expect_parse_error(noise, "neither DER nor PEM");
    noise[0] = 0x30;
    expect_parse_error(noise, "neither a DER certificate");
    expect_parse_error("\x30\x03\x02\x01\x00", "neither a DER certificate");
    expect_parse_error("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", "PEM");
    expect_parse_error("-----BEGIN PKCS7-----\nMAA=\n-----END PKCS7-----\n", "PEM");
}

TEST(CaCertResponseTest, TruncatedBodiesRefused) {
    const auto cert = pki().root.cert.to_der();
    const auto cms = certs_only({pki().root.cert, pki().issuing.cert});
    for (const auto* der : {&cert, &cms}) {
        for (std::size_t length :
             {std::size_t{1}, std::size_t{4}, der->size() / 2, der->size() - 1}) {
            const std::string_view body = chars(*der).substr(0, length);
            const auto certs = parse_ca_cert_response("", body);
            ASSERT_FALSE(certs) << "length " << length;
            EXPECT_EQ(certs.error().code(), Errc::parse) << "length " << length;
        }
    }
}

// --- select_ca_certificates ---

TEST(SelectCaCertificatesTest, MicromdmCaWithoutDigitalSignature) {
    // micromdm 2.1.0 `scepserver ca -init`: keyCertSign + cRLSign only, sent as raw DER.
    const auto ca = test_pki::issue(test_pki::ca_spec("MICROMDM SCEP CA"), nullptr, rsa_key());
    ASSERT_FALSE(ca.cert.key_usage()->has(KeyUsage::digital_signature));
    const auto der = ca.cert.to_der();
    const auto certs = parse_ca_cert_response("application/x-x509-ca-cert", chars(der));
    ASSERT_TRUE(certs);
    const auto selected = select_ca_certificates(*certs, pin_of(ca.cert), std::nullopt, at());
    ASSERT_TRUE(selected) << selected.error().to_string();
    EXPECT_EQ(selected->issuing_ca, ca.cert);
    EXPECT_EQ(selected->encryption, ca.cert);
    EXPECT_EQ(selected->signer, ca.cert);
    EXPECT_EQ(selected->anchor, ca.cert);
    EXPECT_THAT(selected->chain, ElementsAre(ca.cert));
    EXPECT_THAT(selected->all, ElementsAre(ca.cert));
}

TEST(SelectCaCertificatesTest, ThreeLevelChainPinnedAtRoot) {
    const auto body = certs_only({pki().intermediate.cert, pki().root.cert, pki().issuing.cert});
    const auto certs = parse_ca_cert_response("application/x-x509-ca-ra-cert", chars(body));
    ASSERT_TRUE(certs);
    const auto selected =
        select_ca_certificates(*certs, pin_of(pki().root.cert), std::nullopt, at());
    ASSERT_TRUE(selected) << selected.error().to_string();
    EXPECT_EQ(selected->issuing_ca, pki().issuing.cert);
    EXPECT_EQ(selected->encryption, pki().issuing.cert);
    EXPECT_EQ(selected->signer, pki().issuing.cert);
    EXPECT_EQ(selected->anchor, pki().root.cert);
    EXPECT_THAT(selected->chain,
                ElementsAre(pki().issuing.cert, pki().intermediate.cert, pki().root.cert));
    EXPECT_EQ(selected->all, *certs);
}

TEST(SelectCaCertificatesTest, NdesLikeSetInAnyOrder) {
    // NDES: RA signing (digitalSignature only), RA encryption (keyEncipherment only) and the
    // issuing CA, in no fixed order (CertNanny #82). Here the issuing CA is a self-signed root.
    const auto ca = test_pki::issue(test_pki::ca_spec("Enterprise Issuing CA"), nullptr, rsa_key());
    const auto sign = test_pki::issue(
        ra_spec("NDES-SIGN", KeyUsageSet{KeyUsage::digital_signature}), &ca, rsa_key());
    const auto encrypt = test_pki::issue(
        ra_spec("NDES-ENCRYPT", KeyUsageSet{KeyUsage::key_encipherment}), &ca, rsa_key());
    Certificates order{ca.cert, encrypt.cert, sign.cert};
    std::sort(order.begin(), order.end(),
              [](const auto& a, const auto& b) { return a.to_der() < b.to_der(); });
    do {
        const auto body = certs_only(order);
        const auto certs = parse_ca_cert_response("application/x-x509-ca-ra-cert", chars(body));
        ASSERT_TRUE(certs);
        const auto selected = select_ca_certificates(*certs, pin_of(ca.cert), std::nullopt, at());
        ASSERT_TRUE(selected) << selected.error().to_string();
        EXPECT_EQ(selected->issuing_ca, ca.cert);
        EXPECT_EQ(selected->encryption, encrypt.cert);
        EXPECT_EQ(selected->signer, sign.cert);
        EXPECT_EQ(selected->anchor, ca.cert);
        EXPECT_THAT(selected->chain, ElementsAre(ca.cert));
    } while (std::next_permutation(order.begin(), order.end(), [](const auto& a, const auto& b) {
        return a.to_der() < b.to_der();
    }));
}

TEST(SelectCaCertificatesTest, PinnedIssuingCaThatIsNotSelfSigned) {
    const Certificates certs{pki().ra_encrypt.cert, pki().issuing.cert, pki().ra_sign.cert};
    const auto selected =
        select_ca_certificates(certs, pin_of(pki().issuing.cert), std::nullopt, at());
    ASSERT_TRUE(selected) << selected.error().to_string();
    EXPECT_EQ(selected->issuing_ca, pki().issuing.cert);
    EXPECT_EQ(selected->anchor, pki().issuing.cert);
    EXPECT_EQ(selected->encryption, pki().ra_encrypt.cert);
    EXPECT_EQ(selected->signer, pki().ra_sign.cert);
    EXPECT_THAT(selected->chain, ElementsAre(pki().issuing.cert));
}

TEST(SelectCaCertificatesTest, TrustedAnchorInsteadOfPin) {
    const Certificates certs{pki().ra_sign.cert, pki().issuing.cert, pki().intermediate.cert,
                             pki().ra_encrypt.cert};
    const auto selected = select_ca_certificates(certs, std::nullopt, pki().root.cert, at());
    ASSERT_TRUE(selected) << selected.error().to_string();
    EXPECT_EQ(selected->anchor, pki().root.cert);
    EXPECT_EQ(selected->encryption, pki().ra_encrypt.cert);
    EXPECT_EQ(selected->signer, pki().ra_sign.cert);
    EXPECT_THAT(selected->chain,
                ElementsAre(pki().issuing.cert, pki().intermediate.cert, pki().root.cert));
}

TEST(SelectCaCertificatesTest, PinNotInSetFallsBackToTrustedAnchor) {
    const Certificates certs{pki().root.cert, pki().intermediate.cert, pki().issuing.cert};
    const auto other_pin = pin_of(pki().unrelated.cert);
    const auto selected = select_ca_certificates(certs, other_pin, pki().root.cert, at());
    ASSERT_TRUE(selected) << selected.error().to_string();
    EXPECT_EQ(selected->anchor, pki().root.cert);
}

TEST(SelectCaCertificatesTest, SingleRaWithoutKeyUsageServesBothRoles) {
    const auto ra =
        test_pki::issue(ra_spec("RA without keyUsage", std::nullopt), &pki().issuing, rsa_key());
    const Certificates certs{ra.cert, pki().issuing.cert, pki().intermediate.cert, pki().root.cert};
    const auto selected =
        select_ca_certificates(certs, pin_of(pki().root.cert), std::nullopt, at());
    ASSERT_TRUE(selected) << selected.error().to_string();
    EXPECT_EQ(selected->issuing_ca, pki().issuing.cert);
    EXPECT_EQ(selected->encryption, ra.cert);
    EXPECT_EQ(selected->signer, ra.cert);
}

TEST(SelectCaCertificatesTest, SingleRaWithOneUsageServesBothRoles) {
    const Certificates certs{pki().issuing.cert, pki().ra_sign.cert};
    const auto selected =
        select_ca_certificates(certs, pin_of(pki().issuing.cert), std::nullopt, at());
    ASSERT_TRUE(selected) << selected.error().to_string();
    EXPECT_EQ(selected->encryption, pki().ra_sign.cert);
    EXPECT_EQ(selected->signer, pki().ra_sign.cert);
}

TEST(SelectCaCertificatesTest, PrefersRaCertificateValidAtTime) {
    auto spec = ra_spec("Old RA Encryption", KeyUsageSet{KeyUsage::key_encipherment});
    spec.not_after = at() - day;
    const auto old_encrypt = test_pki::issue(spec, &pki().issuing, rsa_key());
    const Certificates certs{old_encrypt.cert, pki().ra_sign.cert, pki().ra_encrypt.cert,
                             pki().issuing.cert};
    const auto selected =
        select_ca_certificates(certs, pin_of(pki().issuing.cert), std::nullopt, at());
    ASSERT_TRUE(selected) << selected.error().to_string();
    EXPECT_EQ(selected->encryption, pki().ra_encrypt.cert);
}

TEST(SelectCaCertificatesTest, DuplicatesTolerated) {
    const Certificates certs{pki().issuing.cert, pki().ra_sign.cert, pki().issuing.cert,
                             pki().ra_encrypt.cert, pki().ra_sign.cert};
    const auto selected =
        select_ca_certificates(certs, pin_of(pki().issuing.cert), std::nullopt, at());
    ASSERT_TRUE(selected) << selected.error().to_string();
    EXPECT_EQ(selected->all.size(), 5u);
}

void expect_failure(const common::Result<scep::CaCertificates>& selected, Errc code,
                    std::string_view detail) {
    ASSERT_FALSE(selected);
    EXPECT_EQ(selected.error().code(), code) << selected.error().to_string();
    EXPECT_THAT(selected.error().message(), HasSubstr(detail));
}

TEST(SelectCaCertificatesTest, PinMismatchRefused) {
    const Certificates certs{pki().root.cert, pki().intermediate.cert, pki().issuing.cert};
    const auto selected =
        select_ca_certificates(certs, pin_of(pki().unrelated.cert), std::nullopt, at());
    expect_failure(selected, Errc::verification,
                   "no certificate matches the pinned CA fingerprint");
    EXPECT_THAT(selected.error().message(), HasSubstr(pin_of(pki().root.cert).to_string()));
}

TEST(SelectCaCertificatesTest, Sha1PinRefused) {
    const Certificates certs{pki().root.cert, pki().intermediate.cert, pki().issuing.cert};
    const auto sha1 = pki().root.cert.fingerprint(crypto::DigestAlgorithm::sha1);
    expect_failure(select_ca_certificates(certs, sha1, std::nullopt, at()), Errc::unsupported,
                   "SHA-256 or stronger");
    expect_failure(select_ca_certificates(certs, sha1, pki().root.cert, at()), Errc::unsupported,
                   "SHA-256 or stronger");
}

TEST(SelectCaCertificatesTest, NeitherPinNorAnchorRefused) {
    const Certificates certs{pki().root.cert};
    expect_failure(select_ca_certificates(certs, std::nullopt, std::nullopt, at()),
                   Errc::invalid_argument, "no fingerprint or trust anchor");
}

TEST(SelectCaCertificatesTest, EmptySetRefused) {
    expect_failure(select_ca_certificates({}, pin_of(pki().root.cert), std::nullopt, at()),
                   Errc::protocol, "0 certificates");
}

TEST(SelectCaCertificatesTest, ExpiredIntermediateRefused) {
    auto spec = test_pki::ca_spec("Expired Intermediate");
    spec.not_after = at() - day;
    const auto expired = test_pki::issue(spec, &pki().root);
    const auto issuing =
        test_pki::issue(test_pki::ca_spec("Issuing under expired"), &expired, rsa_key());
    const Certificates certs{pki().root.cert, expired.cert, issuing.cert};
    expect_failure(select_ca_certificates(certs, pin_of(pki().root.cert), std::nullopt, at()),
                   Errc::verification, "expired");
    // The same set is fine while the intermediate was still valid.
    const auto earlier =
        select_ca_certificates(certs, pin_of(pki().root.cert), std::nullopt, at() - 30 * day);
    EXPECT_TRUE(earlier) << earlier.error().to_string();
}

TEST(SelectCaCertificatesTest, ExpiredPinnedIssuingCaRefused) {
    auto spec = test_pki::ca_spec("Expired CA");
    spec.not_after = at() - day;
    const auto ca = test_pki::issue(spec, nullptr, rsa_key());
    expect_failure(select_ca_certificates({ca.cert}, pin_of(ca.cert), std::nullopt, at()),
                   Errc::verification, "not valid at 2026-01-01T00:00:00Z");
}

TEST(SelectCaCertificatesTest, RaSignedByCaOutsideTheSetRefused) {
    const auto foreign =
        test_pki::issue(ra_spec("Foreign RA", KeyUsageSet{KeyUsage::key_encipherment}),
                        &pki().unrelated, rsa_key());
    const Certificates certs{pki().root.cert, pki().intermediate.cert, pki().issuing.cert,
                             foreign.cert};
    expect_failure(select_ca_certificates(certs, pin_of(pki().root.cert), std::nullopt, at()),
                   Errc::verification, "not issued by any CA certificate");
}

TEST(SelectCaCertificatesTest, RaCertificatesFromDifferentCasRefused) {
    const auto foreign =
        test_pki::issue(ra_spec("Foreign RA", KeyUsageSet{KeyUsage::key_encipherment}),
                        &pki().unrelated, rsa_key());
    const Certificates certs{pki().issuing.cert, pki().ra_sign.cert, pki().unrelated.cert,
                             foreign.cert};
    expect_failure(select_ca_certificates(certs, pin_of(pki().issuing.cert), std::nullopt, at()),
                   Errc::protocol, "issued by different CAs");
}

TEST(SelectCaCertificatesTest, UnrelatedCasRefused) {
    const Certificates certs{pki().root.cert, pki().intermediate.cert, pki().issuing.cert,
                             pki().unrelated.cert};
    expect_failure(select_ca_certificates(certs, pin_of(pki().root.cert), std::nullopt, at()),
                   Errc::protocol, "cannot tell the issuing CA");
    const Certificates with_ras{pki().issuing.cert, pki().ra_sign.cert, pki().unrelated.cert};
    expect_failure(select_ca_certificates(with_ras, pin_of(pki().issuing.cert), std::nullopt, at()),
                   Errc::protocol, "unrelated to the issuing CA");
}

TEST(SelectCaCertificatesTest, CrossCertifiedCasWithoutIssuingCaRefused) {
    const auto a = test_pki::issue(test_pki::ca_spec("Cross A"));
    const auto b = test_pki::issue(test_pki::ca_spec("Cross B"));
    const auto a_by_b = test_pki::issue(test_pki::ca_spec("Cross A"), &b, a.key);
    const auto b_by_a = test_pki::issue(test_pki::ca_spec("Cross B"), &a, b.key);
    const Certificates certs{a_by_b.cert, b_by_a.cert};
    expect_failure(select_ca_certificates(certs, std::nullopt, a.cert, at()), Errc::protocol,
                   "each CA certificate issued another one");
}

TEST(SelectCaCertificatesTest, ExpiredRaBelowPinnedIssuingCaRefused) {
    auto spec = ra_spec("Expired RA", KeyUsageSet{KeyUsage::key_encipherment});
    spec.not_after = at() - day;
    const auto expired = test_pki::issue(spec, &pki().issuing, rsa_key());
    const Certificates certs{pki().issuing.cert, expired.cert};
    expect_failure(select_ca_certificates(certs, pin_of(pki().issuing.cert), std::nullopt, at()),
                   Errc::verification, "CN=Expired RA: not valid at 2026-01-01T00:00:00Z");
}

TEST(SelectCaCertificatesTest, NoCaCertificateRefused) {
    const Certificates certs{pki().ra_sign.cert, pki().ra_encrypt.cert};
    expect_failure(select_ca_certificates(certs, pin_of(pki().ra_sign.cert), std::nullopt, at()),
                   Errc::protocol, "no CA certificate");
}

TEST(SelectCaCertificatesTest, PinnedRaCertificateRefused) {
    const Certificates certs{pki().issuing.cert, pki().ra_sign.cert};
    expect_failure(select_ca_certificates(certs, pin_of(pki().ra_sign.cert), std::nullopt, at()),
                   Errc::verification, "the anchor CN=SCEP RA Signing is not a CA certificate");
}

TEST(SelectCaCertificatesTest, IssuingCaNotChainingToPinRefused) {
    // The pin matches the root, but the issuing CA of the set hangs below another root.
    const auto other_issuing =
        test_pki::issue(test_pki::ca_spec("Other Issuing CA"), &pki().unrelated, rsa_key());
    expect_failure(
        select_ca_certificates({other_issuing.cert}, std::nullopt, pki().root.cert, at()),
        Errc::verification, "issuing CA");
}

TEST(SelectCaCertificatesTest, ForgedRaSignatureRefused) {
    // Same issuer name and key identifier as the issuing CA, signed with another key.
    const test_pki::Issued impostor{pki().issuing.cert, rsa_key()};
    const auto forged = test_pki::issue(
        ra_spec("Forged RA", KeyUsageSet{KeyUsage::key_encipherment}), &impostor, rsa_key());
    const Certificates certs{pki().issuing.cert, forged.cert};
    expect_failure(select_ca_certificates(certs, pin_of(pki().issuing.cert), std::nullopt, at()),
                   Errc::verification, "not issued by any CA certificate");
}

TEST(SelectCaCertificatesTest, EcEncryptionCertificateRefused) {
    const auto ec_encrypt = test_pki::issue(
        ra_spec("EC RA Encryption", KeyUsageSet{KeyUsage::key_encipherment}), &pki().issuing);
    const Certificates certs{pki().issuing.cert, pki().ra_sign.cert, ec_encrypt.cert};
    expect_failure(select_ca_certificates(certs, pin_of(pki().issuing.cert), std::nullopt, at()),
                   Errc::unsupported, "SCEP key transport needs RSA");
    // Without RA certificates the CA itself is the recipient: an EC CA cannot be one.
    expect_failure(select_ca_certificates({pki().unrelated.cert}, pin_of(pki().unrelated.cert),
                                          std::nullopt, at()),
                   Errc::unsupported, "EC P-256");
}

TEST(SelectCaCertificatesTest, UndecodablePublicKeyRefused) {
    // Found by fuzz_ca_cert_response: OpenSSL parses a certificate whose key it cannot decode.
    // Pinned directly, nothing verifies a signature with that key before the RSA check.
    const auto ca = test_pki::issue(test_pki::ca_spec("Broken Key CA"), nullptr, rsa_key());
    auto der = ca.cert.to_der();
    const crypto::Bytes rsa_public_key{0x30, 0x82, 0x01, 0x0A, 0x02, 0x82, 0x01, 0x01};
    const auto at_key =
        std::search(der.begin(), der.end(), rsa_public_key.begin(), rsa_public_key.end());
    ASSERT_NE(at_key, der.end());
    at_key[4] = 0x04;  // the modulus is no longer an INTEGER
    const auto broken = Certificate::from_der(der);
    ASSERT_TRUE(broken) << broken.error().to_string();
    expect_failure(select_ca_certificates({*broken}, pin_of(*broken), std::nullopt, at()),
                   Errc::unsupported, "no public key we can decode");
}

}  // namespace
