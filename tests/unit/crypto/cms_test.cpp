#include "crypto/cms.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "crypto/ossl_ptr.h"
#include "unit/crypto/test_pki.h"

namespace crypto::cms {
namespace {

using common::Errc;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAreArray;
using namespace std::string_view_literals;

constexpr const char* oid_message_type = "2.16.840.1.113733.1.9.2";
constexpr const char* oid_pki_status = "2.16.840.1.113733.1.9.3";
constexpr const char* oid_sender_nonce = "2.16.840.1.113733.1.9.5";
constexpr const char* oid_transaction_id = "2.16.840.1.113733.1.9.7";
constexpr const char* oid_fail_info_text = "1.3.6.1.5.5.7.24.1";

Bytes bytes_of(std::string_view s) {
    const ByteView v = as_bytes(s);
    return Bytes(v.begin(), v.end());
}

Certificate load_cert(std::string_view name) {
    return Certificate::from_pem(test_pki::read_text(name)).value();
}

PrivateKey load_key(std::string_view name) {
    return PrivateKey::from_pem(test_pki::read_text(name)).value();
}

Certificate sign_cert(X509Ptr x, const PrivateKey& key) {
    X509_set_pubkey(x.get(), key.native());
    EXPECT_GT(X509_sign(x.get(), key.native(), EVP_sha256()), 0);
    return Certificate::adopt(x.release());
}

// A self-signed certificate like the one a SCEP client makes for PKCSReq (RFC 8894 §2.3).
Certificate make_self_signed(const PrivateKey& key, const std::string& cn) {
    X509Ptr x(X509_new());
    X509_set_version(x.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 1);
    X509_NAME* name = X509_get_subject_name(x.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509_set_issuer_name(x.get(), name);
    ASN1_TIME_set_string(X509_getm_notBefore(x.get()), "20240101000000Z");
    ASN1_TIME_set_string(X509_getm_notAfter(x.get()), "20440101000000Z");
    return sign_cert(std::move(x), key);
}

// A copy of cert (same issuer, serial and subject key identifier) carrying key instead.
Certificate make_impostor(const Certificate& cert, const PrivateKey& key) {
    return sign_cert(X509Ptr(X509_dup(cert.native())), key);
}

// The committed test PKI (tests/data/make-test-pki.sh) plus what a SCEP client makes itself.
struct TestPki {
    PrivateKey ca_key = load_key("int.key");
    Certificate ca = load_cert("int.pem");
    PrivateKey client_key = load_key("leaf.key");
    Certificate client = load_cert("leaf.pem");
    PrivateKey other_key = load_key("other-root.key");
    Certificate other = load_cert("other-root.pem");
    PrivateKey ec_key = load_key("ec-leaf.key");
    Certificate ec = load_cert("ec-leaf.pem");
    PrivateKey self_key = PrivateKey::generate(KeySpec::parse("rsa:2048").value()).value();
    Certificate self_signed = make_self_signed(self_key, "device-002");
    // Same issuer, serial and key identifier as `client`, but other_key.
    Certificate impostor = make_impostor(client, other_key);
};

const TestPki& pki() {
    static const TestPki instance;
    return instance;
}

SignOptions scep_options(DigestAlgorithm digest = DigestAlgorithm::sha256) {
    SignOptions o;
    o.digest = digest;
    o.attributes = {
        {oid_message_type, Attribute::Type::printable_string, bytes_of("19")},
        {oid_transaction_id, Attribute::Type::printable_string, bytes_of("4A2B9C0011")},
        {oid_sender_nonce, Attribute::Type::octet_string,
         Bytes{0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d,
               0xfe, 0xff}},
    };
    return o;
}

std::vector<std::string> subjects(const std::vector<Certificate>& certs) {
    std::vector<std::string> out;
    for (const Certificate& c : certs) {
        out.push_back(c.subject());
    }
    return out;
}

// Byte offset of needle in haystack, or npos.
std::size_t find_bytes(const Bytes& haystack, const Bytes& needle) {
    const auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end());
    return it == haystack.end() ? std::string::npos
                                : static_cast<std::size_t>(it - haystack.begin());
}

// Inputs that are not DER CMS at all.
std::vector<Bytes> malformed_inputs(const Bytes& valid) {
    return {
        Bytes{},
        bytes_of("this is not DER"),
        Bytes{0x30, 0x82, 0xff, 0xff, 0x06},
        Bytes(valid.begin(), valid.begin() + static_cast<std::ptrdiff_t>(valid.size() / 2)),
        Bytes(valid.begin(), valid.end() - 1),
        pki().ca.to_der(),
        [&] {
            Bytes b = valid;
            b.push_back(0x00);
            return b;
        }(),
    };
}

// --- OpenSSL command line, for interoperability ---

// A temporary directory to run the openssl command line in.
class Cli {
  public:
    Cli() {
        std::string tmpl =
            (std::filesystem::temp_directory_path() / "certkeeper-cms-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) != nullptr) {
            m_dir = tmpl;
        }
    }
    ~Cli() {
        std::error_code ec;
        std::filesystem::remove_all(m_dir, ec);
    }
    Cli(const Cli&) = delete;
    Cli& operator=(const Cli&) = delete;

    static bool available() { return test_pki::run("openssl version").status == 0; }

    void write(const std::string& name, ByteView data) const {
        std::ofstream out(m_dir / name, std::ios::binary);
        out.write(reinterpret_cast<const char*>(data.data()),
                  static_cast<std::streamsize>(data.size()));
    }
    void write(const std::string& name, std::string_view text) const {
        write(name, as_bytes(text));
    }
    Bytes read(const std::string& name) const {
        std::ifstream in(m_dir / name, std::ios::binary);
        return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    // Runs "openssl ARGS" in the directory; the result has stdout and stderr.
    test_pki::CommandResult openssl(const std::string& args) const {
        return test_pki::run("cd '" + m_dir.string() + "' && OPENSSL_CONF=/dev/null openssl " +
                             args);
    }

  private:
    std::filesystem::path m_dir;
};

#define REQUIRE_OPENSSL_CLI()                                 \
    do {                                                      \
        if (!Cli::available()) {                              \
            GTEST_SKIP() << "openssl command line not found"; \
        }                                                     \
    } while (false)

// --- certs-only ---

TEST(CmsCertsOnly, RoundTripKeepsEveryCertificateInOrder) {
    const std::vector<Certificate> certs{pki().client, pki().ca, pki().other};
    const auto der = make_certs_only(certs);
    ASSERT_TRUE(der) << der.error().to_string();
    const auto parsed = parse_certs_only(*der);
    ASSERT_TRUE(parsed) << parsed.error().to_string();
    EXPECT_EQ(*parsed, certs);
}

TEST(CmsCertsOnly, IsDegenerate) {
    const auto der = make_certs_only({pki().ca});
    ASSERT_TRUE(der);
    const unsigned char* p = der->data();
    Pkcs7Ptr p7(d2i_PKCS7(nullptr, &p, static_cast<long>(der->size())));
    ASSERT_TRUE(p7);
    ASSERT_TRUE(PKCS7_type_is_signed(p7.get()));
    EXPECT_EQ(sk_PKCS7_SIGNER_INFO_num(p7->d.sign->signer_info), 0);
    EXPECT_EQ(OBJ_obj2nid(p7->d.sign->contents->type), NID_pkcs7_data);
    EXPECT_EQ(p7->d.sign->contents->d.data, nullptr);  // no eContent
    EXPECT_EQ(sk_X509_num(p7->d.sign->cert), 1);
}

TEST(CmsCertsOnly, RefusesAnEmptyList) {
    const auto der = make_certs_only({});
    ASSERT_FALSE(der);
    EXPECT_EQ(der.error().code(), Errc::invalid_argument);
}

TEST(CmsCertsOnly, ParsesTheCmsEncoding) {
    X509StackPtr stack(sk_X509_new_null());
    for (const Certificate* c : {&pki().ca, &pki().other}) {
        sk_X509_push(stack.get(), up_ref(c->native()).release());
    }
    // What CMS_sign makes without a signer: eContent present but empty, certificates sorted.
    CmsContentInfoPtr cms(CMS_sign(nullptr, nullptr, stack.get(), nullptr, CMS_PARTIAL));
    ASSERT_TRUE(cms);
    Bytes der(static_cast<std::size_t>(i2d_CMS_ContentInfo(cms.get(), nullptr)));
    unsigned char* p = der.data();
    ASSERT_EQ(i2d_CMS_ContentInfo(cms.get(), &p), static_cast<int>(der.size()));

    const auto parsed = parse_certs_only(der);
    ASSERT_TRUE(parsed) << parsed.error().to_string();
    EXPECT_THAT(subjects(*parsed), UnorderedElementsAreArray(subjects({pki().ca, pki().other})));
}

TEST(CmsCertsOnly, ToleratesASignedDataWithASigner) {
    SignOptions options;
    options.extra_certs = {pki().ca};
    const auto der = sign(bytes_of("payload"), pki().client, pki().client_key, options);
    ASSERT_TRUE(der);
    const auto parsed = parse_certs_only(*der);
    ASSERT_TRUE(parsed) << parsed.error().to_string();
    EXPECT_THAT(subjects(*parsed), UnorderedElementsAreArray(subjects({pki().client, pki().ca})));
}

TEST(CmsCertsOnly, RefusesASignedDataWithoutCertificates) {
    Pkcs7Ptr p7(PKCS7_new());
    ASSERT_EQ(PKCS7_set_type(p7.get(), NID_pkcs7_signed), 1);
    ASSERT_EQ(PKCS7_content_new(p7.get(), NID_pkcs7_data), 1);
    Bytes der(static_cast<std::size_t>(i2d_PKCS7(p7.get(), nullptr)));
    unsigned char* p = der.data();
    ASSERT_EQ(i2d_PKCS7(p7.get(), &p), static_cast<int>(der.size()));

    const auto parsed = parse_certs_only(der);
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().code(), Errc::parse);
    EXPECT_THAT(parsed.error().message(), HasSubstr("no certificate"));
}

TEST(CmsCertsOnly, RefusesEnvelopedData) {
    const auto der = encrypt(bytes_of("x"), {pki().ca}, ContentCipher::aes128_cbc);
    ASSERT_TRUE(der);
    const auto parsed = parse_certs_only(*der);
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().code(), Errc::parse);
}

TEST(CmsCertsOnly, RefusesMalformedInput) {
    const auto valid = make_certs_only({pki().ca, pki().client});
    ASSERT_TRUE(valid);
    for (const Bytes& input : malformed_inputs(*valid)) {
        const auto parsed = parse_certs_only(input);
        ASSERT_FALSE(parsed) << "input of " << input.size() << " bytes";
        EXPECT_EQ(parsed.error().code(), Errc::parse) << parsed.error().to_string();
    }
}

TEST(CmsCertsOnly, RefusesOversizedInput) {
    const Bytes huge(std::size_t{64} * 1024 * 1024 + 1, 0x30);
    const auto parsed = parse_certs_only(huge);
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().code(), Errc::invalid_argument);
}

// --- SignedData ---

TEST(CmsSign, ScepAttributesRoundTrip) {
    const Bytes content = bytes_of("encrypted PKCS#10 would go here");
    const SignOptions options = scep_options();
    const auto der = sign(content, pki().client, pki().client_key, options);
    ASSERT_TRUE(der) << der.error().to_string();

    const auto verified = verify(*der, {pki().client});
    ASSERT_TRUE(verified) << verified.error().to_string();
    EXPECT_EQ(verified->content, content);
    EXPECT_EQ(verified->signer, pki().client);
    EXPECT_EQ(verified->digest, DigestAlgorithm::sha256);
    EXPECT_EQ(verified->certificates, std::vector<Certificate>{pki().client});
    for (const Attribute& a : options.attributes) {
        EXPECT_THAT(verified->attributes, ::testing::Contains(a)) << a.oid;
        EXPECT_EQ(verified->attribute(a.oid), a.value) << a.oid;
    }
    EXPECT_FALSE(verified->attribute(oid_pki_status).has_value());
    // contentType (an OID) and signingTime (a UTCTime) are not string attributes.
    EXPECT_FALSE(verified->attribute("1.2.840.113549.1.9.3").has_value());
    EXPECT_FALSE(verified->attribute("1.2.840.113549.1.9.5").has_value());
    // messageDigest is an OCTET STRING signed attribute, so it is reported too.
    EXPECT_EQ(verified->attribute("1.2.840.113549.1.9.4").value_or(Bytes{}).size(), 32u);
}

TEST(CmsSign, PkcsReqWithSelfSignedSignerVerifiesWithTheEmbeddedCertificate) {
    const Bytes content = bytes_of("pkcsPKIEnvelope");
    const auto der = sign(content, pki().self_signed, pki().self_key, scep_options());
    ASSERT_TRUE(der) << der.error().to_string();

    const auto verified = verify_with_embedded_signer(*der);
    ASSERT_TRUE(verified) << verified.error().to_string();
    EXPECT_EQ(verified->signer, pki().self_signed);
    EXPECT_EQ(verified->content, content);
    EXPECT_EQ(verified->attribute(oid_message_type), bytes_of("19"));
    const auto by_ca = verify(*der, {pki().ca});
    ASSERT_FALSE(by_ca);
    EXPECT_EQ(by_ca.error().code(), Errc::verification);
}

class CmsSignDigest : public ::testing::TestWithParam<DigestAlgorithm> {};

TEST_P(CmsSignDigest, RoundTrip) {
    const auto der = sign(bytes_of("content"), pki().ca, pki().ca_key, scep_options(GetParam()));
    ASSERT_TRUE(der) << der.error().to_string();
    const auto verified = verify(*der, {pki().ca});
    ASSERT_TRUE(verified) << verified.error().to_string();
    EXPECT_EQ(verified->digest, GetParam());
    EXPECT_EQ(verified->attribute("1.2.840.113549.1.9.4").value_or(Bytes{}).size(),
              digest_size(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(CmsDigests, CmsSignDigest,
                         ::testing::Values(DigestAlgorithm::sha1, DigestAlgorithm::sha256,
                                           DigestAlgorithm::sha384, DigestAlgorithm::sha512),
                         [](const auto& test) { return std::string(to_string(test.param)); });

TEST(CmsSign, RefusesMd5AndUnknownDigests) {
    const auto der =
        sign(bytes_of("x"), pki().ca, pki().ca_key, scep_options(DigestAlgorithm::md5));
    ASSERT_FALSE(der);
    EXPECT_EQ(der.error().code(), Errc::unsupported);
}

TEST(CmsSign, RefusesAKeyThatDoesNotMatchTheSigner) {
    const auto der = sign(bytes_of("x"), pki().ca, pki().client_key, {});
    ASSERT_FALSE(der);
    EXPECT_EQ(der.error().code(), Errc::invalid_argument);
}

TEST(CmsSign, RefusesBadAttributes) {
    const std::vector<std::vector<Attribute>> cases{
        {{"messageType", Attribute::Type::printable_string, bytes_of("19")}},
        {{"", Attribute::Type::printable_string, bytes_of("19")}},
        {{"2.16..840", Attribute::Type::printable_string, bytes_of("19")}},
        {{"1.2.840.113549.1.9.4", Attribute::Type::octet_string, Bytes(32, 0)}},
        {{"1.2.840.113549.1.9.3", Attribute::Type::printable_string, bytes_of("1")}},
        {{oid_transaction_id, Attribute::Type::printable_string, bytes_of("under_score")}},
        {{oid_transaction_id, Attribute::Type::printable_string, bytes_of("caf\xc3\xa9")}},
        {{oid_message_type, Attribute::Type::printable_string, bytes_of("19")},
         {oid_message_type, Attribute::Type::printable_string, bytes_of("3")}},
        {{oid_message_type, static_cast<Attribute::Type>(42), bytes_of("19")}},
    };
    for (const auto& attributes : cases) {
        SignOptions options;
        options.attributes = attributes;
        const auto der = sign(bytes_of("x"), pki().ca, pki().ca_key, options);
        ASSERT_FALSE(der) << attributes.front().oid;
        EXPECT_EQ(der.error().code(), Errc::invalid_argument) << der.error().to_string();
    }
}

TEST(CmsSign, Utf8AndEmptyAttributesRoundTrip) {
    SignOptions options;
    options.attributes = {
        {oid_fail_info_text, Attribute::Type::utf8_string, bytes_of("caf\xc3\xa9 refus\xc3\xa9")},
        {oid_sender_nonce, Attribute::Type::octet_string, Bytes{}},
    };
    const auto der = sign(bytes_of("x"), pki().ca, pki().ca_key, options);
    ASSERT_TRUE(der) << der.error().to_string();
    const auto verified = verify(*der, {pki().ca});
    ASSERT_TRUE(verified) << verified.error().to_string();
    for (const Attribute& a : options.attributes) {
        EXPECT_THAT(verified->attributes, ::testing::Contains(a)) << a.oid;
    }
}

TEST(CmsSign, BinaryContentIsNotCanonicalised) {
    const Bytes content{'a', '\n', 'b', '\r', '\n', 0x00, 0xff, '\r', 'c', '\n', '\n'};
    const auto der = sign(content, pki().ca, pki().ca_key, {});
    ASSERT_TRUE(der);
    const auto verified = verify(*der, {pki().ca});
    ASSERT_TRUE(verified) << verified.error().to_string();
    EXPECT_EQ(verified->content, content);
}

TEST(CmsSign, EmptyContentRoundTrip) {
    const auto der = sign({}, pki().ca, pki().ca_key, scep_options());
    ASSERT_TRUE(der) << der.error().to_string();
    const auto verified = verify(*der, {pki().ca});
    ASSERT_TRUE(verified) << verified.error().to_string();
    EXPECT_TRUE(verified->content.empty());
}

TEST(CmsSign, ExtraCertificatesAreAddedOnce) {
    SignOptions options;
    options.extra_certs = {pki().ca, pki().client, pki().ca, pki().other};
    const auto der = sign(bytes_of("x"), pki().client, pki().client_key, options);
    ASSERT_TRUE(der) << der.error().to_string();
    const auto verified = verify_with_embedded_signer(*der);
    ASSERT_TRUE(verified) << verified.error().to_string();
    // SignedData.certificates is a DER SET OF: sorted by encoding, not in the order given.
    EXPECT_THAT(subjects(verified->certificates),
                UnorderedElementsAreArray(subjects({pki().client, pki().ca, pki().other})));
}

TEST(CmsSign, EcSignerRoundTrip) {
    const auto der = sign(bytes_of("x"), pki().ec, pki().ec_key, scep_options());
    ASSERT_TRUE(der) << der.error().to_string();
    const auto verified = verify(*der, {pki().ec});
    ASSERT_TRUE(verified) << verified.error().to_string();
    EXPECT_EQ(verified->signer, pki().ec);
}

TEST(CmsSign, RefusesOversizedContent) {
    const Bytes huge(std::size_t{64} * 1024 * 1024 + 1, 'x');
    const auto der = sign(huge, pki().ca, pki().ca_key, {});
    ASSERT_FALSE(der);
    EXPECT_EQ(der.error().code(), Errc::invalid_argument);
}

// --- verification failures ---

class CmsVerify : public ::testing::Test {
  protected:
    void SetUp() override {
        auto der = sign(m_content, pki().client, pki().client_key, scep_options());
        ASSERT_TRUE(der) << der.error().to_string();
        m_der = std::move(der).value();
    }

    const Bytes m_content = bytes_of("the content that is signed, long enough to find");
    Bytes m_der;
};

TEST_F(CmsVerify, PicksTheAllowedSignerAmongSeveral) {
    const auto verified = verify(m_der, {pki().ca, pki().other, pki().client});
    ASSERT_TRUE(verified) << verified.error().to_string();
    EXPECT_EQ(verified->signer, pki().client);
}

TEST_F(CmsVerify, RefusesASignerThatIsNotAllowed) {
    const auto verified = verify(m_der, {pki().ca, pki().other});
    ASSERT_FALSE(verified);
    EXPECT_EQ(verified.error().code(), Errc::verification);
}

TEST_F(CmsVerify, RefusesAnEmptyAllowList) {
    const auto verified = verify(m_der, {});
    ASSERT_FALSE(verified);
    EXPECT_EQ(verified.error().code(), Errc::verification);
}

TEST_F(CmsVerify, RefusesAnImpostorWithTheSameIssuerAndSerial) {
    const auto verified = verify(m_der, {pki().impostor});
    ASSERT_FALSE(verified);
    EXPECT_EQ(verified.error().code(), Errc::verification);
}

TEST_F(CmsVerify, DoesNotTakeTheSignerFromTheMessageWhenAnAllowListIsGiven) {
    const auto embedded = verify_with_embedded_signer(m_der);
    ASSERT_TRUE(embedded) << embedded.error().to_string();
    EXPECT_EQ(embedded->signer, pki().client);
    EXPECT_FALSE(verify(m_der, {pki().other}));
}

TEST_F(CmsVerify, RefusesTamperedContent) {
    const std::size_t at = find_bytes(m_der, m_content);
    ASSERT_NE(at, std::string::npos);
    Bytes tampered = m_der;
    tampered[at + 4] ^= 0x01;
    for (const auto& verified :
         {verify(tampered, {pki().client}), verify_with_embedded_signer(tampered)}) {
        ASSERT_FALSE(verified);
        EXPECT_EQ(verified.error().code(), Errc::verification) << verified.error().to_string();
    }
}

TEST_F(CmsVerify, RefusesATamperedSignedAttribute) {
    const std::size_t at = find_bytes(m_der, bytes_of("4A2B9C0011"));
    ASSERT_NE(at, std::string::npos);
    Bytes tampered = m_der;
    tampered[at] = 'B';
    const auto verified = verify(tampered, {pki().client});
    ASSERT_FALSE(verified);
    EXPECT_EQ(verified.error().code(), Errc::verification) << verified.error().to_string();
}

TEST_F(CmsVerify, RefusesATamperedSignature) {
    Bytes tampered = m_der;
    tampered.back() ^= 0x80;  // the signature value is the last field
    for (const auto& verified :
         {verify(tampered, {pki().client}), verify_with_embedded_signer(tampered)}) {
        ASSERT_FALSE(verified);
        EXPECT_EQ(verified.error().code(), Errc::verification) << verified.error().to_string();
    }
}

TEST_F(CmsVerify, RefusesMalformedInput) {
    for (const Bytes& input : malformed_inputs(m_der)) {
        for (const auto& verified :
             {verify(input, {pki().client}), verify_with_embedded_signer(input)}) {
            ASSERT_FALSE(verified) << "input of " << input.size() << " bytes";
            EXPECT_EQ(verified.error().code(), Errc::parse) << verified.error().to_string();
        }
    }
}

TEST_F(CmsVerify, RefusesEnvelopedData) {
    const auto der = encrypt(m_content, {pki().client}, ContentCipher::aes128_cbc);
    ASSERT_TRUE(der);
    const auto verified = verify(*der, {pki().client});
    ASSERT_FALSE(verified);
    EXPECT_EQ(verified.error().code(), Errc::parse);
    EXPECT_THAT(verified.error().message(), HasSubstr("pkcs7-envelopedData"));
}

TEST_F(CmsVerify, RefusesCertsOnlyAsUnsigned) {
    const auto der = make_certs_only({pki().client});
    ASSERT_TRUE(der);
    for (const auto& verified : {verify(*der, {pki().client}), verify_with_embedded_signer(*der)}) {
        ASSERT_FALSE(verified);
        EXPECT_EQ(verified.error().code(), Errc::verification);
    }
}

TEST_F(CmsVerify, EmbeddedSignerMustBeInTheMessage) {
    BioPtr in(BIO_new_mem_buf(m_content.data(), static_cast<int>(m_content.size())));
    CmsContentInfoPtr cms(CMS_sign(pki().client.native(), pki().client_key.native(), nullptr,
                                   in.get(), CMS_BINARY | CMS_NOCERTS));
    ASSERT_TRUE(cms);
    Bytes der(static_cast<std::size_t>(i2d_CMS_ContentInfo(cms.get(), nullptr)));
    unsigned char* p = der.data();
    i2d_CMS_ContentInfo(cms.get(), &p);

    const auto embedded = verify_with_embedded_signer(der);
    ASSERT_FALSE(embedded);
    EXPECT_EQ(embedded.error().code(), Errc::verification);
    const auto allowed = verify(der, {pki().client});
    ASSERT_TRUE(allowed) << allowed.error().to_string();
    EXPECT_EQ(allowed->content, m_content);
}

TEST_F(CmsVerify, AcceptsAnAbsentEContentAsEmptyContent) {
    BioPtr empty(BIO_new(BIO_s_mem()));
    CmsContentInfoPtr cms(CMS_sign(pki().ca.native(), pki().ca_key.native(), nullptr, empty.get(),
                                   CMS_BINARY | CMS_DETACHED));
    ASSERT_TRUE(cms);
    ASSERT_EQ(*CMS_get0_content(cms.get()), nullptr);
    Bytes der(static_cast<std::size_t>(i2d_CMS_ContentInfo(cms.get(), nullptr)));
    unsigned char* p = der.data();
    i2d_CMS_ContentInfo(cms.get(), &p);

    const auto verified = verify(der, {pki().ca});
    ASSERT_TRUE(verified) << verified.error().to_string();
    EXPECT_TRUE(verified->content.empty());
}

TEST(CmsVerifyLimits, RefusesOversizedInput) {
    const Bytes huge(std::size_t{64} * 1024 * 1024 + 1, 0x30);
    const auto verified = verify_with_embedded_signer(huge);
    ASSERT_FALSE(verified);
    EXPECT_EQ(verified.error().code(), Errc::invalid_argument);
}

// --- EnvelopedData ---

// DER of the content-encryption algorithm OID, to check what was used.
Bytes cipher_oid_der(ContentCipher cipher) {
    switch (cipher) {
        case ContentCipher::aes128_cbc:
            return {0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x02};
        case ContentCipher::aes256_cbc:
            return {0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a};
        case ContentCipher::des3_cbc:
            return {0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x03, 0x07};
    }
    return {};
}

std::size_t block_size(ContentCipher cipher) {
    return cipher == ContentCipher::des3_cbc ? 8 : 16;
}

class CmsEnvelope : public ::testing::TestWithParam<ContentCipher> {};

TEST_P(CmsEnvelope, RoundTrip) {
    const Bytes content = bytes_of("-----BEGIN CERTIFICATE REQUEST-----\r\n\0binary\n"sv);
    const auto der = encrypt(content, {pki().ca}, GetParam());
    ASSERT_TRUE(der) << der.error().to_string();
    EXPECT_NE(find_bytes(*der, cipher_oid_der(GetParam())), std::string::npos);
    const auto plain = decrypt(*der, pki().ca, pki().ca_key);
    ASSERT_TRUE(plain) << plain.error().to_string();
    EXPECT_EQ(*plain, content);
}

TEST_P(CmsEnvelope, EmptyAndLargeContent) {
    for (const Bytes& content : {Bytes{}, Bytes(std::size_t{1} << 20, 0xa5)}) {
        const auto der = encrypt(content, {pki().client}, GetParam());
        ASSERT_TRUE(der) << der.error().to_string();
        const auto plain = decrypt(*der, pki().client, pki().client_key);
        ASSERT_TRUE(plain) << plain.error().to_string();
        EXPECT_EQ(*plain, content);
    }
}

TEST_P(CmsEnvelope, TamperedCiphertextIsAVerificationError) {
    const Bytes content(40, 'q');
    const auto der = encrypt(content, {pki().client}, GetParam());
    ASSERT_TRUE(der);
    // Flipping the last byte of the next-to-last block flips the padding byte of the last one.
    Bytes tampered = *der;
    tampered[tampered.size() - block_size(GetParam()) - 1] ^= 0xff;
    const auto plain = decrypt(tampered, pki().client, pki().client_key);
    ASSERT_FALSE(plain);
    EXPECT_EQ(plain.error().code(), Errc::verification) << plain.error().to_string();
}

INSTANTIATE_TEST_SUITE_P(CmsCiphers, CmsEnvelope,
                         ::testing::Values(ContentCipher::aes128_cbc, ContentCipher::aes256_cbc,
                                           ContentCipher::des3_cbc),
                         [](const auto& test) {
                             std::string name(to_string(test.param));
                             std::replace(name.begin(), name.end(), '-', '_');
                             return name;
                         });

TEST(CmsEnvelopeRecipients, EveryRecipientCanDecrypt) {
    const Bytes content = bytes_of("for both");
    const auto der = encrypt(content, {pki().ca, pki().client}, ContentCipher::aes256_cbc);
    ASSERT_TRUE(der);
    EXPECT_EQ(decrypt(*der, pki().ca, pki().ca_key).value(), content);
    EXPECT_EQ(decrypt(*der, pki().client, pki().client_key).value(), content);
}

TEST(CmsEnvelopeRecipients, AnotherRecipientIsAVerificationError) {
    const auto der = encrypt(bytes_of("secret"), {pki().ca}, ContentCipher::aes128_cbc);
    ASSERT_TRUE(der);
    const auto plain = decrypt(*der, pki().other, pki().other_key);
    ASSERT_FALSE(plain);
    EXPECT_EQ(plain.error().code(), Errc::verification);
}

TEST(CmsEnvelopeRecipients, TheImpostorKeyIsAVerificationError) {
    // Same issuer and serial as the real recipient, so OpenSSL tries the key and must fail
    // loudly rather than decrypt with a random key.
    const auto der = encrypt(bytes_of("secret"), {pki().client}, ContentCipher::aes128_cbc);
    ASSERT_TRUE(der);
    const auto plain = decrypt(*der, pki().impostor, pki().other_key);
    ASSERT_FALSE(plain);
    EXPECT_EQ(plain.error().code(), Errc::verification) << plain.error().to_string();
}

TEST(CmsEnvelopeRecipients, AKeyThatDoesNotMatchTheCertificateIsRefused) {
    const auto der = encrypt(bytes_of("secret"), {pki().ca}, ContentCipher::aes128_cbc);
    ASSERT_TRUE(der);
    const auto plain = decrypt(*der, pki().ca, pki().other_key);
    ASSERT_FALSE(plain);
    EXPECT_EQ(plain.error().code(), Errc::invalid_argument);
}

TEST(CmsEnvelopeRecipients, EcRecipientsGetKeyAgreement) {
    // RFC 5753 ECDH: how a SCEP CertRep reaches a device with an EC key.
    const auto der = encrypt(bytes_of("for the EC device"), {pki().ca, pki().ec},
                             ContentCipher::aes128_cbc);
    ASSERT_TRUE(der) << der.error().to_string();
    const auto ec_plain = decrypt(*der, pki().ec, pki().ec_key);
    ASSERT_TRUE(ec_plain) << ec_plain.error().to_string();
    EXPECT_EQ(*ec_plain, bytes_of("for the EC device"));
    const auto rsa_plain = decrypt(*der, pki().ca, pki().ca_key);
    ASSERT_TRUE(rsa_plain);
    EXPECT_EQ(*rsa_plain, bytes_of("for the EC device"));

    // Not addressed to the EC certificate: a clear refusal, not garbage.
    const auto rsa_only = encrypt(bytes_of("x"), {pki().ca}, ContentCipher::aes128_cbc);
    ASSERT_TRUE(rsa_only);
    const auto plain = decrypt(*rsa_only, pki().ec, pki().ec_key);
    ASSERT_FALSE(plain);
    EXPECT_EQ(plain.error().code(), Errc::verification);
}

TEST(CmsEnvelopeRecipients, RefusesNoRecipientAndUnknownCiphers) {
    const auto none = encrypt(bytes_of("x"), {}, ContentCipher::aes128_cbc);
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code(), Errc::invalid_argument);
    const auto bad = encrypt(bytes_of("x"), {pki().ca}, static_cast<ContentCipher>(7));
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code(), Errc::invalid_argument);
}

TEST(CmsEnvelopeRecipients, CipherNames) {
    EXPECT_EQ(to_string(ContentCipher::aes128_cbc), "aes-128-cbc");
    EXPECT_EQ(to_string(ContentCipher::aes256_cbc), "aes-256-cbc");
    EXPECT_EQ(to_string(ContentCipher::des3_cbc), "des-ede3-cbc");
}

TEST(CmsEnvelopeMalformed, DecryptRefusesMalformedInputAndOtherTypes) {
    const auto valid = encrypt(bytes_of("secret"), {pki().ca}, ContentCipher::aes128_cbc);
    ASSERT_TRUE(valid);
    std::vector<Bytes> inputs = malformed_inputs(*valid);
    inputs.push_back(sign(bytes_of("x"), pki().ca, pki().ca_key, {}).value());
    inputs.push_back(make_certs_only({pki().ca}).value());
    for (const Bytes& input : inputs) {
        const auto plain = decrypt(input, pki().ca, pki().ca_key);
        ASSERT_FALSE(plain) << "input of " << input.size() << " bytes";
        EXPECT_EQ(plain.error().code(), Errc::parse) << plain.error().to_string();
    }
}

TEST(CmsEnvelopeMalformed, RefusesOversizedInput) {
    const Bytes huge(std::size_t{64} * 1024 * 1024 + 1, 0x30);
    EXPECT_EQ(decrypt(huge, pki().ca, pki().ca_key).error().code(), Errc::invalid_argument);
    EXPECT_EQ(encrypt(huge, {pki().ca}, ContentCipher::aes128_cbc).error().code(),
              Errc::invalid_argument);
}

TEST(CmsErrorQueue, IsEmptyAfterEveryOperation) {
    ERR_clear_error();
    const auto expect_clean = [](const char* step) {
        EXPECT_EQ(ERR_peek_error(), 0UL) << step;
        ERR_clear_error();
    };
    const auto certs_only = make_certs_only({pki().ca});
    expect_clean("make_certs_only");
    static_cast<void>(parse_certs_only(certs_only.value()));
    expect_clean("parse_certs_only");
    static_cast<void>(parse_certs_only(bytes_of("garbage")));
    expect_clean("parse_certs_only(garbage)");
    const auto signed_data = sign(bytes_of("x"), pki().client, pki().client_key, scep_options());
    expect_clean("sign");
    static_cast<void>(sign(bytes_of("x"), pki().client, pki().ca_key, {}));
    expect_clean("sign(wrong key)");
    static_cast<void>(verify(signed_data.value(), {pki().client}));
    expect_clean("verify");
    static_cast<void>(verify(signed_data.value(), {pki().impostor}));
    expect_clean("verify(impostor)");
    static_cast<void>(verify_with_embedded_signer(certs_only.value()));
    expect_clean("verify_with_embedded_signer(certs-only)");
    const auto enveloped = encrypt(bytes_of("x"), {pki().client}, ContentCipher::des3_cbc);
    expect_clean("encrypt");
    static_cast<void>(decrypt(enveloped.value(), pki().client, pki().client_key));
    expect_clean("decrypt");
    static_cast<void>(decrypt(enveloped.value(), pki().impostor, pki().other_key));
    expect_clean("decrypt(impostor)");
    static_cast<void>(decrypt(signed_data.value(), pki().client, pki().client_key));
    expect_clean("decrypt(SignedData)");
}

// --- interoperability with the OpenSSL command line ---

TEST(CmsInterop, OpensslVerifiesOurSignedData) {
    REQUIRE_OPENSSL_CLI();
    const Cli cli;
    const Bytes content = bytes_of("line one\nline two\r\n\x01\x02");
    const auto der =
        sign(content, pki().client, pki().client_key, scep_options(DigestAlgorithm::sha1));
    ASSERT_TRUE(der);
    cli.write("signed.der", *der);
    const auto verified =
        cli.openssl("cms -verify -noverify -binary -inform DER -in signed.der -out content.bin");
    ASSERT_EQ(verified.status, 0) << verified.output;
    EXPECT_EQ(cli.read("content.bin"), content);
    const auto printed = cli.openssl("cms -cmsout -print -inform DER -in signed.der");
    ASSERT_EQ(printed.status, 0) << printed.output;
    EXPECT_THAT(printed.output, HasSubstr("2.16.840.1.113733.1.9.7"));
    EXPECT_THAT(printed.output, HasSubstr("sha1"));
}

TEST(CmsInterop, WeVerifyOpensslSignedData) {
    REQUIRE_OPENSSL_CLI();
    const Cli cli;
    cli.write("signer.pem", pki().client.to_pem());
    cli.write("signer.key", pki().client_key.to_pem());
    cli.write("ca.pem", pki().ca.to_pem());
    cli.write("content.bin", "hello\r\nworld\n"sv);
    // Issuer and serial number, then subject key identifier (-keyid) as signer identifier.
    for (const std::string options : {"-md sha1", "-md sha256 -keyid"}) {
        const auto signed_by_cli = cli.openssl(
            "cms -sign -binary -nodetach -outform DER -in content.bin -signer signer.pem "
            "-inkey signer.key -certfile ca.pem -out signed.der " +
            options);
        ASSERT_EQ(signed_by_cli.status, 0) << signed_by_cli.output;
        const auto verified = verify(cli.read("signed.der"), {pki().client});
        ASSERT_TRUE(verified) << options << ": " << verified.error().to_string();
        EXPECT_EQ(verified->content, cli.read("content.bin"));
        EXPECT_EQ(verified->signer, pki().client);
        EXPECT_THAT(verified->certificates, ::testing::Contains(pki().ca));
        const auto wrong = verify(cli.read("signed.der"), {pki().ca});
        ASSERT_FALSE(wrong) << options;
        EXPECT_EQ(wrong.error().code(), Errc::verification);
    }
}

TEST(CmsInterop, OpensslReadsOurCertsOnly) {
    REQUIRE_OPENSSL_CLI();
    const Cli cli;
    const auto der = make_certs_only({pki().client, pki().ca});
    ASSERT_TRUE(der);
    cli.write("certs.p7b", *der);
    const auto printed = cli.openssl("pkcs7 -print_certs -inform DER -in certs.p7b");
    ASSERT_EQ(printed.status, 0) << printed.output;
    EXPECT_THAT(printed.output, HasSubstr("CN = " + pki().client.common_name()));
    EXPECT_THAT(printed.output, HasSubstr("CN = " + pki().ca.common_name()));
    const auto as_cms = cli.openssl("cms -cmsout -print -inform DER -in certs.p7b");
    ASSERT_EQ(as_cms.status, 0) << as_cms.output;
}

TEST(CmsInterop, WeParseCrl2Pkcs7Output) {
    REQUIRE_OPENSSL_CLI();
    const Cli cli;
    cli.write("chain.pem", pki().client.to_pem() + pki().ca.to_pem());
    const auto made = cli.openssl("crl2pkcs7 -nocrl -certfile chain.pem -outform DER -out c.p7b");
    ASSERT_EQ(made.status, 0) << made.output;
    const auto certs = parse_certs_only(cli.read("c.p7b"));
    ASSERT_TRUE(certs) << certs.error().to_string();
    EXPECT_EQ(*certs, (std::vector<Certificate>{pki().client, pki().ca}));
}

TEST(CmsInterop, OpensslDecryptsOurEnvelopedData) {
    REQUIRE_OPENSSL_CLI();
    const Cli cli;
    cli.write("ca.pem", pki().ca.to_pem());
    cli.write("ca.key", pki().ca_key.to_pem());
    const Bytes content = bytes_of("a PKCS#10 in DER, say\n\x00\xff"sv);
    for (const ContentCipher cipher :
         {ContentCipher::aes128_cbc, ContentCipher::aes256_cbc, ContentCipher::des3_cbc}) {
        const auto der = encrypt(content, {pki().ca}, cipher);
        ASSERT_TRUE(der);
        cli.write("env.der", *der);
        const auto decrypted = cli.openssl(
            "cms -decrypt -binary -inform DER -in env.der -recip ca.pem -inkey ca.key -out p.bin");
        ASSERT_EQ(decrypted.status, 0) << to_string(cipher) << ": " << decrypted.output;
        EXPECT_EQ(cli.read("p.bin"), content) << to_string(cipher);
    }
}

TEST(CmsInterop, WeDecryptOpensslEnvelopedData) {
    REQUIRE_OPENSSL_CLI();
    const Cli cli;
    cli.write("client.pem", pki().client.to_pem());
    cli.write("content.bin", "from the CLI\r\n"sv);
    for (const std::string cipher : {"-aes128", "-aes256", "-des3"}) {
        const auto encrypted =
            cli.openssl("cms -encrypt -binary -outform DER -in content.bin -out env.der " + cipher +
                        " client.pem");
        ASSERT_EQ(encrypted.status, 0) << encrypted.output;
        const auto plain = decrypt(cli.read("env.der"), pki().client, pki().client_key);
        ASSERT_TRUE(plain) << cipher << ": " << plain.error().to_string();
        EXPECT_EQ(*plain, cli.read("content.bin"));
        const auto wrong = decrypt(cli.read("env.der"), pki().impostor, pki().other_key);
        ASSERT_FALSE(wrong);
        EXPECT_EQ(wrong.error().code(), Errc::verification);
    }
}

}  // namespace
}  // namespace crypto::cms
