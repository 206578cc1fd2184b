#include "crypto/certificate_builder.h"

#include <gtest/gtest.h>

#include "unit/crypto/test_pki.h"

namespace {

using namespace std::chrono_literals;

crypto::PrivateKey ec_key() {
    return crypto::PrivateKey::generate({crypto::KeySpec::Type::ec, 0, "P-256"}).value();
}

common::SystemTime t0() {
    return test_pki::at("2026-01-01T00:00:00Z");
}

crypto::CertificateBuilder root_builder() {
    crypto::CertificateBuilder builder;
    builder.serial({0x01, 0x02})
        .subject("CN=Builder Root,O=certkeeper tests")
        .validity(t0(), t0() + 24h * 365)
        .ca(1)
        .key_usage({crypto::KeyUsage::key_cert_sign, crypto::KeyUsage::crl_sign});
    return builder;
}

TEST(CertificateBuilder, SelfSignedCaAndIssuedLeaf) {
    const auto root_key = ec_key();
    auto root = root_builder().self_sign(root_key);
    ASSERT_TRUE(root) << root.error().to_string();
    EXPECT_EQ(root->subject(), "CN=Builder Root,O=certkeeper tests");
    EXPECT_EQ(root->issuer(), root->subject());
    EXPECT_EQ(root->serial_hex(), "102");
    EXPECT_EQ(root->not_before(), t0());
    EXPECT_EQ(root->not_after(), t0() + 24h * 365);
    EXPECT_TRUE(root->is_ca());
    EXPECT_EQ(root->path_length(), 1);
    EXPECT_TRUE(root->is_signed_by(*root));

    const auto leaf_key = ec_key();
    crypto::CertificateBuilder leaf_builder;
    leaf_builder
        .serial({0x80})  // top bit set: encoded with a leading zero octet
        .subject("CN=leaf")
        .public_key(leaf_key.public_key_der())
        .validity(t0(), t0() + 24h)
        .end_entity()
        .key_usage({crypto::KeyUsage::digital_signature})
        .extended_key_usage({std::string(crypto::eku::server_auth)})
        .subject_alt_names({{crypto::SubjectAltName::Type::dns, "*.example.net"},
                            {crypto::SubjectAltName::Type::ip, "192.0.2.1"}})
        .crl_distribution_point("http://crl.example.net/root.crl")
        .ocsp_url("http://ocsp.example.net")
        .digest(crypto::DigestAlgorithm::sha384);
    auto leaf = leaf_builder.sign(root_key, *root);
    ASSERT_TRUE(leaf) << leaf.error().to_string();
    EXPECT_EQ(leaf->serial_hex(), "80");
    EXPECT_EQ(leaf->issuer(), root->subject());
    EXPECT_TRUE(leaf->is_signed_by(*root));
    EXPECT_TRUE(leaf_key.matches(*leaf));
    EXPECT_EQ(leaf->signature_algorithm(), "ecdsa-with-SHA384");
    EXPECT_EQ(leaf->subject_alt_names().size(), 2u);
    EXPECT_EQ(leaf->crl_distribution_urls(),
              std::vector<std::string>{"http://crl.example.net/root.crl"});
    EXPECT_EQ(leaf->ocsp_urls(), std::vector<std::string>{"http://ocsp.example.net"});
    EXPECT_TRUE(leaf->ca_issuers_urls().empty());
    test_pki::expect_openssl_queue_empty("CertificateBuilder::sign");
}

TEST(CertificateBuilder, RefusesIncompleteOrMalformedFields) {
    const auto key = ec_key();
    auto expect_invalid = [&](const crypto::CertificateBuilder& builder, const char* why) {
        auto cert = builder.self_sign(key);
        ASSERT_FALSE(cert) << why;
        EXPECT_EQ(cert.error().code(), common::Errc::invalid_argument) << why;
    };
    expect_invalid(crypto::CertificateBuilder{}, "nothing set");
    expect_invalid(root_builder().serial({}), "empty serial");
    expect_invalid(root_builder().serial({0x00, 0x00}), "zero serial");
    expect_invalid(root_builder().serial(crypto::Bytes(21, 0x01)), "21 octets");
    expect_invalid(root_builder().serial(crypto::Bytes(20, 0xff)), "20 octets + sign octet");
    expect_invalid(root_builder().validity(t0(), t0()), "empty validity");
    expect_invalid(root_builder().subject("not a DN"), "malformed subject");
    expect_invalid(root_builder().subject(""), "empty subject without SAN");
    expect_invalid(
        root_builder().subject_alt_names({{crypto::SubjectAltName::Type::dns, "-bad-.example"}}),
        "bad DNS");
    expect_invalid(
        root_builder().subject_alt_names({{crypto::SubjectAltName::Type::email, "no-at-sign"}}),
        "bad email");
    expect_invalid(
        root_builder().subject_alt_names({{crypto::SubjectAltName::Type::ip, "300.1.1.1"}}),
        "bad IP");
    expect_invalid(root_builder().extended_key_usage({"not-an-oid"}), "bad EKU");
    expect_invalid(root_builder().crl_distribution_point(""), "empty CRL URL");
    expect_invalid(root_builder().digest(crypto::DigestAlgorithm::sha1), "SHA-1");
    expect_invalid(root_builder().public_key(ec_key().public_key_der()),
                   "self-signed with a foreign key");
    expect_invalid(root_builder().public_key({0x30, 0x00}), "malformed public key");

    auto root = root_builder().self_sign(key).value();
    auto wrong_issuer_key = root_builder().sign(ec_key(), root);
    ASSERT_FALSE(wrong_issuer_key);
    EXPECT_EQ(wrong_issuer_key.error().code(), common::Errc::invalid_argument);
    test_pki::expect_openssl_queue_empty("CertificateBuilder errors");
}

}  // namespace
