#include "crypto/crl.h"

#include <gtest/gtest.h>

#include <string>

#include "unit/crypto/test_pki.h"

namespace crypto {
namespace {

using common::Errc;
using test_pki::at;

Crl load_crl(std::string_view file) {
    auto crl = Crl::from_pem(test_pki::read_text(file));
    EXPECT_TRUE(crl) << file << ": " << (crl ? "" : crl.error().to_string());
    return std::move(crl).value();
}

Certificate load_cert(std::string_view name) {
    return Certificate::from_pem(test_pki::read_text(std::string(name) + ".pem")).value();
}

void expect_error(const common::Result<Crl>& r, Errc code, const std::string& what) {
    test_pki::expect_openssl_queue_empty(what);
    ASSERT_FALSE(r.has_value()) << what << " was accepted";
    EXPECT_EQ(r.error().code(), code) << what << ": " << r.error().to_string();
}

constexpr int reason_key_compromise = 1;  // RFC 5280 §5.3.1

TEST(CrlTest, IntermediateCrlFields) {
    const Crl crl = load_crl("int.crl.pem");
    EXPECT_EQ(crl.issuer(), "CN=certkeeper Test Issuing CA,O=certkeeper tests");
    EXPECT_EQ(crl.issuer(), load_cert("int").subject());
    EXPECT_EQ(crl.this_update(), at("2025-06-01T00:00:00Z"));
    EXPECT_EQ(crl.next_update(), at("2030-01-01T00:00:00Z"));
    EXPECT_EQ(crl.crl_number_hex(), "1");
    EXPECT_EQ(crl.entry_count(), 1u);
}

TEST(CrlTest, CrlNumberMatchesOpensslCli) {
    const auto out =
        test_pki::run("openssl crl -noout -crlnumber -in '" + test_pki::path("int.crl.pem") + "'");
    ASSERT_EQ(out.status, 0) << out.output;
    std::string expected = test_pki::value_after_equals(out.output);  // "0x01"
    if (expected.rfind("0x", 0) == 0)
        expected.erase(0, 2);
    while (expected.size() > 1 && expected.front() == '0') expected.erase(0, 1);
    EXPECT_EQ(load_crl("int.crl.pem").crl_number_hex(), expected);
}

TEST(CrlTest, RevokedEntry) {
    const Crl crl = load_crl("int.crl.pem");
    const Certificate revoked = load_cert("revoked");
    const auto entries = crl.entries();
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].serial_hex, revoked.serial_hex());
    EXPECT_EQ(entries[0].revocation_time, at("2025-03-01T00:00:00Z"));
    EXPECT_EQ(entries[0].reason, reason_key_compromise);

    const auto found = crl.find(revoked.serial_hex());
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->serial_hex, revoked.serial_hex());
    EXPECT_EQ(found->reason, reason_key_compromise);
    EXPECT_EQ(found->revocation_time, at("2025-03-01T00:00:00Z"));
}

TEST(CrlTest, FindMissesCertificatesThatAreNotRevoked) {
    const Crl crl = load_crl("int.crl.pem");
    for (const char* name : {"leaf", "expired", "ec-leaf"}) {
        const Certificate cert = load_cert(name);
        EXPECT_EQ(crl.find(cert.serial_hex()), std::nullopt) << name << " " << cert.serial_hex();
    }
    EXPECT_EQ(crl.find(""), std::nullopt);
    EXPECT_EQ(crl.find("garbage"), std::nullopt);
}

TEST(CrlTest, SerialsMatchOpensslCli) {
    const auto out =
        test_pki::run("openssl crl -noout -text -in '" + test_pki::path("int.crl.pem") + "'");
    ASSERT_EQ(out.status, 0) << out.output;
    const auto serial = load_crl("int.crl.pem").entries().at(0).serial_hex;
    EXPECT_NE(out.output.find("Serial Number: " + serial + "\n"), std::string::npos) << out.output;
}

TEST(CrlTest, EmptyRootCrl) {
    const Crl crl = load_crl("root.crl.pem");
    EXPECT_EQ(crl.issuer(), load_cert("root").subject());
    EXPECT_EQ(crl.entry_count(), 0u);
    EXPECT_TRUE(crl.entries().empty());
    EXPECT_EQ(crl.find(load_cert("int").serial_hex()), std::nullopt);
    EXPECT_EQ(crl.this_update(), at("2025-06-01T00:00:00Z"));
    EXPECT_EQ(crl.next_update(), at("2030-01-01T00:00:00Z"));
    EXPECT_TRUE(crl.is_signed_by(load_cert("root")));
}

TEST(CrlTest, SignatureChecks) {
    const Crl crl = load_crl("int.crl.pem");
    EXPECT_TRUE(crl.is_signed_by(load_cert("int")));
    EXPECT_FALSE(crl.is_signed_by(load_cert("root")));
    EXPECT_FALSE(crl.is_signed_by(load_cert("other-root")));
    EXPECT_FALSE(crl.is_signed_by(load_cert("leaf")));
    EXPECT_FALSE(load_crl("root.crl.pem").is_signed_by(load_cert("int")));
}

TEST(CrlTest, TamperedCrlFailsSignatureCheck) {
    Bytes der = test_pki::read_bytes("int.crl.der");
    der.back() ^= 0x01;
    auto crl = Crl::from_der(der);
    ASSERT_TRUE(crl) << crl.error().to_string();
    EXPECT_FALSE(crl->is_signed_by(load_cert("int")));
}

TEST(CrlTest, DerAndPemRoundTrip) {
    const Bytes der = test_pki::read_bytes("int.crl.der");
    const std::string pem = test_pki::read_text("int.crl.pem");
    auto from_der = Crl::from_der(der);
    ASSERT_TRUE(from_der) << from_der.error().to_string();
    EXPECT_EQ(from_der->to_der(), der);
    EXPECT_EQ(load_crl("int.crl.pem").to_der(), der);
    EXPECT_EQ(load_crl("int.crl.pem").to_pem(), pem);
    EXPECT_EQ(Crl::from_pem(from_der->to_pem()).value().to_der(), der);
}

TEST(CrlTest, LoadAnyDecidesByContent) {
    const Bytes der = test_pki::read_bytes("int.crl.der");
    auto a = Crl::load_any(der);
    ASSERT_TRUE(a) << a.error().to_string();
    EXPECT_EQ(a->to_der(), der);
    auto b = Crl::load_any(test_pki::read_bytes("int.crl.pem"));
    ASSERT_TRUE(b) << b.error().to_string();
    EXPECT_EQ(b->to_der(), der);
}

TEST(CrlTest, FromPemSkipsOtherBlocks) {
    const std::string mixed = test_pki::read_text("leaf.pem") +
                              test_pki::read_text("root.crl.pem") +
                              test_pki::read_text("int.crl.pem");
    const Crl crl = Crl::from_pem(mixed).value();
    EXPECT_EQ(crl.issuer(), load_cert("root").subject()) << "the first X509 CRL block";
}

TEST(CrlTest, CopiesShareTheCrl) {
    const Crl crl = load_crl("int.crl.pem");
    const Crl copy = crl;  // NOLINT(performance-unnecessary-copy-initialization)
    EXPECT_EQ(copy.native(), crl.native());
    EXPECT_EQ(copy.entry_count(), 1u);
}

// Malformed input.

TEST(CrlMalformedTest, Empty) {
    expect_error(Crl::from_der({}), Errc::parse, "empty DER");
    expect_error(Crl::from_pem(""), Errc::parse, "empty PEM");
    expect_error(Crl::load_any({}), Errc::parse, "empty input");
}

TEST(CrlMalformedTest, TruncatedDerAtEveryLength) {
    const Bytes der = test_pki::read_bytes("int.crl.der");
    ASSERT_GT(der.size(), 100u);
    for (std::size_t n = 1; n < der.size(); ++n) {
        const Bytes prefix(der.begin(), der.begin() + static_cast<std::ptrdiff_t>(n));
        expect_error(Crl::from_der(prefix), Errc::parse, "DER truncated to " + std::to_string(n));
        expect_error(Crl::load_any(prefix), Errc::parse, "DER truncated to " + std::to_string(n));
        if (HasFailure())
            return;
    }
}

TEST(CrlMalformedTest, Garbage) {
    expect_error(Crl::from_der(test_pki::garbage(500)), Errc::parse, "garbage DER");
    expect_error(Crl::from_der(Bytes{0x30, 0x00}), Errc::parse, "empty SEQUENCE");
    expect_error(Crl::load_any(test_pki::garbage(64)), Errc::parse, "garbage");
    expect_error(Crl::from_pem("no PEM here"), Errc::parse, "text");
    expect_error(Crl::from_pem("-----BEGIN X509 CRL-----\n" + to_base64(test_pki::garbage(120)) +
                               "\n-----END X509 CRL-----\n"),
                 Errc::parse, "PEM of garbage");
}

TEST(CrlMalformedTest, TrailingDataAfterDer) {
    Bytes der = test_pki::read_bytes("int.crl.der");
    der.push_back(0x00);
    expect_error(Crl::from_der(der), Errc::parse, "DER + 1 byte");
    expect_error(Crl::load_any(der), Errc::parse, "DER + 1 byte");
}

TEST(CrlMalformedTest, OtherObjectsAreNotCrls) {
    expect_error(Crl::from_der(test_pki::read_bytes("leaf.der")), Errc::parse, "certificate DER");
    expect_error(Crl::from_pem(test_pki::read_text("leaf.pem")), Errc::parse, "certificate PEM");
    expect_error(Crl::from_pem(test_pki::read_text("leaf.key")), Errc::parse, "key PEM");
    expect_error(Crl::load_any(test_pki::read_bytes("fullchain.pem")), Errc::parse, "certificates");
    std::string relabelled = test_pki::read_text("leaf.pem");
    relabelled.replace(relabelled.find("BEGIN CERTIFICATE"), 17, "BEGIN X509 CRL");
    relabelled.replace(relabelled.find("END CERTIFICATE"), 15, "END X509 CRL");
    expect_error(Crl::from_pem(relabelled), Errc::parse, "certificate labelled X509 CRL");
}

TEST(CrlMalformedTest, BrokenBase64InPem) {
    const std::string pem = test_pki::read_text("int.crl.pem");
    expect_error(Crl::from_pem(test_pki::break_pem_base64(pem)), Errc::parse, "broken base64");
    expect_error(Crl::load_any(as_bytes(test_pki::break_pem_base64(pem))), Errc::parse,
                 "broken base64");
    expect_error(Crl::from_pem(pem.substr(0, pem.size() - 20)), Errc::parse, "truncated PEM");
}

TEST(CrlMalformedTest, SingleByteCorruptionIsAnErrorOrAnUnverifiableCrl) {
    const Certificate issuer = load_cert("int");
    const Bytes der = test_pki::read_bytes("int.crl.der");
    int parsed = 0;
    test_pki::for_each_corruption(der, [&](std::size_t i, const Bytes& corrupt) {
        const std::string what = "byte " + std::to_string(i) + " corrupted";
        auto crl = Crl::from_der(corrupt);
        if (!crl) {
            EXPECT_EQ(crl.error().code(), Errc::parse) << what;
            test_pki::expect_openssl_queue_empty(what);
            return;
        }
        ++parsed;
        (void)crl->issuer();
        (void)crl->this_update();
        (void)crl->next_update();
        (void)crl->crl_number_hex();
        EXPECT_EQ(crl->entries().size(), crl->entry_count()) << what;
        (void)crl->find("1002");
        (void)crl->to_pem();
        EXPECT_FALSE(crl->is_signed_by(issuer)) << what;
        test_pki::expect_openssl_queue_empty(what);
    });
    EXPECT_GT(parsed, 0);
    EXPECT_LT(parsed, static_cast<int>(der.size()));
}

TEST(CrlMalformedTest, OversizedInputIsRefused) {
    const Bytes huge(64u * 1024u * 1024u + 1u, 0x30);
    expect_error(Crl::from_der(huge), Errc::invalid_argument, "oversized DER");
    expect_error(Crl::from_pem(as_chars(huge)), Errc::invalid_argument, "oversized PEM");
}

}  // namespace
}  // namespace crypto
