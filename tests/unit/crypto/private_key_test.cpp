#include "crypto/private_key.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "crypto/certificate.h"
#include "unit/crypto/test_pki.h"

namespace crypto {
namespace {

using common::Errc;

PrivateKey load_key(std::string_view name) {
    auto key = PrivateKey::from_pem(test_pki::read_text(std::string(name) + ".key"));
    EXPECT_TRUE(key) << name << ": " << (key ? "" : key.error().to_string());
    return std::move(key).value();
}

Certificate load_cert(std::string_view name) {
    return Certificate::from_pem(test_pki::read_text(std::string(name) + ".pem")).value();
}

// Runs `openssl COMMAND -in <file with input>` and returns its output; the test fails if the tool
// does.
std::string openssl_on(std::string_view input, const std::string& command) {
    const test_pki::TempFile in(input);
    const auto out = test_pki::run("openssl " + command + " -in '" + in.path() + "'");
    EXPECT_EQ(out.status, 0) << command << ": " << out.output;
    return out.output;
}

Bytes openssl_der(std::string_view input, const std::string& command) {
    const test_pki::TempFile in(input);
    const test_pki::TempFile out_file(std::string_view{});
    const auto out = test_pki::run("openssl " + command + " -in '" + in.path() + "' -out '" +
                                   out_file.path() + "'");
    EXPECT_EQ(out.status, 0) << command << ": " << out.output;
    std::ifstream f(out_file.path(), std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

void expect_error(const common::Result<PrivateKey>& r, Errc code, const std::string& what) {
    test_pki::expect_openssl_queue_empty(what);
    ASSERT_FALSE(r.has_value()) << what << " was accepted";
    EXPECT_EQ(r.error().code(), code) << what << ": " << r.error().to_string();
}

TEST(KeySpecTest, ParsesSupportedSpecs) {
    struct Row {
        const char* text;
        KeySpec::Type type;
        int bits;
        const char* curve;
        const char* canonical;
    };
    using T = KeySpec::Type;
    for (const Row& row :
         {Row{"rsa:2048", T::rsa, 2048, "", "rsa:2048"},
          Row{"RSA:3072", T::rsa, 3072, "", "rsa:3072"},
          Row{"rsa:4096", T::rsa, 4096, "", "rsa:4096"}, Row{"rsa", T::rsa, 2048, "", "rsa:2048"},
          Row{"ec:P-256", T::ec, 0, "P-256", "ec:P-256"},
          Row{"EC:p256", T::ec, 0, "P-256", "ec:P-256"},
          Row{"ec:prime256v1", T::ec, 0, "P-256", "ec:P-256"},
          Row{"ec:secp256r1", T::ec, 0, "P-256", "ec:P-256"},
          Row{"ec:P-384", T::ec, 0, "P-384", "ec:P-384"},
          Row{"ec:secp384r1", T::ec, 0, "P-384", "ec:P-384"}}) {
        auto spec = KeySpec::parse(row.text);
        ASSERT_TRUE(spec) << row.text << ": " << spec.error().to_string();
        EXPECT_EQ(spec->type, row.type) << row.text;
        if (row.type == T::rsa) {
            EXPECT_EQ(spec->rsa_bits, row.bits) << row.text;
        } else {
            EXPECT_EQ(spec->curve, row.curve) << row.text;
        }
        EXPECT_EQ(spec->to_string(), row.canonical);
        EXPECT_EQ(KeySpec::parse(spec->to_string()).value().to_string(), row.canonical);
    }
}

TEST(KeySpecTest, RefusesWeakOrUnknownSizesAsUnsupported) {
    for (const char* text : {"rsa:1024", "rsa:512", "rsa:8192", "rsa:2047", "rsa:abc", "ec:P-521",
                             "ec:secp521r1", "ec:P-224", "ec:brainpoolP256r1", "ec", "ec:"}) {
        auto r = KeySpec::parse(text);
        ASSERT_FALSE(r) << "accepted " << text;
        EXPECT_EQ(r.error().code(), Errc::unsupported) << text;
    }
}

TEST(KeySpecTest, RejectsGarbageAsInvalidArgument) {
    for (const char* text :
         {"", "garbage", "dsa:2048", "ed25519", "2048", ":2048", " rsa:2048", "rsa2048"}) {
        auto r = KeySpec::parse(text);
        ASSERT_FALSE(r) << "accepted '" << text << "'";
        EXPECT_EQ(r.error().code(), Errc::invalid_argument) << text;
    }
}

// Key generation is slow under ASan (RSA 4096 especially): each kind is generated once.
class GeneratedKeyTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        for (const char* spec : {"rsa:2048", "rsa:3072", "rsa:4096", "ec:P-256", "ec:P-384"}) {
            auto key = PrivateKey::generate(KeySpec::parse(spec).value());
            ASSERT_TRUE(key) << spec << ": " << key.error().to_string();
            keys().emplace(spec, std::move(*key));
        }
    }
    static void TearDownTestSuite() { keys().clear(); }

    static std::map<std::string, PrivateKey>& keys() {
        static std::map<std::string, PrivateKey> k;
        return k;
    }
    static const PrivateKey& key(const std::string& spec) { return keys().at(spec); }
};

TEST_F(GeneratedKeyTest, DescriptionsMatchTheSpec) {
    ASSERT_EQ(keys().size(), 5u);
    EXPECT_EQ(key("rsa:2048").description(), "RSA 2048");
    EXPECT_EQ(key("rsa:3072").description(), "RSA 3072");
    EXPECT_EQ(key("rsa:4096").description(), "RSA 4096");
    EXPECT_EQ(key("ec:P-256").description(), "EC P-256");
    EXPECT_EQ(key("ec:P-384").description(), "EC P-384");
    EXPECT_TRUE(key("rsa:3072").is_rsa());
    EXPECT_FALSE(key("ec:P-384").is_rsa());
}

TEST_F(GeneratedKeyTest, PemRoundTripsForEveryKind) {
    for (const auto& [spec, k] : keys()) {
        const std::string pem = k.to_pem();
        EXPECT_EQ(pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u) << spec;
        auto back = PrivateKey::from_pem(pem);
        ASSERT_TRUE(back) << spec << ": " << back.error().to_string();
        EXPECT_EQ(back->to_der(), k.to_der()) << spec;
        EXPECT_EQ(back->public_key_der(), k.public_key_der()) << spec;
        EXPECT_EQ(back->description(), k.description()) << spec;
    }
}

TEST_F(GeneratedKeyTest, DerRoundTripsForEveryKind) {
    for (const auto& [spec, k] : keys()) {
        const Bytes der = k.to_der();
        ASSERT_FALSE(der.empty()) << spec;
        auto back = PrivateKey::from_der(der);
        ASSERT_TRUE(back) << spec << ": " << back.error().to_string();
        EXPECT_EQ(back->public_key_der(), k.public_key_der()) << spec;
    }
}

TEST_F(GeneratedKeyTest, KeysAreDistinctAndMatchNoTestCertificate) {
    EXPECT_NE(key("ec:P-256").public_key_der(), key("ec:P-384").public_key_der());
    auto again = PrivateKey::generate(KeySpec::parse("ec:P-256").value()).value();
    EXPECT_NE(again.public_key_der(), key("ec:P-256").public_key_der());
    EXPECT_FALSE(key("rsa:2048").matches(load_cert("leaf")));
    EXPECT_FALSE(key("ec:P-256").matches(load_cert("ec-leaf")));
}

TEST_F(GeneratedKeyTest, OpensslCliReadsOurPem) {
    const PrivateKey& k = key("ec:P-384");
    const std::string out = openssl_on(k.to_pem(), "pkey -noout -text");
    EXPECT_NE(out.find("NIST CURVE: P-384"), std::string::npos) << out;
}

TEST_F(GeneratedKeyTest, EncryptedPemRoundTrip) {
    for (const char* spec : {"rsa:2048", "ec:P-256"}) {
        const PrivateKey& k = key(spec);
        auto enc = k.to_encrypted_pem("correct horse");
        ASSERT_TRUE(enc) << enc.error().to_string();
        EXPECT_EQ(enc->rfind("-----BEGIN ENCRYPTED PRIVATE KEY-----\n", 0), 0u);
        EXPECT_EQ(enc->find(as_chars(k.to_der())), std::string::npos);

        auto back = PrivateKey::from_pem(*enc, "correct horse");
        ASSERT_TRUE(back) << spec << ": " << back.error().to_string();
        EXPECT_EQ(back->to_der(), k.to_der());

        expect_error(PrivateKey::from_pem(*enc, "wrong horse"), Errc::verification,
                     "wrong passphrase");
        expect_error(PrivateKey::from_pem(*enc), Errc::invalid_argument, "no passphrase");
        expect_error(PrivateKey::from_pem(*enc, ""), Errc::invalid_argument, "empty passphrase");
    }
}

TEST_F(GeneratedKeyTest, EncryptedPemIsPbes2WithAes256AndOpensslCanDecryptIt) {
    const PrivateKey& k = key("ec:P-256");
    const std::string enc = k.to_encrypted_pem("s3cret").value();
    const std::string info = openssl_on(enc, "asn1parse");
    EXPECT_NE(info.find("PBES2"), std::string::npos) << info;
    EXPECT_NE(info.find("PBKDF2"), std::string::npos) << info;
    EXPECT_NE(info.find("aes-256-cbc"), std::string::npos) << info;
    const Bytes pub = openssl_der(enc, "pkey -passin pass:s3cret -pubout -outform DER");
    EXPECT_EQ(pub, k.public_key_der());
}

TEST_F(GeneratedKeyTest, EncryptingNeedsAPassphrase) {
    auto r = key("ec:P-256").to_encrypted_pem("");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), Errc::invalid_argument);
}

TEST(PrivateKeyTest, LoadsTheTestPkiKeys) {
    const PrivateKey rsa = load_key("leaf");
    EXPECT_EQ(rsa.description(), "RSA 2048");
    EXPECT_TRUE(rsa.is_rsa());
    const PrivateKey ec = load_key("ec-leaf");
    EXPECT_EQ(ec.description(), "EC P-256");
    EXPECT_FALSE(ec.is_rsa());
}

TEST(PrivateKeyTest, Matches) {
    EXPECT_TRUE(load_key("leaf").matches(load_cert("leaf")));
    EXPECT_TRUE(load_key("ec-leaf").matches(load_cert("ec-leaf")));
    EXPECT_TRUE(load_key("root").matches(load_cert("root")));
    EXPECT_FALSE(load_key("leaf").matches(load_cert("int")));
    EXPECT_FALSE(load_key("leaf").matches(load_cert("revoked")));
    EXPECT_FALSE(load_key("ec-leaf").matches(load_cert("leaf")));
    EXPECT_FALSE(load_key("root").matches(load_cert("other-root")));
}

TEST(PrivateKeyTest, CopiesShareTheKey) {
    const PrivateKey k = load_key("ec-leaf");
    const PrivateKey copy = k;  // NOLINT(performance-unnecessary-copy-initialization)
    EXPECT_EQ(copy.native(), k.native());
    EXPECT_TRUE(copy.matches(load_cert("ec-leaf")));
}

TEST(PrivateKeyTest, ReadsTraditionalPem) {
    const PrivateKey rsa = load_key("leaf");
    const std::string rsa_pem = openssl_on(test_pki::read_text("leaf.key"), "pkey -traditional");
    ASSERT_EQ(rsa_pem.rfind("-----BEGIN RSA PRIVATE KEY-----", 0), 0u) << rsa_pem;
    auto from_rsa = PrivateKey::from_pem(rsa_pem);
    ASSERT_TRUE(from_rsa) << from_rsa.error().to_string();
    EXPECT_EQ(from_rsa->public_key_der(), rsa.public_key_der());

    const PrivateKey ec = load_key("ec-leaf");
    const std::string ec_pem = openssl_on(test_pki::read_text("ec-leaf.key"), "ec");
    ASSERT_EQ(ec_pem.find("-----BEGIN EC PRIVATE KEY-----"), ec_pem.find("-----BEGIN")) << ec_pem;
    auto from_ec = PrivateKey::from_pem(ec_pem);
    ASSERT_TRUE(from_ec) << from_ec.error().to_string();
    EXPECT_EQ(from_ec->public_key_der(), ec.public_key_der());
    EXPECT_EQ(from_ec->to_der(), ec.to_der()) << "to_der() is PKCS#8 whatever was read";
}

TEST(PrivateKeyTest, ReadsEncryptedPemMadeByOpenssl) {
    const PrivateKey rsa = load_key("leaf");
    const std::string traditional = openssl_on(test_pki::read_text("leaf.key"),
                                               "pkey -traditional -aes256 -passout pass:secret");
    ASSERT_NE(traditional.find("Proc-Type: 4,ENCRYPTED"), std::string::npos) << traditional;
    const std::string pkcs8 = openssl_on(test_pki::read_text("ec-leaf.key"),
                                         "pkcs8 -topk8 -v2 aes-256-cbc -passout pass:secret");
    ASSERT_NE(pkcs8.find("BEGIN ENCRYPTED PRIVATE KEY"), std::string::npos) << pkcs8;

    auto a = PrivateKey::from_pem(traditional, "secret");
    ASSERT_TRUE(a) << a.error().to_string();
    EXPECT_TRUE(a->matches(load_cert("leaf")));
    auto b = PrivateKey::from_pem(pkcs8, "secret");
    ASSERT_TRUE(b) << b.error().to_string();
    EXPECT_TRUE(b->matches(load_cert("ec-leaf")));

    for (const std::string* pem : {&traditional, &pkcs8}) {
        expect_error(PrivateKey::from_pem(*pem, "Secret"), Errc::verification, "wrong passphrase");
        expect_error(PrivateKey::from_pem(*pem), Errc::invalid_argument, "missing passphrase");
        expect_error(PrivateKey::from_pem(*pem, std::string(2000, 'x')), Errc::verification,
                     "overlong passphrase");
    }
}

TEST(PrivateKeyTest, MissingPassphraseFailsAtOnceInsteadOfPrompting) {
    const std::string pkcs8 = openssl_on(test_pki::read_text("ec-leaf.key"),
                                         "pkcs8 -topk8 -v2 aes-256-cbc -passout pass:secret");
    const auto started = std::chrono::steady_clock::now();
    expect_error(PrivateKey::from_pem(pkcs8), Errc::invalid_argument, "missing passphrase");
    expect_error(PrivateKey::from_pem(pkcs8, "wrong"), Errc::verification, "wrong passphrase");
    // Prompting would block on the terminal; failing is immediate.
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
}

TEST(PrivateKeyTest, PassphraseIsIgnoredForAnUnencryptedKey) {
    auto k = PrivateKey::from_pem(test_pki::read_text("ec-leaf.key"), "unused");
    ASSERT_TRUE(k) << k.error().to_string();
    EXPECT_TRUE(k->matches(load_cert("ec-leaf")));
}

TEST(PrivateKeyTest, ReadsPkcs8AndTraditionalDer) {
    const PrivateKey rsa = load_key("leaf");
    const PrivateKey ec = load_key("ec-leaf");
    const std::string rsa_pem = test_pki::read_text("leaf.key");
    const std::string ec_pem = test_pki::read_text("ec-leaf.key");
    struct Case {
        const char* what;
        Bytes der;
        const PrivateKey* expected;
    };
    const std::string to_pkcs8 = "pkcs8 -topk8 -nocrypt -outform DER";
    for (const Case& c :
         {Case{"PKCS#8 RSA", openssl_der(rsa_pem, to_pkcs8), &rsa},
          Case{"PKCS#1 RSA", openssl_der(rsa_pem, "rsa -outform DER -traditional"), &rsa},
          Case{"PKCS#8 EC", openssl_der(ec_pem, to_pkcs8), &ec},
          Case{"SEC1 EC", openssl_der(ec_pem, "ec -outform DER"), &ec}}) {
        ASSERT_FALSE(c.der.empty()) << c.what;
        auto k = PrivateKey::from_der(c.der);
        ASSERT_TRUE(k) << c.what << ": " << k.error().to_string();
        EXPECT_EQ(k->public_key_der(), c.expected->public_key_der()) << c.what;
    }
    EXPECT_EQ(openssl_der(ec_pem, to_pkcs8), ec.to_der());
    EXPECT_EQ(openssl_der(rsa_pem, to_pkcs8), rsa.to_der());
}

// Malformed input.

TEST(PrivateKeyMalformedTest, Empty) {
    expect_error(PrivateKey::from_der({}), Errc::parse, "empty DER");
    expect_error(PrivateKey::from_pem(""), Errc::parse, "empty PEM");
}

TEST(PrivateKeyMalformedTest, TruncatedDerAtEveryLength) {
    const Bytes der = load_key("ec-leaf").to_der();
    ASSERT_GT(der.size(), 100u);
    for (std::size_t n = 1; n < der.size(); ++n) {
        const Bytes prefix(der.begin(), der.begin() + static_cast<std::ptrdiff_t>(n));
        expect_error(PrivateKey::from_der(prefix), Errc::parse,
                     "DER truncated to " + std::to_string(n));
        if (HasFailure())
            return;
    }
}

TEST(PrivateKeyMalformedTest, TruncatedPem) {
    const std::string pem = test_pki::read_text("ec-leaf.key");
    for (std::size_t n : {pem.size() / 2, pem.size() - 30, pem.size() - 2}) {
        expect_error(PrivateKey::from_pem(pem.substr(0, n)), Errc::parse,
                     "PEM cut at " + std::to_string(n));
    }
}

TEST(PrivateKeyMalformedTest, Garbage) {
    expect_error(PrivateKey::from_der(test_pki::garbage(300)), Errc::parse, "garbage DER");
    expect_error(PrivateKey::from_der(Bytes{0x30, 0x00}), Errc::parse, "empty SEQUENCE");
    expect_error(PrivateKey::from_pem("not a key"), Errc::parse, "text");
    expect_error(PrivateKey::from_pem(as_chars(test_pki::garbage(300))), Errc::parse, "binary");
}

TEST(PrivateKeyMalformedTest, TrailingDataAfterDer) {
    Bytes der = load_key("ec-leaf").to_der();
    der.push_back(0x00);
    expect_error(PrivateKey::from_der(der), Errc::parse, "DER + 1 byte");
    Bytes doubled = load_key("ec-leaf").to_der();
    const Bytes second = load_key("leaf").to_der();
    doubled.insert(doubled.end(), second.begin(), second.end());
    expect_error(PrivateKey::from_der(doubled), Errc::parse, "two keys");
}

TEST(PrivateKeyMalformedTest, OtherObjectsAreNotKeys) {
    expect_error(PrivateKey::from_der(test_pki::read_bytes("leaf.der")), Errc::parse,
                 "certificate DER");
    expect_error(PrivateKey::from_pem(test_pki::read_text("leaf.pem")), Errc::parse,
                 "certificate PEM");
    expect_error(PrivateKey::from_pem(test_pki::read_text("int.crl.pem")), Errc::parse, "CRL PEM");
    expect_error(PrivateKey::from_der(load_key("leaf").public_key_der()), Errc::parse,
                 "public key DER");
    const std::string public_pem = openssl_on(test_pki::read_text("ec-leaf.key"), "pkey -pubout");
    ASSERT_NE(public_pem.find("BEGIN PUBLIC KEY"), std::string::npos);
    expect_error(PrivateKey::from_pem(public_pem), Errc::parse, "public key PEM");
}

TEST(PrivateKeyMalformedTest, BrokenBase64InPem) {
    expect_error(
        PrivateKey::from_pem(test_pki::break_pem_base64(test_pki::read_text("ec-leaf.key"))),
        Errc::parse, "broken base64");
    const std::string pem = "-----BEGIN PRIVATE KEY-----\n" + to_base64(test_pki::garbage(100)) +
                            "\n-----END PRIVATE KEY-----\n";
    expect_error(PrivateKey::from_pem(pem), Errc::parse, "PEM of garbage");
}

TEST(PrivateKeyMalformedTest, EncryptedDerIsRefusedWithoutPrompting) {
    const Bytes der = openssl_der(test_pki::read_text("ec-leaf.key"),
                                  "pkcs8 -topk8 -v2 aes-256-cbc -passout pass:secret -outform DER");
    ASSERT_FALSE(der.empty());
    expect_error(PrivateKey::from_der(der), Errc::parse, "EncryptedPrivateKeyInfo DER");
}

TEST(PrivateKeyMalformedTest, SingleByteCorruptionNeverCrashes) {
    const Certificate cert = load_cert("ec-leaf");
    const Bytes der = load_key("ec-leaf").to_der();
    int parsed = 0;
    test_pki::for_each_corruption(der, [&](std::size_t i, const Bytes& corrupt) {
        const std::string what = "byte " + std::to_string(i) + " corrupted";
        auto k = PrivateKey::from_der(corrupt);
        if (!k) {
            EXPECT_EQ(k.error().code(), Errc::parse) << what;
            test_pki::expect_openssl_queue_empty(what);
            return;
        }
        ++parsed;
        (void)k->description();
        (void)k->public_key_der();
        (void)k->to_pem();
        (void)k->to_der();
        (void)k->matches(cert);
        test_pki::expect_openssl_queue_empty(what);
    });
    EXPECT_LT(parsed, static_cast<int>(der.size()));
}

TEST(PrivateKeyMalformedTest, OversizedInputIsRefused) {
    const Bytes huge(64u * 1024u * 1024u + 1u, 0x30);
    expect_error(PrivateKey::from_der(huge), Errc::invalid_argument, "oversized DER");
    expect_error(PrivateKey::from_pem(as_chars(huge)), Errc::invalid_argument, "oversized PEM");
}

}  // namespace
}  // namespace crypto
