#include "scep/capabilities.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using common::Errc;
using crypto::DigestAlgorithm;
using crypto::cms::ContentCipher;
using scep::Capabilities;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// micromdm/scep: no trailing newline (scep-anchors.md §4.2).
constexpr std::string_view micromdm_caps =
    "Renewal\nSHA-1\nSHA-256\nAES\nDES3\nSCEPStandard\nPOSTPKIOperation";
// NDES as logged in jscep #49 (scep-anchors.md §4.1): CR LF, no AES, no POST.
constexpr std::string_view ndes_caps = "Renewal\r\nSHA-512\r\nSHA-256\r\nSHA-1\r\nDES3\r\n";

TEST(CapabilitiesTest, MicromdmListWithoutTrailingNewline) {
    const auto caps = Capabilities::parse(micromdm_caps);
    EXPECT_TRUE(caps.renewal);
    EXPECT_TRUE(caps.sha1);
    EXPECT_TRUE(caps.sha256);
    EXPECT_TRUE(caps.aes);
    EXPECT_TRUE(caps.des3);
    EXPECT_TRUE(caps.scep_standard);
    EXPECT_TRUE(caps.post_pki_operation);
    EXPECT_FALSE(caps.get_next_ca_cert);
    EXPECT_FALSE(caps.sha512);
    EXPECT_THAT(caps.unknown, IsEmpty());
    EXPECT_EQ(caps.strongest_cipher().value(), ContentCipher::aes128_cbc);
    EXPECT_EQ(caps.strongest_digest().value(), DigestAlgorithm::sha256);
}

TEST(CapabilitiesTest, NdesListWithCrLf) {
    const auto caps = Capabilities::parse(ndes_caps);
    EXPECT_TRUE(caps.renewal);
    EXPECT_TRUE(caps.sha512);
    EXPECT_TRUE(caps.sha256);
    EXPECT_TRUE(caps.sha1);
    EXPECT_TRUE(caps.des3);
    EXPECT_FALSE(caps.aes);
    EXPECT_FALSE(caps.post_pki_operation);
    EXPECT_FALSE(caps.scep_standard);
    EXPECT_THAT(caps.unknown, IsEmpty());
    EXPECT_EQ(caps.strongest_cipher().value(), ContentCipher::des3_cbc);
    EXPECT_EQ(caps.strongest_digest().value(), DigestAlgorithm::sha512);
}

TEST(CapabilitiesTest, KeywordsAreCaseInsensitive) {
    const auto caps =
        Capabilities::parse("aes\npostpkioperation\nsha-384\nGETNEXTCACERT\nrenewal\n");
    EXPECT_TRUE(caps.aes);
    EXPECT_TRUE(caps.post_pki_operation);
    EXPECT_TRUE(caps.sha384);
    EXPECT_TRUE(caps.get_next_ca_cert);
    EXPECT_TRUE(caps.renewal);
    EXPECT_THAT(caps.unknown, IsEmpty());
    EXPECT_EQ(caps.strongest_digest().value(), DigestAlgorithm::sha384);
}

TEST(CapabilitiesTest, DigestsWithoutHyphenAccepted) {
    const auto caps = Capabilities::parse("SHA1\nsha256\nSHA224\nSha512");
    EXPECT_TRUE(caps.sha1);
    EXPECT_TRUE(caps.sha224);
    EXPECT_TRUE(caps.sha256);
    EXPECT_TRUE(caps.sha512);
    EXPECT_THAT(caps.unknown, IsEmpty());
}

TEST(CapabilitiesTest, BlanksAndEmptyLinesIgnored) {
    const auto caps = Capabilities::parse("  AES \t\r\n\r\n\n\tSHA-256\r\n   \n");
    EXPECT_TRUE(caps.aes);
    EXPECT_TRUE(caps.sha256);
    EXPECT_THAT(caps.unknown, IsEmpty());
}

TEST(CapabilitiesTest, UnknownKeywordsKeptAsReceived) {
    const auto caps = Capabilities::parse("AES\r\nUpdate\r\n  X-Vendor-Thing \r\nSHA-3\r\n");
    EXPECT_TRUE(caps.aes);
    EXPECT_THAT(caps.unknown, ElementsAre("Update", "X-Vendor-Thing", "SHA-3"));
}

TEST(CapabilitiesTest, EmptyBodyMeansNoCapabilities) {
    for (std::string_view body : {"", "\n", "\r\n\r\n", "   "}) {
        const auto caps = Capabilities::parse(body);
        EXPECT_THAT(caps.keywords(), IsEmpty()) << "body '" << body << "'";
        EXPECT_THAT(caps.unknown, IsEmpty());
        EXPECT_EQ(caps.strongest_cipher().error().code(), Errc::unsupported);
        EXPECT_EQ(caps.strongest_digest().error().code(), Errc::unsupported);
    }
}

TEST(CapabilitiesTest, ScepStandardImpliesAesPostAndSha256) {
    const auto caps = Capabilities::parse("SCEPStandard");
    EXPECT_TRUE(caps.scep_standard);
    EXPECT_TRUE(caps.aes);
    EXPECT_TRUE(caps.post_pki_operation);
    EXPECT_TRUE(caps.sha256);
    EXPECT_EQ(caps.strongest_cipher().value(), ContentCipher::aes128_cbc);
    EXPECT_EQ(caps.strongest_digest().value(), DigestAlgorithm::sha256);
}

TEST(CapabilitiesTest, SingleDesOnlyIsUnsupported) {
    const auto caps = Capabilities::parse("DES\nSHA-256\n");
    EXPECT_THAT(caps.unknown, ElementsAre("DES"));
    const auto cipher = caps.strongest_cipher();
    ASSERT_FALSE(cipher);
    EXPECT_EQ(cipher.error().code(), Errc::unsupported);
    EXPECT_THAT(cipher.error().message(), HasSubstr("single DES is never used"));
    EXPECT_EQ(caps.strongest_digest().value(), DigestAlgorithm::sha256);
}

TEST(CapabilitiesTest, Md5OnlyIsUnsupported) {
    const auto caps = Capabilities::parse("AES\nMD5\n");
    EXPECT_THAT(caps.unknown, ElementsAre("MD5"));
    const auto digest = caps.strongest_digest();
    ASSERT_FALSE(digest);
    EXPECT_EQ(digest.error().code(), Errc::unsupported);
    EXPECT_THAT(digest.error().message(), HasSubstr("MD5 is never used"));
}

TEST(CapabilitiesTest, Sha224OnlyIsUnsupported) {
    const auto digest = Capabilities::parse("SHA-224").strongest_digest();
    ASSERT_FALSE(digest);
    EXPECT_EQ(digest.error().code(), Errc::unsupported);
    EXPECT_THAT(digest.error().message(), HasSubstr("SHA-224"));
}

TEST(CapabilitiesTest, KeywordsAreNormalised) {
    EXPECT_THAT(Capabilities::parse(micromdm_caps).keywords(),
                ElementsAre("AES", "DES3", "POSTPKIOperation", "Renewal", "SHA-1", "SHA-256",
                            "SCEPStandard"));
    EXPECT_THAT(Capabilities::parse("sha512\ngetnextcacert\nFoo").keywords(),
                ElementsAre("GetNextCACert", "SHA-512"));
}

}  // namespace
