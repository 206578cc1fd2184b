#include "crypto/csr.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "unit/crypto/test_pki.h"

namespace crypto {
namespace {

using common::Errc;
using T = SubjectAltName::Type;

PrivateKey key(std::string_view name) {
    return PrivateKey::from_pem(test_pki::read_text(std::string(name) + ".key")).value();
}

Csr build_ok(const CsrRequest& request, const PrivateKey& k) {
    auto csr = Csr::build(request, k);
    EXPECT_TRUE(csr) << request.subject << ": " << (csr ? "" : csr.error().to_string());
    return std::move(csr).value();
}

CsrRequest full_request() {
    CsrRequest r;
    r.subject = "CN=device-001,O=Example";
    r.subject_alt_names = {{T::dns, "device-001.example.net"},
                           {T::ip, "192.0.2.10"},
                           {T::ip, "2001:db8::1"},
                           {T::uri, "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"},
                           {T::email, "ops@example.net"}};
    r.challenge_password = "one-time-secret";
    r.key_usage = {KeyUsage::digital_signature, KeyUsage::key_encipherment};
    r.extended_key_usage = {std::string(eku::client_auth), std::string(eku::server_auth)};
    return r;
}

// `openssl req -verify -noout -text` on a CSR.
test_pki::CommandResult openssl_req_text(const Csr& csr) {
    const test_pki::TempFile file(csr.to_pem());
    return test_pki::run("openssl req -verify -noout -text -nameopt RFC2253 -in '" + file.path() +
                         "'");
}

void expect_error(const common::Result<Csr>& r, Errc code, const std::string& what) {
    test_pki::expect_openssl_queue_empty(what);
    ASSERT_FALSE(r.has_value()) << what << " was accepted";
    EXPECT_EQ(r.error().code(), code) << what << ": " << r.error().to_string();
}

TEST(CsrTest, MinimalRequest) {
    CsrRequest r;
    r.subject = "CN=x,O=y";
    const Csr csr = build_ok(r, key("ec-leaf"));
    EXPECT_EQ(csr.subject(), "CN=x,O=y");
    EXPECT_TRUE(csr.subject_alt_names().empty());
    EXPECT_EQ(csr.challenge_password(), std::nullopt);
    EXPECT_EQ(csr.key_usage(), std::nullopt);
    EXPECT_TRUE(csr.extended_key_usage().empty());
    EXPECT_TRUE(csr.verify_signature());
    EXPECT_EQ(csr.public_key_description(), "EC P-256");
    EXPECT_EQ(csr.public_key_der(), key("ec-leaf").public_key_der());
}

TEST(CsrTest, FullRequestRoundTripsThroughDer) {
    const CsrRequest request = full_request();
    const Csr built = build_ok(request, key("leaf"));
    auto parsed = Csr::from_der(built.to_der());
    ASSERT_TRUE(parsed) << parsed.error().to_string();
    for (const Csr* csr : std::initializer_list<const Csr*>{&built, &*parsed}) {
        EXPECT_EQ(csr->subject(), "CN=device-001,O=Example");
        EXPECT_EQ(csr->subject_alt_names(), request.subject_alt_names);
        EXPECT_EQ(csr->challenge_password(), "one-time-secret");
        EXPECT_EQ(csr->key_usage(), request.key_usage);
        EXPECT_EQ(csr->extended_key_usage(), request.extended_key_usage);
        EXPECT_EQ(csr->public_key_description(), "RSA 2048");
        EXPECT_EQ(csr->public_key_der(), key("leaf").public_key_der());
        EXPECT_TRUE(csr->verify_signature());
    }
    EXPECT_EQ(parsed->to_der(), built.to_der());
}

TEST(CsrTest, PemRoundTrip) {
    const Csr built = build_ok(full_request(), key("ec-leaf"));
    const std::string pem = built.to_pem();
    EXPECT_EQ(pem.rfind("-----BEGIN CERTIFICATE REQUEST-----\n", 0), 0u);
    auto parsed = Csr::from_pem(pem);
    ASSERT_TRUE(parsed) << parsed.error().to_string();
    EXPECT_EQ(parsed->to_der(), built.to_der());

    std::string legacy = pem;
    legacy.replace(legacy.find("BEGIN CERTIFICATE REQUEST"), 25, "BEGIN NEW CERTIFICATE REQUEST");
    legacy.replace(legacy.find("END CERTIFICATE REQUEST"), 23, "END NEW CERTIFICATE REQUEST");
    auto from_legacy = Csr::from_pem(legacy);
    ASSERT_TRUE(from_legacy) << from_legacy.error().to_string();
    EXPECT_EQ(from_legacy->to_der(), built.to_der());
}

TEST(CsrTest, SubjectsRoundTripInRfc4514Form) {
    const PrivateKey k = key("ec-leaf");
    for (const char* subject : {
             "CN=x,O=y",
             "CN=00:11:22:33:44:55,O=Example",
             "CN=device,OU=field units,O=Example GmbH,L=Berlin,ST=Berlin,C=DE",
             R"(CN=a\,b,O=y)",
             R"(CN=a\+b,O=y)",
             R"(CN=back\\slash)",
             "CN=caf\xc3\xa9,O=\xe4\xbe\x8b",
             "emailAddress=ops@example.net,CN=x",
             "serialNumber=42,CN=x",
         }) {
        CsrRequest r;
        r.subject = subject;
        EXPECT_EQ(build_ok(r, k).subject(), subject);
    }
}

TEST(CsrTest, SubjectEscapesAreDecodedThenReencoded) {
    CsrRequest r;
    r.subject = R"(CN=\41\42 , O = y )";
    EXPECT_EQ(build_ok(r, key("ec-leaf")).subject(), "CN=AB,O=y");
    r.subject = "E=ops@example.net,CN=x";
    EXPECT_EQ(build_ok(r, key("ec-leaf")).subject(), "emailAddress=ops@example.net,CN=x");
}

TEST(CsrTest, KeyUsageBitsSurviveIndividually) {
    const PrivateKey k = key("ec-leaf");
    for (KeyUsage u :
         {KeyUsage::digital_signature, KeyUsage::content_commitment, KeyUsage::key_encipherment,
          KeyUsage::data_encipherment, KeyUsage::key_agreement, KeyUsage::key_cert_sign,
          KeyUsage::crl_sign, KeyUsage::encipher_only, KeyUsage::decipher_only}) {
        CsrRequest r;
        r.subject = "CN=x";
        r.key_usage = {u};
        const Csr csr = build_ok(r, k);
        EXPECT_EQ(Csr::from_der(csr.to_der()).value().key_usage(), KeyUsageSet{u}) << to_string(u);
    }
}

TEST(CsrTest, OtherDigests) {
    CsrRequest r;
    r.subject = "CN=x";
    r.digest = DigestAlgorithm::sha384;
    const Csr csr = build_ok(r, key("ec-leaf"));
    EXPECT_TRUE(csr.verify_signature());
    const auto out = openssl_req_text(csr);
    EXPECT_NE(out.output.find("ecdsa-with-SHA384"), std::string::npos) << out.output;

    r.digest = DigestAlgorithm::sha512;
    EXPECT_TRUE(build_ok(r, key("leaf")).verify_signature());
}

TEST(CsrTest, RefusesWeakDigests) {
    CsrRequest r;
    r.subject = "CN=x";
    for (auto weak : {DigestAlgorithm::sha1, DigestAlgorithm::md5}) {
        r.digest = weak;
        expect_error(Csr::build(r, key("ec-leaf")), Errc::unsupported,
                     std::string(to_string(weak)));
    }
}

TEST(CsrTest, RejectsBadRequests) {
    const PrivateKey k = key("ec-leaf");
    auto with = [](auto change) {
        CsrRequest r;
        r.subject = "CN=x";
        change(r);
        return r;
    };
    expect_error(Csr::build(with([](CsrRequest& r) { r.subject = ""; }), k), Errc::invalid_argument,
                 "empty subject");
    expect_error(Csr::build(with([](CsrRequest& r) { r.subject = "CN"; }), k),
                 Errc::invalid_argument, "subject without '='");
    expect_error(Csr::build(with([](CsrRequest& r) { r.subject = "NOSUCHATTR=x"; }), k),
                 Errc::invalid_argument, "unknown attribute type");
    expect_error(Csr::build(with([](CsrRequest& r) {
                                r.subject_alt_names = {{T::ip, "999.0.0.1"}};
                            }),
                            k),
                 Errc::invalid_argument, "bad IP SAN");
    expect_error(Csr::build(with([](CsrRequest& r) {
                                r.subject_alt_names = {{T::dns, ""}};
                            }),
                            k),
                 Errc::invalid_argument, "empty DNS SAN");
    expect_error(Csr::build(with([](CsrRequest& r) {
                                r.subject_alt_names = {{T::other, "x"}};
                            }),
                            k),
                 Errc::invalid_argument, "other SAN");
    expect_error(Csr::build(with([](CsrRequest& r) { r.extended_key_usage = {"not an oid"}; }), k),
                 Errc::invalid_argument, "bad EKU");
    auto subject_error = Csr::build(with([](CsrRequest& r) { r.subject = ""; }), k);
    ASSERT_FALSE(subject_error);
    EXPECT_EQ(subject_error.error().message().rfind("CSR subject: ", 0), 0u)
        << subject_error.error().message();
}

TEST(CsrTest, ChallengePasswordNeverAppearsInErrors) {
    CsrRequest r = full_request();
    r.challenge_password = "hunter2-secret";
    r.subject_alt_names = {{T::ip, "not-an-ip"}};
    auto failed = Csr::build(r, key("ec-leaf"));
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().message().find("hunter2"), std::string::npos);
}

TEST(CsrTest, VerifySignatureDetectsTampering) {
    CsrRequest r;
    r.subject = "CN=tamper-me,O=y";
    const Bytes der = build_ok(r, key("leaf")).to_der();

    Bytes bad_signature = der;
    bad_signature.back() ^= 0x01;
    auto a = Csr::from_der(bad_signature);
    ASSERT_TRUE(a) << a.error().to_string();
    EXPECT_FALSE(a->verify_signature());

    Bytes bad_subject = der;
    const std::string needle = "tamper-me";
    const auto pos = as_chars(bad_subject).find(needle);
    ASSERT_NE(pos, std::string_view::npos);
    bad_subject[pos] = 'T';
    auto b = Csr::from_der(bad_subject);
    ASSERT_TRUE(b) << b.error().to_string();
    EXPECT_EQ(b->subject(), "CN=Tamper-me,O=y");
    EXPECT_FALSE(b->verify_signature());
}

TEST(CsrTest, OpensslCliAgrees) {
    const Csr csr = build_ok(full_request(), key("leaf"));
    const auto out = openssl_req_text(csr);
    ASSERT_EQ(out.status, 0) << out.output;
    const std::string& text = out.output;
    EXPECT_NE(text.find("verify OK"), std::string::npos) << text;
    EXPECT_NE(text.find("Version: 1 (0x0)"), std::string::npos) << text;
    EXPECT_NE(text.find("Subject: CN=device-001,O=Example"), std::string::npos) << text;
    EXPECT_NE(text.find("Public-Key: (2048 bit)"), std::string::npos) << text;
    EXPECT_NE(text.find("DNS:device-001.example.net, IP Address:192.0.2.10, "
                        "IP Address:2001:DB8:0:0:0:0:0:1, "
                        "URI:urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6, email:ops@example.net"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("challengePassword"), std::string::npos) << text;
    EXPECT_NE(text.find("one-time-secret"), std::string::npos) << text;
    EXPECT_NE(text.find("Digital Signature, Key Encipherment"), std::string::npos) << text;
    EXPECT_NE(text.find("TLS Web Client Authentication, TLS Web Server Authentication"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("sha256WithRSAEncryption"), std::string::npos) << text;
}

TEST(CsrTest, OpensslCliDetectsTampering) {
    CsrRequest r;
    r.subject = "CN=x";
    Bytes der = build_ok(r, key("leaf")).to_der();
    der.back() ^= 0x01;
    const Csr tampered = Csr::from_der(der).value();
    const auto out = openssl_req_text(tampered);
    // OpenSSL 3.0's req exits 0 even then; the verdict is in the text.
    EXPECT_EQ(out.output.find("verify OK"), std::string::npos) << out.output;
    EXPECT_NE(out.output.find("verify failure"), std::string::npos) << out.output;
}

TEST(CsrTest, ReadsARequestMadeByOpenssl) {
    const test_pki::TempFile out_file(std::string_view{});
    const auto made = test_pki::run(
        "openssl req -new -key '" + test_pki::path("ec-leaf.key") + "' -subj '/O=Example/CN=cli' " +
        "-addext 'subjectAltName=DNS:cli.example.net,IP:192.0.2.99' " +
        "-addext 'keyUsage=critical,digitalSignature,keyAgreement' " +
        "-addext 'extendedKeyUsage=clientAuth' -out '" + out_file.path() + "'");
    ASSERT_EQ(made.status, 0) << made.output;
    std::ifstream in(out_file.path());
    const std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto parsed = Csr::from_pem(pem);
    ASSERT_TRUE(parsed) << parsed.error().to_string();
    EXPECT_EQ(parsed->subject(), "CN=cli,O=Example");
    EXPECT_EQ(parsed->subject_alt_names(),
              (std::vector<SubjectAltName>{{T::dns, "cli.example.net"}, {T::ip, "192.0.2.99"}}));
    EXPECT_EQ(parsed->key_usage(),
              (KeyUsageSet{KeyUsage::digital_signature, KeyUsage::key_agreement}));
    EXPECT_EQ(parsed->extended_key_usage(),
              std::vector<std::string>{std::string(eku::client_auth)});
    EXPECT_EQ(parsed->challenge_password(), std::nullopt);
    EXPECT_TRUE(parsed->verify_signature());
    EXPECT_EQ(parsed->public_key_der(), key("ec-leaf").public_key_der());
}

// Malformed input.

TEST(CsrMalformedTest, Empty) {
    expect_error(Csr::from_der({}), Errc::parse, "empty DER");
    expect_error(Csr::from_pem(""), Errc::parse, "empty PEM");
}

TEST(CsrMalformedTest, TruncatedDerAtEveryLength) {
    CsrRequest r;
    r.subject = "CN=x";
    r.subject_alt_names = {{T::dns, "x.example"}};
    const Bytes der = build_ok(r, key("ec-leaf")).to_der();
    ASSERT_GT(der.size(), 100u);
    for (std::size_t n = 1; n < der.size(); ++n) {
        const Bytes prefix(der.begin(), der.begin() + static_cast<std::ptrdiff_t>(n));
        expect_error(Csr::from_der(prefix), Errc::parse, "DER truncated to " + std::to_string(n));
        if (HasFailure())
            return;
    }
}

TEST(CsrMalformedTest, Garbage) {
    expect_error(Csr::from_der(test_pki::garbage(500)), Errc::parse, "garbage DER");
    expect_error(Csr::from_der(Bytes{0x30, 0x00}), Errc::parse, "empty SEQUENCE");
    expect_error(Csr::from_pem("-----BEGIN CERTIFICATE REQUEST-----\n"), Errc::parse,
                 "header only");
    expect_error(
        Csr::from_pem("-----BEGIN CERTIFICATE REQUEST-----\n" + to_base64(test_pki::garbage(90)) +
                      "\n-----END CERTIFICATE REQUEST-----\n"),
        Errc::parse, "PEM of garbage");
}

TEST(CsrMalformedTest, TrailingDataAfterDer) {
    CsrRequest r;
    r.subject = "CN=x";
    Bytes der = build_ok(r, key("ec-leaf")).to_der();
    der.push_back(0x00);
    expect_error(Csr::from_der(der), Errc::parse, "DER + 1 byte");
}

TEST(CsrMalformedTest, OtherObjectsAreNotRequests) {
    expect_error(Csr::from_der(test_pki::read_bytes("leaf.der")), Errc::parse, "certificate DER");
    expect_error(Csr::from_der(test_pki::read_bytes("int.crl.der")), Errc::parse, "CRL DER");
    expect_error(Csr::from_pem(test_pki::read_text("leaf.pem")), Errc::parse, "certificate PEM");
    expect_error(Csr::from_pem(test_pki::read_text("int.crl.pem")), Errc::parse, "CRL PEM");
    expect_error(Csr::from_pem(test_pki::read_text("leaf.key")), Errc::parse, "key PEM");
}

TEST(CsrMalformedTest, BrokenBase64InPem) {
    CsrRequest r;
    r.subject = "CN=x";
    const std::string pem = build_ok(r, key("ec-leaf")).to_pem();
    expect_error(Csr::from_pem(test_pki::break_pem_base64(pem)), Errc::parse, "broken base64");
    expect_error(Csr::from_pem(pem.substr(0, pem.size() / 2)), Errc::parse, "truncated PEM");
}

TEST(CsrMalformedTest, SingleByteCorruptionIsAnErrorOrAnUnverifiableRequest) {
    CsrRequest r = full_request();
    const Bytes der = build_ok(r, key("ec-leaf")).to_der();
    int parsed = 0;
    test_pki::for_each_corruption(der, [&](std::size_t i, const Bytes& corrupt) {
        const std::string what = "byte " + std::to_string(i) + " corrupted";
        auto csr = Csr::from_der(corrupt);
        if (!csr) {
            EXPECT_EQ(csr.error().code(), Errc::parse) << what;
            test_pki::expect_openssl_queue_empty(what);
            return;
        }
        ++parsed;
        (void)csr->subject();
        (void)csr->subject_alt_names();
        (void)csr->challenge_password();
        (void)csr->key_usage();
        (void)csr->extended_key_usage();
        (void)csr->public_key_der();
        (void)csr->public_key_description();
        (void)csr->to_pem();
        EXPECT_FALSE(csr->verify_signature()) << what;
        test_pki::expect_openssl_queue_empty(what);
    });
    EXPECT_GT(parsed, 0);
    EXPECT_LT(parsed, static_cast<int>(der.size()));
}

TEST(CsrMalformedTest, OversizedInputIsRefused) {
    const Bytes huge(64u * 1024u * 1024u + 1u, 0x30);
    expect_error(Csr::from_der(huge), Errc::invalid_argument, "oversized DER");
    expect_error(Csr::from_pem(as_chars(huge)), Errc::invalid_argument, "oversized PEM");
}

}  // namespace
}  // namespace crypto
