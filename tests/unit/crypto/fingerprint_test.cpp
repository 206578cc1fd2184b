#include "crypto/fingerprint.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/certificate.h"
#include "unit/crypto/test_pki.h"

namespace crypto {
namespace {

using common::Errc;

// FIPS 180-2 / RFC 1321 digests of "abc".
constexpr std::string_view sha256_abc =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr std::string_view sha1_abc = "a9993e364706816aba3e25717850c26c9cd0d89d";
constexpr std::string_view md5_abc = "900150983cd24fb0d6963f7d28e17f72";
constexpr std::string_view sha384_abc =
    "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
    "8086072ba1e7cc2358baeca134c825a7";
constexpr std::string_view sha512_abc =
    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
    "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";

TEST(FingerprintTest, DigestKnownVectors) {
    const ByteView abc = as_bytes("abc");
    EXPECT_EQ(to_hex(digest(DigestAlgorithm::sha256, abc)), sha256_abc);
    EXPECT_EQ(to_hex(digest(DigestAlgorithm::sha1, abc)), sha1_abc);
    EXPECT_EQ(to_hex(digest(DigestAlgorithm::md5, abc)), md5_abc);
    EXPECT_EQ(to_hex(digest(DigestAlgorithm::sha384, abc)), sha384_abc);
    EXPECT_EQ(to_hex(digest(DigestAlgorithm::sha512, abc)), sha512_abc);
    EXPECT_EQ(to_hex(digest(DigestAlgorithm::sha256, ByteView{})),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(FingerprintTest, AlgorithmNamesSizesAndStrength) {
    struct Row {
        DigestAlgorithm alg;
        std::string_view name;
        std::size_t size;
        bool strong;
    };
    for (const Row& row : {Row{DigestAlgorithm::sha256, "sha256", 32, true},
                           Row{DigestAlgorithm::sha384, "sha384", 48, true},
                           Row{DigestAlgorithm::sha512, "sha512", 64, true},
                           Row{DigestAlgorithm::sha1, "sha1", 20, false},
                           Row{DigestAlgorithm::md5, "md5", 16, false}}) {
        EXPECT_EQ(to_string(row.alg), row.name);
        EXPECT_EQ(digest_size(row.alg), row.size);
        EXPECT_EQ(digest(row.alg, as_bytes("x")).size(), row.size);
        EXPECT_EQ(is_collision_resistant(row.alg), row.strong);
        EXPECT_EQ(parse_digest_algorithm(row.name).value(), row.alg);
    }
}

TEST(FingerprintTest, ParseDigestAlgorithmIsLenientAboutSpelling) {
    EXPECT_EQ(parse_digest_algorithm("SHA-256").value(), DigestAlgorithm::sha256);
    EXPECT_EQ(parse_digest_algorithm("sha_384").value(), DigestAlgorithm::sha384);
    EXPECT_EQ(parse_digest_algorithm("Sha512").value(), DigestAlgorithm::sha512);
    EXPECT_EQ(parse_digest_algorithm("SHA-1").value(), DigestAlgorithm::sha1);
    EXPECT_EQ(parse_digest_algorithm("MD5").value(), DigestAlgorithm::md5);
    for (const char* bad : {"", "sha", "sha3-256", "sha224", "blake2b", "sha 256"}) {
        auto r = parse_digest_algorithm(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code(), Errc::unsupported) << bad;
    }
}

TEST(FingerprintTest, OfComputesTheDigestOfTheBytes) {
    const Fingerprint fp = Fingerprint::of(as_bytes("abc"));
    EXPECT_EQ(fp.algorithm(), DigestAlgorithm::sha256);
    EXPECT_EQ(fp.hex(), sha256_abc);
    EXPECT_EQ(fp.digest().size(), 32u);
    EXPECT_EQ(Fingerprint::of(as_bytes("abc"), DigestAlgorithm::md5).hex(), md5_abc);
}

TEST(FingerprintTest, ToStringIsPrefixedUpperCaseColonSeparated) {
    const Fingerprint fp = Fingerprint::of(as_bytes("abc"), DigestAlgorithm::md5);
    EXPECT_EQ(fp.to_string(), "md5:90:01:50:98:3C:D2:4F:B0:D6:96:3F:7D:28:E1:7F:72");
    EXPECT_EQ(fp.hex(), md5_abc);
}

// The same fingerprints as `openssl x509 -fingerprint` prints for a certificate of the test PKI.
TEST(FingerprintTest, CertificateFingerprintsMatchOpensslCli) {
    const auto cert = Certificate::from_pem(test_pki::read_text("leaf.pem")).value();
    const Bytes der = test_pki::read_bytes("leaf.der");
    for (auto alg : {DigestAlgorithm::sha256, DigestAlgorithm::sha1, DigestAlgorithm::md5}) {
        const auto out = test_pki::run("openssl x509 -in '" + test_pki::path("leaf.pem") +
                                       "' -noout -fingerprint -" + std::string(to_string(alg)));
        ASSERT_EQ(out.status, 0) << out.output;
        // "sha256 Fingerprint=D5:6F:..."
        const std::string expected = test_pki::value_after_equals(out.output);
        ASSERT_EQ(expected.size(), digest_size(alg) * 3 - 1) << out.output;
        EXPECT_EQ(cert.fingerprint(alg).to_string(), std::string(to_string(alg)) + ":" + expected);
        EXPECT_EQ(Fingerprint::of(der, alg), cert.fingerprint(alg));
        // What the CLI prints parses back to the same fingerprint, with or without a prefix.
        EXPECT_EQ(Fingerprint::parse(expected).value(), cert.fingerprint(alg));
        EXPECT_FALSE(Fingerprint::parse(out.output)) << "the raw CLI line is not a fingerprint";
    }
    EXPECT_EQ(cert.fingerprint(), cert.fingerprint(DigestAlgorithm::sha256));
}

TEST(FingerprintTest, ParseAcceptsTheDocumentedForms) {
    const Fingerprint expected = Fingerprint::of(as_bytes("abc"));
    const std::string upper_colons = expected.to_string().substr(7);  // without "sha256:"
    std::string lower_colons = upper_colons;
    for (auto& c : lower_colons) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const std::string& text : {
             expected.to_string(),                     // sha256:AB:CD:...
             "SHA256:" + upper_colons,                 //
             "sha-256:" + lower_colons,                //
             "sha256:" + std::string(sha256_abc),      // prefix, no colons
             upper_colons,                             // no prefix, inferred from length
             lower_colons,                             //
             std::string(sha256_abc),                  // plain lower-case hex
             "  " + expected.to_string() + " \n",      // surrounding whitespace
             "\t" + std::string(sha256_abc) + "\r\n",  //
         }) {
        auto r = Fingerprint::parse(text);
        ASSERT_TRUE(r) << text << ": " << r.error().to_string();
        EXPECT_EQ(*r, expected) << text;
    }
}

TEST(FingerprintTest, ParseInfersTheAlgorithmFromTheLength) {
    EXPECT_EQ(Fingerprint::parse(sha1_abc).value().algorithm(), DigestAlgorithm::sha1);
    EXPECT_EQ(Fingerprint::parse(md5_abc).value().algorithm(), DigestAlgorithm::md5);
    EXPECT_EQ(Fingerprint::parse(sha384_abc).value().algorithm(), DigestAlgorithm::sha384);
    EXPECT_EQ(Fingerprint::parse(sha512_abc).value().algorithm(), DigestAlgorithm::sha512);
    EXPECT_EQ(Fingerprint::parse("md5:" + std::string(md5_abc)).value().hex(), md5_abc);
}

TEST(FingerprintTest, ToStringRoundTripsForEveryAlgorithm) {
    for (auto alg : {DigestAlgorithm::sha256, DigestAlgorithm::sha384, DigestAlgorithm::sha512,
                     DigestAlgorithm::sha1, DigestAlgorithm::md5}) {
        const Fingerprint fp = Fingerprint::of(as_bytes("certkeeper"), alg);
        EXPECT_EQ(Fingerprint::parse(fp.to_string()).value(), fp);
        EXPECT_EQ(Fingerprint::parse(fp.hex()).value(), fp);
    }
}

TEST(FingerprintTest, EqualityComparesAlgorithmAndDigest) {
    const Fingerprint a = Fingerprint::of(as_bytes("a"));
    EXPECT_EQ(a, Fingerprint::of(as_bytes("a")));
    EXPECT_NE(a, Fingerprint::of(as_bytes("b")));
    EXPECT_NE(Fingerprint(DigestAlgorithm::sha256, Bytes(32, 0)),
              Fingerprint(DigestAlgorithm::sha384, Bytes(32, 0)));
}

TEST(FingerprintTest, ParseRejectsMalformedInputWithParseError) {
    const std::string sha1_hex(sha1_abc);
    for (const std::string& bad : {
             std::string(""),                                      // empty
             std::string("   "),                                   // only whitespace
             std::string("sha256:"),                               // prefix only
             "sha256:" + sha1_hex,                                 // wrong length for the prefix
             "md5:" + std::string(sha256_abc),                     //
             std::string(sha256_abc).substr(0, 62),                // truncated
             std::string(sha256_abc) + "00",                       // one byte too many
             std::string("abcdef0123"),                            // no digest has 5 bytes
             "sha3:" + std::string(sha256_abc),                    // unknown algorithm
             "blake2:" + std::string(sha256_abc),                  //
             "sha256:" + std::string(sha256_abc).substr(1) + "g",  // not hex
             "sha256 " + std::string(sha256_abc),                  // missing colon after prefix
             "sha256::" + std::string(sha256_abc),                 // doubled colon
             std::string(sha256_abc) + ":",                        // trailing separator
             "sha256:" + std::string(sha256_abc) + " x",           // trailing garbage
             std::string("garbage"),                               //
         }) {
        auto r = Fingerprint::parse(bad);
        EXPECT_FALSE(r.has_value()) << "accepted '" << bad << "'";
        if (!r) {
            EXPECT_EQ(r.error().code(), Errc::parse) << bad << ": " << r.error().to_string();
        }
    }
}

TEST(FingerprintTest, ParseErrorNamesTheInput) {
    auto r = Fingerprint::parse("sha256:ABCD");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message().find("sha256:ABCD"), std::string::npos) << r.error().message();
    EXPECT_NE(r.error().message().find("2 bytes"), std::string::npos) << r.error().message();
}

}  // namespace
}  // namespace crypto
