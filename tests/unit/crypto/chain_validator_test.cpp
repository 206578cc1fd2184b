#include "crypto/chain_validator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "unit/crypto/test_pki_builder.h"

namespace crypto {
namespace {

using common::Errc;
using test_pki::Issued;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr std::chrono::hours day{24};

// root -> intermediate -> leaf, valid a year either side of test_pki::reference_time().
class ChainValidatorTest : public ::testing::Test {
protected:
    ChainValidatorTest()
        : m_root(test_pki::issue(test_pki::ca_spec("root"))),
          m_intermediate(test_pki::issue(test_pki::ca_spec("intermediate"), &m_root)),
          m_leaf(test_pki::issue(test_pki::leaf_spec("leaf", {"dns:device.example.net"}),
                                 &m_intermediate)) {}

    static ValidationOptions options_at(SystemTime t) {
        ValidationOptions options;
        options.time = t;
        return options;
    }
    static ValidationOptions options() { return options_at(test_pki::reference_time()); }

    common::Result<CertificatePath> validate(const ValidationOptions& o) const {
        return ChainValidator({m_root.cert}).validate(m_leaf.cert, {m_intermediate.cert}, o);
    }

    Issued m_root;
    Issued m_intermediate;
    Issued m_leaf;
};

void expect_verification_failure(const common::Result<CertificatePath>& r,
                                 const std::string& reason) {
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code(), Errc::verification);
    EXPECT_THAT(r.error().message(), HasSubstr(reason));
}

TEST_F(ChainValidatorTest, ValidChainIsReturnedLeafFirst) {
    const auto path = validate(options());
    ASSERT_TRUE(path.has_value()) << path.error().to_string();
    ASSERT_EQ(path->size(), 3u);
    EXPECT_EQ((*path)[0], m_leaf.cert);
    EXPECT_EQ((*path)[1], m_intermediate.cert);
    EXPECT_EQ((*path)[2], m_root.cert);
}

// A leaf valid for one day from the reference time.
Issued short_lived_leaf(const Issued& issuer) {
    auto spec = test_pki::leaf_spec("short-lived");
    spec.not_before = test_pki::reference_time();
    spec.not_after = test_pki::reference_time() + day;
    return test_pki::issue(spec, &issuer);
}

TEST_F(ChainValidatorTest, ExpiredLeafNamesDepthAndSubject) {
    const Issued leaf = short_lived_leaf(m_intermediate);
    const auto r = ChainValidator({m_root.cert})
                       .validate(leaf.cert, {m_intermediate.cert},
                                 options_at(leaf.cert.not_after() + std::chrono::seconds(1)));
    expect_verification_failure(r, "certificate has expired (depth 0, CN=short-lived)");
}

TEST_F(ChainValidatorTest, ValidityIsInclusiveAtBothEnds) {
    const Issued leaf = short_lived_leaf(m_intermediate);
    const ChainValidator validator({m_root.cert});
    for (const auto t : {leaf.cert.not_before(), leaf.cert.not_after()}) {
        EXPECT_TRUE(
            validator.validate(leaf.cert, {m_intermediate.cert}, options_at(t)).has_value());
    }
}

TEST_F(ChainValidatorTest, NotYetValid) {
    const Issued leaf = short_lived_leaf(m_intermediate);
    const auto r = ChainValidator({m_root.cert})
                       .validate(leaf.cert, {m_intermediate.cert},
                                 options_at(leaf.cert.not_before() - std::chrono::seconds(1)));
    expect_verification_failure(r, "certificate is not yet valid (depth 0, CN=short-lived)");
}

TEST_F(ChainValidatorTest, ExpiredIntermediate) {
    auto spec = test_pki::ca_spec("old intermediate");
    spec.not_after = test_pki::reference_time() - day;
    const Issued old = test_pki::issue(spec, &m_root);
    const Issued leaf = test_pki::issue(test_pki::leaf_spec("leaf2"), &old);
    const auto r = ChainValidator({m_root.cert}).validate(leaf.cert, {old.cert}, options());
    expect_verification_failure(r, "certificate has expired (depth 1, CN=old intermediate)");
}

TEST_F(ChainValidatorTest, WrongAnchor) {
    const Issued other = test_pki::issue(test_pki::ca_spec("other root"));
    const auto r =
        ChainValidator({other.cert}).validate(m_leaf.cert, {m_intermediate.cert}, options());
    expect_verification_failure(r, "unable to get local issuer certificate");
}

TEST_F(ChainValidatorTest, MissingIntermediate) {
    const auto r = ChainValidator({m_root.cert}).validate(m_leaf.cert, {}, options());
    expect_verification_failure(r, "unable to get local issuer certificate (depth 0, CN=leaf)");
}

TEST_F(ChainValidatorTest, NoAnchorIsAnInvalidArgument) {
    const auto r = ChainValidator({}).validate(m_leaf.cert, {}, options());
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code(), Errc::invalid_argument);
}

TEST_F(ChainValidatorTest, MaxIntermediates) {
    auto o = options();
    o.max_intermediates = 1;
    EXPECT_TRUE(validate(o).has_value());
    o.max_intermediates = 0;
    expect_verification_failure(validate(o), "certificate chain too long");
}

TEST_F(ChainValidatorTest, MaxIntermediatesDoesNotCountSelfIssued) {
    // root -> intermediate -> intermediate' (self-issued, new key) -> leaf.
    const Issued rekeyed = test_pki::issue(test_pki::ca_spec("intermediate"), &m_intermediate);
    const Issued leaf = test_pki::issue(test_pki::leaf_spec("leaf3"), &rekeyed);
    auto o = options();
    o.max_intermediates = 1;
    const auto path =
        ChainValidator({m_root.cert}).validate(leaf.cert, {rekeyed.cert, m_intermediate.cert}, o);
    ASSERT_TRUE(path.has_value()) << path.error().to_string();
    EXPECT_EQ(path->size(), 4u);
}

TEST_F(ChainValidatorTest, PeerNameMatchAndMismatch) {
    auto o = options();
    o.expected_peer_name = PeerName{PeerName::Kind::dns, "device.example.net"};
    EXPECT_TRUE(validate(o).has_value());
    o.expected_peer_name = PeerName{PeerName::Kind::dns, "other.example.net"};
    expect_verification_failure(validate(o), "hostname mismatch (depth 0, CN=leaf)");
    o.expected_peer_name = PeerName{PeerName::Kind::ip, "192.0.2.1"};
    expect_verification_failure(validate(o), "IP address mismatch");
}

TEST_F(ChainValidatorTest, IpAndEmailPeerNames) {
    const Issued leaf = test_pki::issue(
        test_pki::leaf_spec("x", {"ip:192.0.2.7", "email:ops@example.net"}), &m_intermediate);
    auto o = options();
    o.expected_peer_name = PeerName{PeerName::Kind::ip, "192.0.2.7"};
    const ChainValidator validator({m_root.cert});
    EXPECT_TRUE(validator.validate(leaf.cert, {m_intermediate.cert}, o).has_value());
    o.expected_peer_name = PeerName{PeerName::Kind::email, "ops@example.net"};
    EXPECT_TRUE(validator.validate(leaf.cert, {m_intermediate.cert}, o).has_value());
}

TEST_F(ChainValidatorTest, StrictModeIgnoresCommonName) {
    const Issued leaf = test_pki::issue(test_pki::leaf_spec("host.example.net"), &m_intermediate);
    auto o = options();
    o.expected_peer_name = PeerName{PeerName::Kind::dns, "host.example.net"};
    const ChainValidator validator({m_root.cert});
    expect_verification_failure(validator.validate(leaf.cert, {m_intermediate.cert}, o),
                                "hostname mismatch");
    o.strict = false;
    EXPECT_TRUE(validator.validate(leaf.cert, {m_intermediate.cert}, o).has_value());
}

TEST_F(ChainValidatorTest, InvalidPeerNameIsAnInvalidArgument) {
    auto o = options();
    o.expected_peer_name = PeerName{PeerName::Kind::ip, "not-an-address"};
    const auto r = validate(o);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code(), Errc::invalid_argument);
}

TEST_F(ChainValidatorTest, ExtendedKeyUsageRequired) {
    auto o = options();
    o.required_extended_key_usage = {std::string(eku::server_auth)};
    EXPECT_TRUE(validate(o).has_value());
    o.required_extended_key_usage = {std::string(eku::code_signing)};
    expect_verification_failure(validate(o), "extKeyUsage lacks codeSigning (depth 0, CN=leaf)");
}

TEST_F(ChainValidatorTest, CaExtendedKeyUsageConstrainsTheLeaf) {
    auto spec = test_pki::ca_spec("email-only CA");
    spec.extended_key_usage = {std::string(eku::email_protection)};
    const Issued ca = test_pki::issue(spec, &m_root);
    const Issued leaf = test_pki::issue(test_pki::leaf_spec("leaf4"), &ca);
    auto o = options();
    o.required_extended_key_usage = {std::string(eku::server_auth)};
    const auto r = ChainValidator({m_root.cert}).validate(leaf.cert, {ca.cert}, o);
    expect_verification_failure(r, "CA extKeyUsage does not allow serverAuth (depth 1");
}

TEST_F(ChainValidatorTest, KeyUsageRequired) {
    auto o = options();
    o.required_key_usage = KeyUsageSet{KeyUsage::digital_signature};
    EXPECT_TRUE(validate(o).has_value());
    o.required_key_usage.add(KeyUsage::key_encipherment);
    expect_verification_failure(validate(o), "keyUsage lacks keyEncipherment (depth 0, CN=leaf)");
}

TEST_F(ChainValidatorTest, CrlsCoveringTheWholeChain) {
    auto o = options();
    o.crls = {test_pki::make_crl(m_root, {}), test_pki::make_crl(m_intermediate, {})};
    EXPECT_TRUE(validate(o).has_value());
}

TEST_F(ChainValidatorTest, RevokedLeaf) {
    auto o = options();
    o.crls = {test_pki::make_crl(m_root, {}), test_pki::make_crl(m_intermediate, {m_leaf.cert})};
    expect_verification_failure(validate(o), "certificate revoked (depth 0, CN=leaf)");
}

TEST_F(ChainValidatorTest, RevokedIntermediate) {
    auto o = options();
    o.crls = {test_pki::make_crl(m_root, {m_intermediate.cert}),
              test_pki::make_crl(m_intermediate, {})};
    expect_verification_failure(validate(o), "certificate revoked (depth 1, CN=intermediate)");
}

TEST_F(ChainValidatorTest, CertificateWithoutCrlFailsWhenCrlsAreSupplied) {
    auto o = options();
    o.crls = {test_pki::make_crl(m_root, {})};  // nothing from the intermediate about the leaf
    expect_verification_failure(validate(o), "unable to get certificate CRL (depth 0, CN=leaf)");
}

TEST_F(ChainValidatorTest, ExpiredCrl) {
    test_pki::CrlSpec old;
    old.this_update = test_pki::reference_time() - 30 * day;
    old.next_update = test_pki::reference_time() - day;
    auto o = options();
    o.crls = {test_pki::make_crl(m_root, {}), test_pki::make_crl(m_intermediate, {}, old)};
    expect_verification_failure(validate(o), "CRL has expired");
}

TEST_F(ChainValidatorTest, StrictModeIgnoresCrlWithoutNumber) {
    test_pki::CrlSpec unnumbered;
    unnumbered.crl_number = false;
    auto o = options();
    o.crls = {test_pki::make_crl(m_root, {}), test_pki::make_crl(m_intermediate, {}, unnumbered)};
    expect_verification_failure(validate(o), "without cRLNumber ignored");
    o.strict = false;
    EXPECT_TRUE(validate(o).has_value());
}

TEST_F(ChainValidatorTest, FindsValidPathPastAnExpiredCrossCertificate) {
    // The intermediate's key is also certified by an expired cross-certificate from the same
    // root; whichever OpenSSL tries first, the valid path must be found.
    auto spec = test_pki::ca_spec("intermediate");
    spec.not_after = test_pki::reference_time() - day;
    const Issued expired = test_pki::issue(spec, &m_root, m_intermediate.key);
    const ChainValidator validator({m_root.cert});
    for (const auto& untrusted : {std::vector{expired.cert, m_intermediate.cert},
                                  std::vector{m_intermediate.cert, expired.cert}}) {
        const auto path = validator.validate(m_leaf.cert, untrusted, options());
        ASSERT_TRUE(path.has_value()) << path.error().to_string();
        EXPECT_EQ((*path)[1], m_intermediate.cert);
    }
}

TEST_F(ChainValidatorTest, MalformedDnsNameInSubjectAltNameIsRejected) {
    const Issued leaf =
        test_pki::issue(test_pki::leaf_spec("x", {"dns:bad_name.example.net"}), &m_intermediate);
    const auto r =
        ChainValidator({m_root.cert}).validate(leaf.cert, {m_intermediate.cert}, options());
    expect_verification_failure(r, "invalid dNSName 'bad_name.example.net'");
}

TEST_F(ChainValidatorTest, PinnedAnchorMatches) {
    const auto pinned =
        pin_trust_anchor(m_root.cert, m_root.cert.fingerprint(DigestAlgorithm::sha256));
    ASSERT_TRUE(pinned.has_value()) << pinned.error().to_string();
    EXPECT_EQ(*pinned, m_root.cert);
    EXPECT_TRUE(pin_trust_anchor(m_root.cert, m_root.cert.fingerprint(DigestAlgorithm::sha384)));
}

TEST_F(ChainValidatorTest, PinMismatchNamesBothFingerprints) {
    const auto expected = m_intermediate.cert.fingerprint();
    const auto r = pin_trust_anchor(m_root.cert, expected);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code(), Errc::verification);
    EXPECT_THAT(r.error().message(), AllOf(HasSubstr(expected.to_string()),
                                           HasSubstr(m_root.cert.fingerprint().to_string())));
}

TEST_F(ChainValidatorTest, Sha1PinIsRefused) {
    const auto r = pin_trust_anchor(m_root.cert, m_root.cert.fingerprint(DigestAlgorithm::sha1));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code(), Errc::unsupported);
}

TEST_F(ChainValidatorTest, PinnedAnchorMustBeSelfSigned) {
    const auto r = pin_trust_anchor(m_intermediate.cert, m_intermediate.cert.fingerprint());
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code(), Errc::verification);
    EXPECT_THAT(r.error().message(), HasSubstr("not self-signed"));
}

}  // namespace
}  // namespace crypto
