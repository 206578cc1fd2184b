#include "crypto/certificate.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <string>
#include <vector>

#include "crypto/private_key.h"
#include "unit/crypto/test_pki.h"

namespace crypto {
namespace {

using common::Errc;
using test_pki::at;

Certificate load(std::string_view name) {
    auto cert = Certificate::from_pem(test_pki::read_text(std::string(name) + ".pem"));
    EXPECT_TRUE(cert) << name << ": " << (cert ? "" : cert.error().to_string());
    return std::move(cert).value();
}

// The serial number as `openssl x509 -serial` prints it (upper-case hex).
std::string openssl_serial(std::string_view name) {
    const auto out = test_pki::run("openssl x509 -noout -serial -in '" +
                                   test_pki::path(std::string(name) + ".pem") + "'");
    EXPECT_EQ(out.status, 0) << out.output;
    return test_pki::value_after_equals(out.output);
}

// A certificate made in memory with the OpenSSL API, for properties the test PKI lacks.
struct BuiltCertificate {
    long serial = 1;
    std::time_t not_before = 0;
    std::time_t not_after = 0;
    bool key_usage = false;
};

Certificate build(const BuiltCertificate& spec) {
    EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    X509* x = X509_new();
    EXPECT_TRUE(key != nullptr && x != nullptr);
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), spec.serial);
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("built"), -1, -1, 0);
    X509_set_issuer_name(x, name);
    ASN1_TIME_set(X509_getm_notBefore(x), spec.not_before);
    ASN1_TIME_set(X509_getm_notAfter(x), spec.not_after);
    X509_set_pubkey(x, key);
    if (spec.key_usage) {
        X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, nullptr, NID_key_usage,
                                                  "critical,nonRepudiation,decipherOnly");
        EXPECT_NE(ext, nullptr);
        X509_add_ext(x, ext, -1);
        X509_EXTENSION_free(ext);
    }
    EXPECT_GT(X509_sign(x, key, EVP_sha256()), 0);
    EVP_PKEY_free(key);
    return Certificate::adopt(x);
}

TEST(CertificateTest, LeafFields) {
    const Certificate leaf = load("leaf");
    EXPECT_EQ(leaf.subject(), "CN=device-001,O=certkeeper tests");
    EXPECT_EQ(leaf.issuer(), "CN=certkeeper Test Issuing CA,O=certkeeper tests");
    EXPECT_EQ(leaf.common_name(), "device-001");
    EXPECT_EQ(leaf.serial_hex(), openssl_serial("leaf"));
    EXPECT_EQ(leaf.not_before(), at("2025-01-01T00:00:00Z"));
    EXPECT_EQ(leaf.not_after(), at("2027-01-01T00:00:00Z"));
    EXPECT_FALSE(leaf.is_self_issued());
    EXPECT_FALSE(leaf.is_ca());
    EXPECT_EQ(leaf.path_length(), std::nullopt);
    EXPECT_EQ(leaf.subject_alt_names(),
              (std::vector<SubjectAltName>{{SubjectAltName::Type::dns, "device-001.example.net"},
                                           {SubjectAltName::Type::ip, "192.0.2.10"}}));
    EXPECT_EQ(leaf.key_usage(),
              (KeyUsageSet{KeyUsage::digital_signature, KeyUsage::key_encipherment}));
    EXPECT_EQ(leaf.extended_key_usage(), (std::vector<std::string>{std::string(eku::client_auth),
                                                                   std::string(eku::server_auth)}));
    EXPECT_EQ(leaf.public_key_description(), "RSA 2048");
    EXPECT_EQ(leaf.signature_algorithm(), "sha256WithRSAEncryption");
}

TEST(CertificateTest, SerialNumbersMatchOpensslCli) {
    for (const char* name :
         {"root", "other-root", "int", "leaf", "expired", "revoked", "ec-leaf"}) {
        const std::string expected = openssl_serial(name);
        ASSERT_FALSE(expected.empty()) << name;
        EXPECT_EQ(load(name).serial_hex(), expected) << name;
    }
    // Each CA numbers from 1000 (hex) in issue order.
    EXPECT_EQ(load("leaf").serial_hex(), "1000");
    EXPECT_EQ(load("revoked").serial_hex(), "1002");
}

TEST(CertificateTest, RootFields) {
    const Certificate root = load("root");
    EXPECT_EQ(root.subject(), "CN=certkeeper Test Root,O=certkeeper tests");
    EXPECT_EQ(root.issuer(), root.subject());
    EXPECT_TRUE(root.is_self_issued());
    EXPECT_TRUE(root.is_ca());
    EXPECT_EQ(root.path_length(), std::nullopt);
    EXPECT_EQ(root.key_usage(), (KeyUsageSet{KeyUsage::key_cert_sign, KeyUsage::crl_sign}));
    EXPECT_TRUE(root.extended_key_usage().empty());
    EXPECT_TRUE(root.subject_alt_names().empty());
    EXPECT_EQ(root.not_before(), at("2024-01-01T00:00:00Z"));
    EXPECT_EQ(root.not_after(), at("2044-01-01T00:00:00Z"));
}

TEST(CertificateTest, IntermediateFields) {
    const Certificate intermediate = load("int");
    EXPECT_TRUE(intermediate.is_ca());
    EXPECT_FALSE(intermediate.is_self_issued());
    EXPECT_EQ(intermediate.path_length(), 0);
    EXPECT_EQ(intermediate.common_name(), "certkeeper Test Issuing CA");
    EXPECT_EQ(intermediate.not_after(), at("2034-01-01T00:00:00Z"));
}

TEST(CertificateTest, EcLeaf) {
    const Certificate ec = load("ec-leaf");
    EXPECT_EQ(ec.public_key_description(), "EC P-256");
    EXPECT_EQ(ec.signature_algorithm(), "sha256WithRSAEncryption");  // signed by the RSA CA
    EXPECT_EQ(ec.subject_alt_names(),
              (std::vector<SubjectAltName>{{SubjectAltName::Type::dns, "ec-device.example.net"}}));
}

TEST(CertificateTest, ValidityIsInclusiveAtBothEnds) {
    const Certificate leaf = load("leaf");
    EXPECT_TRUE(leaf.is_valid_at(at("2026-01-01T00:00:00Z")));
    EXPECT_TRUE(leaf.is_valid_at(at("2025-01-01T00:00:00Z")));
    EXPECT_TRUE(leaf.is_valid_at(at("2027-01-01T00:00:00Z")));
    EXPECT_FALSE(leaf.is_valid_at(at("2024-12-31T23:59:59Z")));
    EXPECT_FALSE(leaf.is_valid_at(at("2027-01-01T00:00:01Z")));

    const Certificate expired = load("expired");
    EXPECT_FALSE(expired.is_valid_at(at("2026-01-01T00:00:00Z")));
    EXPECT_TRUE(expired.is_valid_at(at("2020-06-01T00:00:00Z")));
    EXPECT_EQ(expired.not_after(), at("2021-01-01T00:00:00Z"));
}

TEST(CertificateTest, SignatureChecks) {
    const Certificate root = load("root");
    const Certificate other_root = load("other-root");
    const Certificate intermediate = load("int");
    const Certificate leaf = load("leaf");
    EXPECT_TRUE(leaf.is_signed_by(intermediate));
    EXPECT_TRUE(intermediate.is_signed_by(root));
    EXPECT_TRUE(root.is_signed_by(root));
    EXPECT_TRUE(load("ec-leaf").is_signed_by(intermediate));
    EXPECT_FALSE(leaf.is_signed_by(root));
    EXPECT_FALSE(leaf.is_signed_by(leaf));
    EXPECT_FALSE(intermediate.is_signed_by(other_root));
    EXPECT_FALSE(root.is_signed_by(other_root));
}

TEST(CertificateTest, DerAndPemRoundTrip) {
    const Bytes der = test_pki::read_bytes("leaf.der");
    const std::string pem = test_pki::read_text("leaf.pem");
    const Certificate from_der = Certificate::from_der(der).value();
    const Certificate from_pem = Certificate::from_pem(pem).value();
    EXPECT_EQ(from_der, from_pem);
    EXPECT_EQ(from_der.to_der(), der);
    EXPECT_EQ(from_pem.to_pem(), pem);
    EXPECT_EQ(Certificate::from_pem(from_der.to_pem()).value().to_der(), der);
}

TEST(CertificateTest, PublicKeyDerMatchesTheKeyFile) {
    const auto key = PrivateKey::from_pem(test_pki::read_text("leaf.key")).value();
    EXPECT_EQ(load("leaf").public_key_der(), key.public_key_der());
    EXPECT_NE(load("int").public_key_der(), key.public_key_der());

    const auto out =
        test_pki::run("openssl x509 -noout -pubkey -in '" + test_pki::path("leaf.pem") +
                      "' | openssl pkey -pubin -outform DER | od -An -v -tx1 | tr -d ' \\n'");
    ASSERT_EQ(out.status, 0) << out.output;
    EXPECT_EQ(to_hex(load("leaf").public_key_der()), out.output);
}

TEST(CertificateTest, EqualityAndCopies) {
    const Certificate leaf = load("leaf");
    const Certificate copy = leaf;  // NOLINT(performance-unnecessary-copy-initialization)
    EXPECT_EQ(copy.native(), leaf.native()) << "copies share the OpenSSL object";
    EXPECT_EQ(copy, leaf);
    EXPECT_EQ(load("leaf"), leaf) << "equal by encoding, not by identity";
    EXPECT_FALSE(leaf == load("int"));
    EXPECT_FALSE(leaf == load("revoked"));
}

TEST(CertificateTest, AllFromPemKeepsOrderAndSkipsOtherBlocks) {
    auto chain = Certificate::all_from_pem(test_pki::read_text("fullchain.pem"));
    ASSERT_TRUE(chain) << chain.error().to_string();
    ASSERT_EQ(chain->size(), 2u);
    EXPECT_EQ((*chain)[0], load("leaf"));
    EXPECT_EQ((*chain)[1], load("int"));
    EXPECT_EQ(Certificate::from_pem(test_pki::read_text("fullchain.pem")).value(), load("leaf"));

    const std::string mixed = "leading text\n" + test_pki::read_text("leaf.key") +
                              test_pki::read_text("int.crl.pem") + test_pki::read_text("root.pem") +
                              "trailing text\n";
    auto only_root = Certificate::all_from_pem(mixed);
    ASSERT_TRUE(only_root) << only_root.error().to_string();
    ASSERT_EQ(only_root->size(), 1u);
    EXPECT_EQ(only_root->front(), load("root"));
}

TEST(CertificateTest, AcceptsTheLegacyX509CertificateLabel) {
    std::string pem = test_pki::read_text("root.pem");
    pem.replace(pem.find("BEGIN CERTIFICATE"), 17, "BEGIN X509 CERTIFICATE");
    pem.replace(pem.find("END CERTIFICATE"), 15, "END X509 CERTIFICATE");
    EXPECT_EQ(Certificate::from_pem(pem).value(), load("root"));
}

TEST(CertificateTest, LoadAnyDecidesByContent) {
    auto from_der = Certificate::load_any(test_pki::read_bytes("int.der"));
    ASSERT_TRUE(from_der) << from_der.error().to_string();
    ASSERT_EQ(from_der->size(), 1u);
    EXPECT_EQ(from_der->front(), load("int"));

    auto from_pem = Certificate::load_any(test_pki::read_bytes("fullchain.pem"));
    ASSERT_TRUE(from_pem) << from_pem.error().to_string();
    EXPECT_EQ(from_pem->size(), 2u);
}

TEST(CertificateTest, SerialHexHasNoLeadingZeros) {
    EXPECT_EQ(build({.serial = 0x100, .not_before = 0, .not_after = 86400}).serial_hex(), "100");
    EXPECT_EQ(build({.serial = 0x1, .not_before = 0, .not_after = 86400}).serial_hex(), "1");
    EXPECT_EQ(build({.serial = 0xABCDEF, .not_before = 0, .not_after = 86400}).serial_hex(),
              "ABCDEF");
    EXPECT_EQ(build({.serial = 0, .not_before = 0, .not_after = 86400}).serial_hex(), "0");
}

TEST(CertificateTest, TimesAfter2049UseGeneralizedTime) {
    const std::time_t y2051 = 2556144000;  // 2051-01-01T00:00:00Z
    const std::time_t y2100 = 4102444800;  // 2100-01-01T00:00:00Z
    const Certificate c = build({.serial = 7, .not_before = y2051, .not_after = y2100});
    EXPECT_EQ(c.not_before(), at("2051-01-01T00:00:00Z"));
    EXPECT_EQ(c.not_after(), at("2100-01-01T00:00:00Z"));
    EXPECT_TRUE(c.is_valid_at(at("2075-01-01T00:00:00Z")));
    EXPECT_FALSE(c.is_valid_at(at("2026-01-01T00:00:00Z")));
}

TEST(CertificateTest, NoWellDefinedExpirationSaturates) {
    // RFC 5280 §4.1.2.5: notAfter 99991231235959Z means "no expiry"; SystemTime ends in 2262.
    const std::time_t y9999 = 253402300799;  // 9999-12-31T23:59:59Z
    const Certificate c = build({.serial = 8, .not_before = 0, .not_after = y9999});
    EXPECT_EQ(c.not_after(), SystemTime::max());
    EXPECT_EQ(c.not_before(), SystemTime{});
    EXPECT_TRUE(c.is_valid_at(at("2026-01-01T00:00:00Z")));
    EXPECT_TRUE(c.is_valid_at(at("2262-04-11T23:47:16Z")));
}

TEST(CertificateTest, KeyUsageAbsentOrUnusualBits) {
    const Certificate without = build({.serial = 2, .not_before = 0, .not_after = 86400});
    EXPECT_EQ(without.key_usage(), std::nullopt);
    EXPECT_TRUE(without.extended_key_usage().empty());
    EXPECT_TRUE(without.subject_alt_names().empty());
    EXPECT_EQ(without.public_key_description(), "EC P-256");
    EXPECT_EQ(without.signature_algorithm(), "ecdsa-with-SHA256");
    EXPECT_TRUE(without.is_self_issued());
    EXPECT_FALSE(without.is_ca());

    const Certificate with =
        build({.serial = 3, .not_before = 0, .not_after = 86400, .key_usage = true});
    EXPECT_EQ(with.key_usage(),
              (KeyUsageSet{KeyUsage::content_commitment, KeyUsage::decipher_only}));
}

TEST(CertificateTest, ParseSubjectAltName) {
    using T = SubjectAltName::Type;
    EXPECT_EQ(parse_subject_alt_name("dns:device.example.net").value(),
              (SubjectAltName{T::dns, "device.example.net"}));
    EXPECT_EQ(parse_subject_alt_name("DNS:device.example.net").value(),
              (SubjectAltName{T::dns, "device.example.net"}));
    EXPECT_EQ(parse_subject_alt_name("ip:192.0.2.1").value(), (SubjectAltName{T::ip, "192.0.2.1"}));
    EXPECT_EQ(parse_subject_alt_name("IP:2001:db8::1").value(),
              (SubjectAltName{T::ip, "2001:db8::1"}));
    EXPECT_EQ(parse_subject_alt_name("uri:https://device.example.net/x?y=1").value(),
              (SubjectAltName{T::uri, "https://device.example.net/x?y=1"}));
    EXPECT_EQ(parse_subject_alt_name("email:ops@example.net").value(),
              (SubjectAltName{T::email, "ops@example.net"}));
}

TEST(CertificateTest, ParseSubjectAltNameRejectsMalformed) {
    for (const char* bad :
         {"", "device.example.net", "dns:", "ip:", "ip:999.0.2.1", "ip:192.0.2",
          "ip:device.example.net", "ip:2001:db8::g", "ftp:x", ":x", "other:x", "dirName:CN=x"}) {
        auto r = parse_subject_alt_name(bad);
        ASSERT_FALSE(r) << "accepted '" << bad << "'";
        EXPECT_EQ(r.error().code(), Errc::invalid_argument) << bad;
    }
}

TEST(CertificateTest, SubjectAltNameTypeNames) {
    EXPECT_EQ(to_string(SubjectAltName::Type::dns), "DNS");
    EXPECT_EQ(to_string(SubjectAltName::Type::ip), "IP");
    EXPECT_EQ(to_string(SubjectAltName::Type::uri), "URI");
    EXPECT_EQ(to_string(SubjectAltName::Type::email), "email");
    EXPECT_EQ(to_string(SubjectAltName::Type::other), "other");
}

// Malformed input: every parser returns an error value with the right code, never crashes,
// throws or leaks (the suite runs under ASan/UBSan).

template <typename T>
void expect_parse_error(const common::Result<T>& r, const std::string& what) {
    test_pki::expect_openssl_queue_empty(what);
    ASSERT_FALSE(r.has_value()) << what << " was accepted";
    EXPECT_EQ(r.error().code(), Errc::parse) << what << ": " << r.error().to_string();
}

TEST(CertificateMalformedTest, Empty) {
    expect_parse_error(Certificate::from_der({}), "empty DER");
    expect_parse_error(Certificate::from_pem(""), "empty PEM");
    expect_parse_error(Certificate::all_from_pem(""), "empty PEM");
    expect_parse_error(Certificate::load_any({}), "empty input");
}

TEST(CertificateMalformedTest, TruncatedDerAtEveryLength) {
    const Bytes der = test_pki::read_bytes("ec-leaf.der");
    ASSERT_GT(der.size(), 100u);
    for (std::size_t n = 1; n < der.size(); ++n) {
        const Bytes prefix(der.begin(), der.begin() + static_cast<std::ptrdiff_t>(n));
        expect_parse_error(Certificate::from_der(prefix), "DER truncated to " + std::to_string(n));
        expect_parse_error(Certificate::load_any(prefix), "DER truncated to " + std::to_string(n));
        if (HasFailure())
            return;
    }
}

TEST(CertificateMalformedTest, TruncatedPem) {
    const std::string pem = test_pki::read_text("leaf.pem");
    for (std::size_t n : {pem.size() / 2, pem.size() - 30, pem.size() - 2}) {
        expect_parse_error(Certificate::from_pem(pem.substr(0, n)),
                           "PEM cut at " + std::to_string(n));
    }
}

TEST(CertificateMalformedTest, Garbage) {
    expect_parse_error(Certificate::from_der(test_pki::garbage(1000)), "garbage DER");
    expect_parse_error(Certificate::from_der(Bytes{0x30}), "lone SEQUENCE tag");
    expect_parse_error(Certificate::from_der(Bytes{0x30, 0x00}), "empty SEQUENCE");
    expect_parse_error(Certificate::from_der(Bytes{0x30, 0x84, 0xff, 0xff, 0xff, 0xff}),
                       "huge length");
    expect_parse_error(Certificate::from_pem("not a certificate"), "text");
    expect_parse_error(Certificate::load_any(test_pki::garbage(64)), "garbage");
    expect_parse_error(Certificate::load_any(as_bytes("-----BEGIN nothing")), "half a PEM line");
}

TEST(CertificateMalformedTest, OtherObjectsAreNotCertificates) {
    expect_parse_error(Certificate::from_der(test_pki::read_bytes("int.crl.der")), "CRL DER");
    expect_parse_error(Certificate::from_pem(test_pki::read_text("int.crl.pem")), "CRL PEM");
    expect_parse_error(Certificate::all_from_pem(test_pki::read_text("int.crl.pem")), "CRL PEM");
    expect_parse_error(Certificate::load_any(test_pki::read_bytes("int.crl.pem")), "CRL PEM");
    expect_parse_error(Certificate::load_any(test_pki::read_bytes("int.crl.der")), "CRL DER");
    expect_parse_error(Certificate::from_pem(test_pki::read_text("leaf.key")), "key PEM");
    // A PEM block labelled CERTIFICATE that holds a CRL.
    std::string relabelled = test_pki::read_text("int.crl.pem");
    relabelled.replace(relabelled.find("BEGIN X509 CRL"), 14, "BEGIN CERTIFICATE");
    relabelled.replace(relabelled.find("END X509 CRL"), 12, "END CERTIFICATE");
    expect_parse_error(Certificate::from_pem(relabelled), "CRL labelled CERTIFICATE");
}

TEST(CertificateMalformedTest, TrailingDataAfterDer) {
    Bytes der = test_pki::read_bytes("leaf.der");
    der.push_back(0x00);
    expect_parse_error(Certificate::from_der(der), "DER + 1 byte");
    expect_parse_error(Certificate::load_any(der), "DER + 1 byte");
    Bytes two = test_pki::read_bytes("leaf.der");
    const Bytes second = test_pki::read_bytes("int.der");
    two.insert(two.end(), second.begin(), second.end());
    expect_parse_error(Certificate::from_der(two), "two DER certificates");
}

TEST(CertificateMalformedTest, BrokenBase64InPem) {
    expect_parse_error(
        Certificate::from_pem(test_pki::break_pem_base64(test_pki::read_text("leaf.pem"))),
        "broken base64");
    // A later broken block fails the whole text too.
    const std::string good_then_bad = test_pki::read_text("leaf.pem") +
                                      test_pki::break_pem_base64(test_pki::read_text("int.pem"));
    expect_parse_error(Certificate::all_from_pem(good_then_bad), "good then broken block");
    expect_parse_error(Certificate::load_any(as_bytes(good_then_bad)), "good then broken block");
}

TEST(CertificateMalformedTest, WellFormedPemWithBadDer) {
    const std::string pem = "-----BEGIN CERTIFICATE-----\n" + to_base64(test_pki::garbage(48)) +
                            "\n-----END CERTIFICATE-----\n";
    expect_parse_error(Certificate::from_pem(pem), "PEM of garbage");
    expect_parse_error(Certificate::all_from_pem(test_pki::read_text("root.pem") + pem),
                       "good then garbage");
}

// Whatever single byte is corrupted, the result is a parse error or a certificate whose every
// accessor works and whose signature no longer verifies.
TEST(CertificateMalformedTest, SingleByteCorruptionIsAnErrorOrAnUnverifiableCertificate) {
    const Certificate issuer = load("int");
    const Bytes der = test_pki::read_bytes("ec-leaf.der");
    int parsed = 0;
    test_pki::for_each_corruption(der, [&](std::size_t i, const Bytes& corrupt) {
        const std::string what = "byte " + std::to_string(i) + " corrupted";
        auto cert = Certificate::from_der(corrupt);
        if (!cert) {
            EXPECT_EQ(cert.error().code(), Errc::parse) << what;
            test_pki::expect_openssl_queue_empty(what);
            return;
        }
        ++parsed;
        (void)cert->subject();
        (void)cert->issuer();
        (void)cert->common_name();
        (void)cert->serial_hex();
        (void)cert->is_valid_at(at("2026-01-01T00:00:00Z"));
        (void)cert->is_self_issued();
        (void)cert->is_ca();
        (void)cert->path_length();
        (void)cert->subject_alt_names();
        (void)cert->key_usage();
        (void)cert->extended_key_usage();
        (void)cert->public_key_description();
        (void)cert->public_key_der();
        (void)cert->signature_algorithm();
        (void)cert->to_pem();
        EXPECT_EQ(cert->fingerprint(), Fingerprint::of(corrupt)) << what;
        EXPECT_FALSE(cert->is_signed_by(issuer)) << what;
        test_pki::expect_openssl_queue_empty(what);
    });
    EXPECT_GT(parsed, 0) << "corruption of a string's contents still parses";
    EXPECT_LT(parsed, static_cast<int>(der.size()));
}

TEST(CertificateMalformedTest, OversizedInputIsRefusedBeforeParsing) {
    const Bytes huge(64u * 1024u * 1024u + 1u, 0x30);
    auto der = Certificate::from_der(huge);
    ASSERT_FALSE(der);
    EXPECT_EQ(der.error().code(), Errc::invalid_argument);
    auto pem = Certificate::from_pem(as_chars(huge));
    ASSERT_FALSE(pem);
    EXPECT_EQ(pem.error().code(), Errc::invalid_argument);
}

}  // namespace
}  // namespace crypto
