#include "crypto/pkcs12.h"

#include <gtest/gtest.h>

#include "unit/crypto/test_pki.h"
#include "unit/crypto/test_pki_builder.h"

namespace crypto {
namespace {

class Pkcs12Test : public ::testing::Test {
protected:
    test_pki::Issued m_root = test_pki::issue(test_pki::ca_spec("P12 Root"));
    test_pki::Issued m_issuer = test_pki::issue(test_pki::ca_spec("P12 Issuing CA"), &m_root);
    test_pki::Issued m_leaf = test_pki::issue(test_pki::leaf_spec("device-42"), &m_issuer);
};

TEST_F(Pkcs12Test, RoundTripsKeyCertificateAndChain) {
    Pkcs12Options options;
    options.friendly_name = "device-42";
    auto der = make_pkcs12(m_leaf.key, m_leaf.cert, {m_issuer.cert, m_root.cert}, "s3cret!",
                           options);
    ASSERT_TRUE(der) << der.error().to_string();
    test_pki::expect_openssl_queue_empty("make_pkcs12");

    auto parsed = parse_pkcs12(*der, "s3cret!");
    ASSERT_TRUE(parsed) << parsed.error().to_string();
    test_pki::expect_openssl_queue_empty("parse_pkcs12");
    EXPECT_EQ(parsed->certificate, m_leaf.cert);
    EXPECT_EQ(parsed->key.public_key_der(), m_leaf.key.public_key_der());
    EXPECT_TRUE(parsed->key.matches(m_leaf.cert));
    ASSERT_EQ(parsed->chain.size(), 2u);
    EXPECT_TRUE(parsed->chain[0] == m_issuer.cert || parsed->chain[1] == m_issuer.cert);
    EXPECT_EQ(parsed->friendly_name, "device-42");
}

TEST_F(Pkcs12Test, WrongPassphraseIsAVerificationError) {
    auto der = make_pkcs12(m_leaf.key, m_leaf.cert, {}, "right", {});
    ASSERT_TRUE(der);
    auto parsed = parse_pkcs12(*der, "wrong");
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().code(), common::Errc::verification);
    test_pki::expect_openssl_queue_empty("parse_pkcs12 with a wrong passphrase");
}

TEST_F(Pkcs12Test, TamperedFileIsRefused) {
    auto der = make_pkcs12(m_leaf.key, m_leaf.cert, {}, "pw", {}).value();
    der[der.size() / 2] ^= 0x01;
    EXPECT_FALSE(parse_pkcs12(der, "pw"));
    EXPECT_EQ(parse_pkcs12(test_pki::garbage(64), "pw").error().code(), common::Errc::parse);
    EXPECT_EQ(parse_pkcs12({}, "pw").error().code(), common::Errc::parse);
}

TEST_F(Pkcs12Test, RefusesAMismatchedKeyOrAnEmptyPassphrase) {
    auto mismatched = make_pkcs12(m_issuer.key, m_leaf.cert, {}, "pw", {});
    ASSERT_FALSE(mismatched);
    EXPECT_EQ(mismatched.error().code(), common::Errc::invalid_argument);
    auto empty = make_pkcs12(m_leaf.key, m_leaf.cert, {}, "", {});
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().code(), common::Errc::invalid_argument);
}

// The OpenSSL tool opens it and reports the modern algorithms (no RC2, 3DES or SHA-1).
TEST_F(Pkcs12Test, OpensslReadsItWithModernAlgorithms) {
    auto der = make_pkcs12(m_leaf.key, m_leaf.cert, {m_issuer.cert}, "pass phrase", {});
    ASSERT_TRUE(der);
    test_pki::TempFile file(*der);
    const auto info =
        test_pki::run("openssl pkcs12 -info -noout -in " + file.path() + " -passin 'pass:pass phrase'");
    ASSERT_EQ(info.status, 0) << info.output;
    EXPECT_NE(info.output.find("MAC: sha256"), std::string::npos) << info.output;
    EXPECT_NE(info.output.find("PBES2, PBKDF2, AES-256-CBC"), std::string::npos) << info.output;
    EXPECT_NE(info.output.find("hmacWithSHA256"), std::string::npos) << info.output;
    EXPECT_EQ(info.output.find("RC2"), std::string::npos) << info.output;
    EXPECT_EQ(info.output.find("3DES"), std::string::npos) << info.output;

    const auto certs = test_pki::run("openssl pkcs12 -in " + file.path() +
                                     " -passin 'pass:pass phrase' -nokeys -clcerts | "
                                     "openssl x509 -noout -subject");
    ASSERT_EQ(certs.status, 0) << certs.output;
    EXPECT_NE(certs.output.find("device-42"), std::string::npos) << certs.output;

    const auto wrong = test_pki::run("openssl pkcs12 -info -noout -in " + file.path() +
                                     " -passin pass:nope");
    EXPECT_NE(wrong.status, 0);
}

}  // namespace
}  // namespace crypto
