// ca::Authority::issue, random_serial and ca::make_ca, cross-checked with crypto::ChainValidator
// and the openssl command-line tool.
#include "ca/authority.h"

#include <gtest/gtest.h>

#include <openssl/ec.h>
#include <openssl/rsa.h>

#include <set>

#include "ca/make_ca.h"
#include "crypto/certificate_builder.h"
#include "crypto/chain_validator.h"
#include "unit/ca/ca_test_pki.h"

namespace {

using namespace std::chrono_literals;
using ca_test::now;
using crypto::SubjectAltName;

crypto::Bytes serial() {
    return ca::random_serial().value();
}

std::string openssl_text(const crypto::Certificate& cert) {
    test_pki::TempFile file(cert.to_pem());
    return test_pki::run("openssl x509 -noout -text -in " + file.path()).output;
}

// `openssl verify` of leaf through the test CA's chain at `at`.
test_pki::CommandResult openssl_verify(const crypto::Certificate& leaf, common::SystemTime at) {
    const auto& pki = ca_test::material();
    test_pki::TempFile root(pki.root.certificate.to_pem());
    test_pki::TempFile intermediate(pki.intermediate->certificate.to_pem());
    test_pki::TempFile cert(leaf.to_pem());
    return test_pki::run("openssl verify -x509_strict -attime " + ca_test::epoch_seconds(at) +
                         " -CAfile " + root.path() + " -untrusted " + intermediate.path() + " " +
                         cert.path());
}

crypto::CertificatePath validate(const crypto::Certificate& leaf,
                                 const crypto::ValidationOptions& options) {
    crypto::ChainValidator validator({ca_test::material().root.certificate});
    auto path = validator.validate(leaf, {ca_test::material().intermediate->certificate}, options);
    EXPECT_TRUE(path) << path.error().to_string();
    return path ? *path : crypto::CertificatePath{};
}

TEST(AuthorityIssue, IssuesFromCsrAndTheChainValidates) {
    const auto key = ca_test::ec_key();
    const auto csr = ca_test::csr_for(key, "CN=device-001,O=Example",
                                      {"dns:device-001.example.net", "ip:192.0.2.7"});
    const auto number = serial();
    auto cert = ca_test::authority().issue(csr, ca::default_device_profile(), number, now());
    ASSERT_TRUE(cert) << cert.error().to_string();

    EXPECT_EQ(cert->subject(), "CN=device-001,O=Example");
    EXPECT_EQ(cert->issuer(), ca_test::authority().certificate().subject());
    EXPECT_EQ(cert->serial_hex(), ca::serial_hex(number));
    EXPECT_EQ(cert->not_before(), now() - 5min);
    EXPECT_EQ(cert->not_after(), now() + std::chrono::hours(24 * 365));
    EXPECT_TRUE(key.matches(*cert));
    EXPECT_FALSE(cert->is_ca());
    EXPECT_EQ(cert->signature_algorithm(), "ecdsa-with-SHA256");

    crypto::ValidationOptions options;
    options.time = now();
    options.expected_peer_name =
        crypto::PeerName{crypto::PeerName::Kind::dns, "device-001.example.net"};
    options.required_key_usage = {crypto::KeyUsage::digital_signature,
                                  crypto::KeyUsage::key_encipherment};
    options.required_extended_key_usage = {std::string(crypto::eku::client_auth),
                                           std::string(crypto::eku::server_auth)};
    EXPECT_EQ(validate(*cert, options).size(), 3u);

    const auto verified = openssl_verify(*cert, now());
    EXPECT_EQ(verified.status, 0) << verified.output;
    EXPECT_NE(verified.output.find(": OK"), std::string::npos) << verified.output;
}

TEST(AuthorityIssue, ExtensionsAreAsProfiled) {
    ca::CertificateProfile profile;
    profile.name = "vpn";
    profile.validity = std::chrono::hours(24 * 30);
    profile.key_usage = {crypto::KeyUsage::digital_signature};
    profile.extended_key_usage = {std::string(crypto::eku::client_auth)};
    profile.crl_url = "http://crl.example.net/issuing.crl";
    profile.ocsp_url = "http://ocsp.example.net/";
    profile.ca_issuers_url = "http://ca.example.net/issuing.der";
    const auto csr = ca_test::csr_for(ca_test::ec_key(), "CN=vpn-7",
                                      {"dns:vpn-7.example.net", "email:ops@example.net",
                                       "uri:urn:example:vpn-7", "ip:2001:db8::7"});
    auto cert = ca_test::authority().issue(csr, profile, serial(), now());
    ASSERT_TRUE(cert) << cert.error().to_string();

    EXPECT_EQ(cert->key_usage(), crypto::KeyUsageSet{crypto::KeyUsage::digital_signature});
    EXPECT_EQ(cert->extended_key_usage(),
              std::vector<std::string>{std::string(crypto::eku::client_auth)});
    EXPECT_EQ(cert->crl_distribution_urls(),
              std::vector<std::string>{"http://crl.example.net/issuing.crl"});
    EXPECT_EQ(cert->ocsp_urls(), std::vector<std::string>{"http://ocsp.example.net/"});
    EXPECT_EQ(cert->ca_issuers_urls(),
              std::vector<std::string>{"http://ca.example.net/issuing.der"});
    EXPECT_EQ(cert->not_after(), now() + std::chrono::hours(24 * 30));

    const std::string text = openssl_text(*cert);
    for (const char* expected :
         {"X509v3 Basic Constraints: critical\n                CA:FALSE",
          "X509v3 Key Usage: critical\n                Digital Signature\n",
          "X509v3 Extended Key Usage: \n                TLS Web Client Authentication\n",
          "DNS:vpn-7.example.net, email:ops@example.net, URI:urn:example:vpn-7, IP "
          "Address:2001:DB8:0:0:0:0:0:7",
          "X509v3 Subject Key Identifier", "X509v3 Authority Key Identifier",
          "Full Name:\n                  URI:http://crl.example.net/issuing.crl",
          "OCSP - URI:http://ocsp.example.net/",
          "CA Issuers - URI:http://ca.example.net/issuing.der"}) {
        EXPECT_NE(text.find(expected), std::string::npos) << "missing: " << expected << "\n"
                                                          << text;
    }
    EXPECT_EQ(text.find("X509v3 Subject Alternative Name: critical"), std::string::npos);
    // The authority key identifier is the CA's subject key identifier.
    const std::string ca_text = openssl_text(ca_test::authority().certificate());
    const auto ski_at = ca_text.find("X509v3 Subject Key Identifier: \n") + 32;
    const std::string ca_ski = ca_text.substr(ca_text.find_first_not_of(' ', ski_at), 59);
    EXPECT_NE(text.find(ca_ski), std::string::npos) << ca_ski << "\n" << text;
}

TEST(AuthorityIssue, RsaCaSignsWithSha256AndRsaRequestsAreAccepted) {
    const auto root_key = ca_test::rsa_key("root");
    crypto::CertificateBuilder builder;
    builder.serial(serial())
        .subject("CN=RSA Test CA")
        .ca()
        .key_usage({crypto::KeyUsage::key_cert_sign, crypto::KeyUsage::crl_sign});
    auto root =
        builder.validity(now() - 24h, now() + std::chrono::hours(24 * 3650)).self_sign(root_key);
    ASSERT_TRUE(root) << root.error().to_string();
    auto authority = ca::Authority::create(*root, root_key, {});
    ASSERT_TRUE(authority) << authority.error().to_string();

    auto cert = authority->issue(ca_test::csr_for(ca_test::rsa_key("leaf")),
                                 ca::default_device_profile(), serial(), now());
    ASSERT_TRUE(cert) << cert.error().to_string();
    EXPECT_EQ(cert->signature_algorithm(), "sha256WithRSAEncryption");
    EXPECT_EQ(cert->public_key_description(), "RSA 2048");
    EXPECT_TRUE(cert->is_signed_by(*root));
}

TEST(AuthorityIssue, ValidityIsClampedToTheCa) {
    ca::CaOptions options;
    options.root_validity = ca::CaOptions::days(400);
    options.intermediate_subject = "CN=Short Issuing CA";
    options.intermediate_validity = ca::CaOptions::days(3650);  // clamped to the root's 400 days
    auto made = ca::make_ca(options, now());
    ASSERT_TRUE(made) << made.error().to_string();
    EXPECT_EQ(made->intermediate->certificate.not_after(), made->root.certificate.not_after());
    auto authority = made->authority();
    ASSERT_TRUE(authority) << authority.error().to_string();

    const auto later = now() + std::chrono::hours(24 * 300);
    ca::CertificateProfile profile = ca::default_device_profile();
    auto cert = authority->issue(ca_test::csr_for(ca_test::ec_key()), profile, serial(), later);
    ASSERT_TRUE(cert) << cert.error().to_string();
    EXPECT_EQ(cert->not_after(), made->root.certificate.not_after());
    EXPECT_EQ(cert->not_after(), now() + std::chrono::hours(24 * 400));
    EXPECT_EQ(cert->not_before(), later - 5min);

    // Within five minutes of the CA's birth, notBefore does not reach back before the CA's.
    auto early =
        authority->issue(ca_test::csr_for(ca_test::ec_key()), profile, serial(), now() - 2min);
    ASSERT_TRUE(early) << early.error().to_string();
    EXPECT_EQ(early->not_before(), made->intermediate->certificate.not_before());

    auto expired = authority->issue(ca_test::csr_for(ca_test::ec_key()), profile, serial(),
                                    now() + std::chrono::hours(24 * 401));
    ASSERT_FALSE(expired);
    EXPECT_EQ(expired.error().code(), common::Errc::verification);
}

TEST(AuthoritySerial, TenThousandDrawsAreUniquePositiveSixteenOctets) {
    std::set<crypto::Bytes> seen;
    for (int i = 0; i < 10000; ++i) {
        const auto s = serial();
        ASSERT_EQ(s.size(), 16u);
        ASSERT_GE(s[0], 0x01);
        ASSERT_LE(s[0], 0x7f);
        ASSERT_TRUE(seen.insert(s).second) << "repeated serial " << ca::serial_hex(s);
    }
}

TEST(AuthoritySerial, HexMatchesTheCertificate) {
    EXPECT_EQ(ca::serial_hex(crypto::Bytes{0x00, 0x0a, 0xbc}), "ABC");
    EXPECT_EQ(ca::serial_hex(crypto::Bytes{0x00}), "0");
    for (const crypto::Bytes& s :
         {crypto::Bytes{0x01}, crypto::Bytes{0x00, 0x80}, crypto::Bytes(20, 0x7f), serial()}) {
        auto cert = ca_test::authority().issue(ca_test::csr_for(ca_test::ec_key()),
                                               ca::default_device_profile(), s, now());
        ASSERT_TRUE(cert) << cert.error().to_string();
        EXPECT_EQ(cert->serial_hex(), ca::serial_hex(s));
    }
    for (const crypto::Bytes& bad : {crypto::Bytes{}, crypto::Bytes{0x00, 0x00},
                                     crypto::Bytes(21, 0x01), crypto::Bytes(20, 0x80)}) {
        auto cert = ca_test::authority().issue(ca_test::csr_for(ca_test::ec_key()),
                                               ca::default_device_profile(), bad, now());
        ASSERT_FALSE(cert) << ca::serial_hex(bad);
        EXPECT_EQ(cert.error().code(), common::Errc::invalid_argument);
    }
}

TEST(AuthorityIssue, CsrWithBadSignatureIsRefused) {
    auto der = ca_test::csr_for(ca_test::ec_key()).to_der();
    der[der.size() - 3] ^= 0x01;  // inside the ECDSA signature's INTEGER
    auto csr = crypto::Csr::from_der(der);
    ASSERT_TRUE(csr) << csr.error().to_string();
    auto cert = ca_test::authority().issue(*csr, ca::default_device_profile(), serial(), now());
    ASSERT_FALSE(cert);
    EXPECT_EQ(cert.error().code(), common::Errc::verification);
    EXPECT_NE(cert.error().message().find("proof of possession"), std::string::npos);
    test_pki::expect_openssl_queue_empty("issue");
}

crypto::PrivateKey generate(const char* algorithm, const char* parameter) {
    EVP_PKEY* key = parameter == nullptr ? EVP_PKEY_Q_keygen(nullptr, nullptr, algorithm)
                    : std::string_view(algorithm) == "RSA"
                        ? EVP_PKEY_Q_keygen(nullptr, nullptr, algorithm,
                                            static_cast<size_t>(std::stoul(parameter)))
                        : EVP_PKEY_Q_keygen(nullptr, nullptr, algorithm, parameter);
    EXPECT_NE(key, nullptr) << algorithm;
    return crypto::PrivateKey::adopt(key);
}

TEST(AuthorityIssue, WeakAndUnknownKeyTypesAreRefused) {
    struct Case {
        const char* algorithm;
        const char* parameter;
        const char* message;
    };
    for (const auto& c :
         {Case{"RSA", "1024", "2048 to 16384"}, Case{"EC", "secp256k1", "P-256, P-384 or P-521"},
          Case{"ED25519", nullptr, "only RSA and EC"}}) {
        const auto key = generate(c.algorithm, c.parameter);
        auto cert = ca_test::authority().issue(ca_test::raw_csr(key, "weak", {}),
                                               ca::default_device_profile(), serial(), now());
        ASSERT_FALSE(cert) << c.algorithm;
        EXPECT_EQ(cert.error().code(), common::Errc::unsupported);
        EXPECT_NE(cert.error().message().find(c.message), std::string::npos)
            << cert.error().message();
    }
    auto p384 = ca_test::authority().issue(ca_test::raw_csr(generate("EC", "P-384"), "p384", {}),
                                           ca::default_device_profile(), serial(), now());
    EXPECT_TRUE(p384) << p384.error().to_string();
    test_pki::expect_openssl_queue_empty("issue");
}

TEST(AuthorityIssue, TheCasOwnKeyIsRefused) {
    auto cert = ca_test::authority().issue(ca_test::csr_for(ca_test::material().issuing().key),
                                           ca::default_device_profile(), serial(), now());
    ASSERT_FALSE(cert);
    EXPECT_EQ(cert.error().code(), common::Errc::unsupported);
}

// An extension request of a private OID, DER NULL as value.
crypto::X509ExtensionPtr private_extension(bool critical) {
    crypto::Asn1ObjectPtr oid(OBJ_txt2obj("1.3.6.1.4.1.55555.1", 1));
    crypto::Asn1OctetStringPtr value(ASN1_OCTET_STRING_new());
    const unsigned char null_der[] = {0x05, 0x00};
    ASN1_OCTET_STRING_set(value.get(), null_der, sizeof null_der);
    return crypto::X509ExtensionPtr(
        X509_EXTENSION_create_by_OBJ(nullptr, oid.get(), critical ? 1 : 0, value.get()));
}

TEST(AuthorityIssue, UnsupportedCriticalExtensionRequestIsRefused) {
    const auto key = ca_test::ec_key();
    std::vector<crypto::X509ExtensionPtr> extra;
    extra.push_back(private_extension(true));
    auto critical = ca_test::raw_csr(key, "x", {}, std::move(extra));
    auto cert = ca_test::authority().issue(critical, ca::default_device_profile(), serial(), now());
    ASSERT_FALSE(cert);
    EXPECT_EQ(cert.error().code(), common::Errc::unsupported);
    EXPECT_NE(cert.error().message().find("1.3.6.1.4.1.55555.1"), std::string::npos)
        << cert.error().message();

    // Understood critical requests and unknown non-critical ones are fine; the profile decides.
    extra.clear();
    extra.push_back(private_extension(false));
    auto fine = ca_test::raw_csr(key, "x",
                                 {{NID_key_usage, "critical,keyCertSign"},
                                  {NID_basic_constraints, "critical,CA:TRUE"},
                                  {NID_subject_alt_name, "critical,DNS:x.example"}},
                                 std::move(extra));
    auto issued = ca_test::authority().issue(fine, ca::default_device_profile(), serial(), now());
    ASSERT_TRUE(issued) << issued.error().to_string();
    EXPECT_FALSE(issued->is_ca());
    EXPECT_EQ(issued->key_usage(), ca::default_device_profile().key_usage);
    EXPECT_EQ(openssl_text(*issued).find("55555"), std::string::npos);
}

TEST(AuthorityIssue, SanPolicies) {
    const auto key = ca_test::ec_key();
    const auto with_names = ca_test::raw_csr(
        key, "x", {{NID_subject_alt_name, "otherName:1.2.3.4;UTF8:upn,DNS:x.example"}});
    const auto without = ca_test::raw_csr(key, "x", {});
    const auto only_other =
        ca_test::raw_csr(key, "x", {{NID_subject_alt_name, "otherName:1.2.3.4;UTF8:upn"}});
    auto profile = ca::default_device_profile();
    auto issue = [&](const crypto::Csr& csr) {
        return ca_test::authority().issue(csr, profile, serial(), now());
    };

    auto copied = issue(with_names);  // copy: otherName dropped, DNS kept
    ASSERT_TRUE(copied) << copied.error().to_string();
    EXPECT_EQ(copied->subject_alt_names(),
              (std::vector<SubjectAltName>{{SubjectAltName::Type::dns, "x.example"}}));
    auto none = issue(without);
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->subject_alt_names().empty());

    profile.san = ca::SanPolicy::require;
    EXPECT_TRUE(issue(with_names));
    for (const auto* csr : {&without, &only_other}) {
        auto refused = issue(*csr);
        ASSERT_FALSE(refused);
        EXPECT_EQ(refused.error().code(), common::Errc::invalid_argument);
    }

    profile.san = ca::SanPolicy::forbid;
    EXPECT_TRUE(issue(without));
    for (const auto* csr : {&with_names, &only_other}) {
        auto refused = issue(*csr);
        ASSERT_FALSE(refused);
        EXPECT_NE(refused.error().message().find("forbids"), std::string::npos);
    }
}

TEST(AuthorityIssue, MalformedNamesAndEmptySubjects) {
    const auto key = ca_test::ec_key();
    auto bad_dns = ca_test::authority().issue(
        ca_test::raw_csr(key, "x", {{NID_subject_alt_name, "DNS:bad name!"}}),
        ca::default_device_profile(), serial(), now());
    ASSERT_FALSE(bad_dns);
    EXPECT_EQ(bad_dns.error().code(), common::Errc::invalid_argument);

    auto no_name = ca_test::authority().issue(ca_test::raw_csr(key, "", {}),
                                              ca::default_device_profile(), serial(), now());
    ASSERT_FALSE(no_name);
    EXPECT_EQ(no_name.error().code(), common::Errc::invalid_argument);

    // An empty subject with a SAN: the SAN becomes critical (RFC 5280 §4.1.2.6).
    auto san_only = ca_test::authority().issue(
        ca_test::raw_csr(key, "", {{NID_subject_alt_name, "DNS:only.example"}}),
        ca::default_device_profile(), serial(), now());
    ASSERT_TRUE(san_only) << san_only.error().to_string();
    EXPECT_EQ(san_only->subject(), "");
    EXPECT_NE(openssl_text(*san_only).find("X509v3 Subject Alternative Name: critical"),
              std::string::npos);
}

TEST(AuthorityCreate, RefusesWhatCannotBeAnIssuingCa) {
    const auto& pki = ca_test::material();
    const auto& issuing = pki.issuing();
    auto leaf = ca_test::authority().issue(ca_test::csr_for(ca_test::ec_key()),
                                           ca::default_device_profile(), serial(), now());
    ASSERT_TRUE(leaf);
    EXPECT_FALSE(ca::Authority::create(issuing.certificate, pki.root.key, {}));  // key mismatch
    EXPECT_FALSE(ca::Authority::create(*leaf, ca_test::ec_key(), {}));           // not a CA
    EXPECT_FALSE(ca::Authority::create(issuing.certificate, issuing.key,
                                       {issuing.certificate}));  // wrong chain
    EXPECT_TRUE(ca::Authority::create(issuing.certificate, issuing.key, {pki.root.certificate}));
    // A delegated OCSP signer needs id-kp-OCSPSigning and the CA as issuer.
    auto no_eku = ca::Authority::create(issuing.certificate, issuing.key, {},
                                        ca::OcspSigner{*leaf, ca_test::ec_key()});
    ASSERT_FALSE(no_eku);
    EXPECT_EQ(no_eku.error().code(), common::Errc::invalid_argument);
    auto foreign =
        ca::Authority::create(pki.root.certificate, pki.root.key, {},
                              ca::OcspSigner{pki.ocsp_signer->certificate, pki.ocsp_signer->key});
    EXPECT_FALSE(foreign);
    EXPECT_TRUE(pki.authority());
}

TEST(AuthorityMakeCa, RootIntermediateRaAndOcspSigner) {
    ca::CaOptions options;
    options.intermediate_subject = "CN=Issuing";
    options.ra = ca::CaOptions::Ra::separate;
    options.ocsp_signer = true;
    options.keys.ra_signing = ca_test::rsa_key("leaf");
    options.keys.ra_encryption = ca_test::rsa_key("expired");
    auto made = ca::make_ca(options, now());
    ASSERT_TRUE(made) << made.error().to_string();
    const auto& root = made->root.certificate;
    const auto& issuing = made->intermediate->certificate;

    EXPECT_TRUE(root.is_self_issued() && root.is_signed_by(root) && root.is_ca());
    EXPECT_EQ(root.key_usage(),
              (crypto::KeyUsageSet{crypto::KeyUsage::key_cert_sign, crypto::KeyUsage::crl_sign}));
    EXPECT_EQ(root.not_after(), now() + std::chrono::hours(24 * 7305));
    EXPECT_FALSE(root.path_length());
    EXPECT_TRUE(issuing.is_signed_by(root) && issuing.is_ca());
    EXPECT_EQ(issuing.path_length(), 0);
    EXPECT_EQ(issuing.not_after(), now() + std::chrono::hours(24 * 3653));
    const std::string root_text = openssl_text(root);
    EXPECT_NE(root_text.find("X509v3 Basic Constraints: critical\n                CA:TRUE"),
              std::string::npos)
        << root_text;
    EXPECT_NE(
        root_text.find("X509v3 Key Usage: critical\n                Certificate Sign, CRL Sign"),
        std::string::npos);
    EXPECT_EQ(root_text.find("Authority Key Identifier"), std::string::npos);
    EXPECT_NE(openssl_text(issuing).find("Authority Key Identifier"), std::string::npos);

    EXPECT_EQ(made->ra_signing->certificate.key_usage(),
              crypto::KeyUsageSet{crypto::KeyUsage::digital_signature});
    EXPECT_EQ(made->ra_encryption->certificate.key_usage(),
              crypto::KeyUsageSet{crypto::KeyUsage::key_encipherment});
    EXPECT_EQ(made->ocsp_signer->certificate.extended_key_usage(),
              std::vector<std::string>{std::string(crypto::eku::ocsp_signing)});
    EXPECT_NE(openssl_text(made->ocsp_signer->certificate).find("OCSP No Check"),
              std::string::npos);

    crypto::ChainValidator validator({root});
    crypto::ValidationOptions at_now;
    at_now.time = now();
    for (const auto* pair : {&*made->ra_signing, &*made->ra_encryption, &*made->ocsp_signer}) {
        EXPECT_TRUE(pair->key.matches(pair->certificate));
        auto path = validator.validate(pair->certificate, {issuing}, at_now);
        EXPECT_TRUE(path) << path.error().to_string();
    }
    test_pki::TempFile root_file(root.to_pem());
    test_pki::TempFile issuing_file(issuing.to_pem());
    const auto verified =
        test_pki::run("openssl verify -x509_strict -attime " + ca_test::epoch_seconds(now()) +
                      " -CAfile " + root_file.path() + " " + issuing_file.path());
    EXPECT_EQ(verified.status, 0) << verified.output;
}

TEST(AuthorityMakeCa, RsaCaWithOneRaPair) {
    ca::CaOptions options;
    options.key = crypto::KeySpec::parse("rsa:2048").value();
    options.keys.root = ca_test::rsa_key("root");
    options.ra = ca::CaOptions::Ra::combined;
    options.keys.ra_signing = ca_test::rsa_key("int");
    auto made = ca::make_ca(options, now());
    ASSERT_TRUE(made) << made.error().to_string();
    EXPECT_FALSE(made->intermediate);
    EXPECT_FALSE(made->ra_encryption);
    EXPECT_EQ(made->root.certificate.public_key_description(), "RSA 2048");
    EXPECT_EQ(made->ra_signing->certificate.key_usage(),
              (crypto::KeyUsageSet{crypto::KeyUsage::digital_signature,
                                   crypto::KeyUsage::key_encipherment}));
    EXPECT_TRUE(made->ra_signing->certificate.is_signed_by(made->root.certificate));
    EXPECT_TRUE(made->authority());

    options.keys.ra_signing = ca_test::ec_key();
    auto ec_ra = ca::make_ca(options, now());
    ASSERT_FALSE(ec_ra);
    EXPECT_EQ(ec_ra.error().code(), common::Errc::unsupported);
}

}  // namespace
