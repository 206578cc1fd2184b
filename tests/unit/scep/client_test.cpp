// scep::Client against the fake SCEP server through the real CurlHttpClient: what the client
// sends (RFC 8894 §4) and the outcomes a CA may legitimately give. The refusals of bad replies
// are in client_faults_test.cpp.
#include "scep/client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "unit/scep/scep_client_fixture.h"

namespace {

using common::Errc;
using crypto::cms::ContentCipher;
using scep::EnrollmentResult;
using scep::MessageType;
using scep_test::expect_error;
using ::testing::HasSubstr;
using Status = scep::EnrollmentResult::Status;
using Reply = fakes::ScriptedReply;

class ScepClientTest : public scep_test::ScepClientFixture {
  protected:
    // The only PKIOperation the server saw.
    fakes::ScepReceived only_operation() {
        const auto ops = server().pki_operations();
        EXPECT_EQ(ops.size(), 1u);
        return ops.empty() ? fakes::ScepReceived{} : ops.front();
    }
    void expect_issued_for(const common::Result<EnrollmentResult>& result,
                           const crypto::PrivateKey& key) {
        ASSERT_TRUE(result) << result.error().to_string();
        ASSERT_EQ(result->status, Status::issued);
        ASSERT_TRUE(result->certificate);
        EXPECT_EQ(result->certificate->public_key_der(), key.public_key_der());
        EXPECT_EQ(result->certificate->issuer(), server().pki().issuing_ca.subject());
        EXPECT_EQ(result->transaction_id, scep::transaction_id_for(key));
    }
};

// --- GetCACaps / GetCACert / GetNextCACert ---

TEST_F(ScepClientTest, GetCACapsReadsTheServersKeywords) {
    const auto c = caps();
    EXPECT_TRUE(c.post_pki_operation);
    EXPECT_TRUE(c.aes);
    EXPECT_TRUE(c.des3);
    EXPECT_TRUE(c.renewal);
    EXPECT_TRUE(c.sha256);
    const auto seen = server().received();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].http_method, "GET");
    EXPECT_EQ(seen[0].operation, "GetCACaps");
}

TEST_F(ScepClientTest, EmptyGetCACapsMeansNoCapabilities) {
    server().set_caps("");
    const auto c = caps();
    EXPECT_FALSE(c.post_pki_operation || c.aes || c.des3 || c.sha256 || c.renewal);
}

TEST_F(ScepClientTest, GetCACertSelectsTheRolesOfEveryShape) {
    for (auto shape : {Shape::ca_only, Shape::ca_with_ra, Shape::three_level}) {
        start(shape);
        const auto& pki = server().pki();
        const auto got = client().get_ca_certificates();
        ASSERT_TRUE(got) << got.error().to_string();
        EXPECT_EQ(got->issuing_ca, pki.issuing_ca);
        EXPECT_EQ(got->signer, pki.signer);
        EXPECT_EQ(got->encryption, pki.encryption);
        EXPECT_EQ(got->anchor, pki.anchor);
    }
}

TEST_F(ScepClientTest, CaIdentifierIsSentUrlEscaped) {
    auto options = client_options();
    options.ca_identifier = "Fake CA/1+2";
    connect(options);
    caps();
    ASSERT_TRUE(client().get_ca_certificates());
    for (const auto& seen : server().received()) {
        EXPECT_EQ(seen.raw_message, "Fake%20CA%2F1%2B2") << seen.operation;
    }
}

TEST_F(ScepClientTest, GetCACertAsASingleDerCertificate) {
    server().set_ca_cert_format(fakes::CaCertFormat::der);
    const auto got = client().get_ca_certificates();
    ASSERT_TRUE(got) << got.error().to_string();
    EXPECT_EQ(got->issuing_ca, server().pki().issuing_ca);
    const auto listed = client().get_ca_cert_unverified();
    ASSERT_TRUE(listed);
    EXPECT_EQ(listed->size(), 1u);
}

TEST_F(ScepClientTest, GetNextCACertReturnsTheRolloverCertificates) {
    const auto next = scep_test::self_signed(server().pki().issuing_key, "CN=Fake SCEP CA 2027");
    fakes::ScepServerOptions options;
    options.next_ca_certificates = {next};
    start(Shape::ca_with_ra, options);
    const auto got = client().get_next_ca_certificates(ca());
    ASSERT_TRUE(got) << got.error().to_string();
    ASSERT_EQ(got->size(), 1u);
    EXPECT_EQ(got->front(), next);
}

TEST_F(ScepClientTest, GetNextCACertWithoutRolloverIsAnError) {
    const auto got = client().get_next_ca_certificates(ca());
    expect_error(got, Errc::not_found, "GetNextCACert");
}

// --- PKCSReq ---

TEST_F(ScepClientTest, EnrollPostsAPkcsReqAndReturnsAValidatedCertificate) {
    const auto result = enroll(m_key, "s3cret-challenge");
    expect_issued_for(result, m_key);
    EXPECT_TRUE(result->extra_certificates.empty());
    ASSERT_EQ(server().issued().size(), 1u);
    EXPECT_EQ(server().issued()[0], *result->certificate);

    const auto op = only_operation();
    EXPECT_EQ(op.http_method, "POST");  // the caps allow it: RFC 8894 §4.1 makes it a MUST
    EXPECT_EQ(op.content_type, "application/x-pki-message");
    EXPECT_FALSE(op.raw_message);
    EXPECT_EQ(op.message_type, MessageType::pkcs_req);
    EXPECT_EQ(op.transaction_id, scep::transaction_id_for(m_key));
    EXPECT_EQ(op.sender_nonce.size(), scep::nonce_size);
    EXPECT_EQ(op.content_cipher, "AES-128-CBC");
    EXPECT_EQ(op.digest, crypto::DigestAlgorithm::sha256);
    EXPECT_EQ(op.challenge_password, "s3cret-challenge");
    // §2.3: signed with a self-signed certificate for the CSR's key and subject.
    ASSERT_TRUE(op.signer);
    EXPECT_TRUE(op.signer->is_self_issued());
    EXPECT_EQ(op.signer->subject(), "CN=device-001");
    EXPECT_EQ(op.signer->public_key_der(), m_key.public_key_der());
    EXPECT_FALSE(m_sink.contains("s3cret"));  // a secret is never logged
    EXPECT_TRUE(m_sink.contains("PKCSReq"));
}

TEST_F(ScepClientTest, EnrollThroughAnRaAndThroughAThreeLevelChain) {
    for (auto shape : {Shape::ca_with_ra, Shape::three_level}) {
        start(shape);
        expect_issued_for(enroll(m_key), m_key);
    }
}

TEST_F(ScepClientTest, GetWhenTheCaOffersNoPost) {
    server().set_caps("AES\nSHA-256\n");
    expect_issued_for(enroll(m_key), m_key);
    const auto op = only_operation();
    EXPECT_EQ(op.http_method, "GET");
    ASSERT_TRUE(op.raw_message);
    // §4.1: standard base64 (RFC 4648 §4, not base64url), without line breaks, then URL-escaped:
    // nothing but unreserved characters and %XX escapes may be left.
    EXPECT_EQ(
        op.raw_message->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                          "0123456789%-._~"),
        std::string::npos);
    EXPECT_THAT(*op.raw_message, HasSubstr("%2B"));  // '+' and '/' occur in any long base64
    EXPECT_THAT(*op.raw_message, HasSubstr("%2F"));
    EXPECT_EQ(op.raw_message->find("%0A"), std::string::npos);
    EXPECT_EQ(op.raw_message->find('-'), std::string::npos);  // base64url's alphabet
    EXPECT_EQ(op.raw_message->find('_'), std::string::npos);
    EXPECT_EQ(op.parse_error, "");
}

TEST_F(ScepClientTest, ConfiguredMethodOverridesTheCaps) {
    auto options = client_options();
    options.method = scep::ClientOptions::Method::get;
    connect(options);
    expect_issued_for(enroll(m_key), m_key);  // the caps say POSTPKIOperation
    EXPECT_EQ(only_operation().http_method, "GET");
}

TEST_F(ScepClientTest, ScepStandardImpliesPostAesAndSha256) {
    server().set_caps("SCEPStandard\n");
    expect_issued_for(enroll(m_key), m_key);
    const auto op = only_operation();
    EXPECT_EQ(op.http_method, "POST");
    EXPECT_EQ(op.content_cipher, "AES-128-CBC");
    EXPECT_EQ(op.digest, crypto::DigestAlgorithm::sha256);
}

TEST_F(ScepClientTest, TripleDesOnlyWhenTheCaOffersNoAes) {
    server().set_caps("POSTPKIOperation\nDES3\nSHA-256\n");
    expect_issued_for(enroll(m_key), m_key);
    EXPECT_EQ(only_operation().content_cipher, "DES-EDE3-CBC");
}

TEST_F(ScepClientTest, DigestIsTheStrongestOffered) {
    const std::pair<const char*, crypto::DigestAlgorithm> cases[] = {
        {"POSTPKIOperation\nAES\nSHA-1\n", crypto::DigestAlgorithm::sha1},
        {"POSTPKIOperation\nAES\nSHA-1\nSHA-256\n", crypto::DigestAlgorithm::sha256},
        {"POSTPKIOperation\nAES\nsha-256\r\nSHA-512\r\n", crypto::DigestAlgorithm::sha512},
    };
    for (const auto& [caps_text, digest] : cases) {
        start();
        server().set_caps(caps_text);
        expect_issued_for(enroll(m_key), m_key);
        EXPECT_EQ(only_operation().digest, digest) << caps_text;
    }
}

TEST_F(ScepClientTest, RejectedWithAKnownAndAnUnknownFailInfo) {
    server().script({Reply::failure({2, std::nullopt}), Reply::failure({26, "ask the operator"})});
    for (const int code : {2, 26}) {
        const auto result = enroll(m_key);
        ASSERT_TRUE(result) << result.error().to_string();
        EXPECT_EQ(result->status, Status::rejected);
        EXPECT_FALSE(result->certificate);
        ASSERT_TRUE(result->failure);
        EXPECT_EQ(result->failure->code, code);
        EXPECT_EQ(result->failure->text,
                  code == 26 ? std::optional<std::string>("ask the operator") : std::nullopt);
    }
    EXPECT_TRUE(m_sink.contains("unknown failInfo 26: ask the operator"));
}

// --- pending and CertPoll ---

TEST_F(ScepClientTest, PendingThenPollUnderTheSameTransactionIdThenIssued) {
    server().script({Reply::pending(), Reply::pending()});
    const auto csr = scep_test::csr_for(m_key);
    const scep::EnrollmentKeys keys{m_key, {}, {}};
    const auto ca_certs = ca();
    const auto c = caps();
    const auto first = client().enroll(csr, keys, ca_certs, c);
    ASSERT_TRUE(first) << first.error().to_string();
    EXPECT_EQ(first->status, Status::pending);
    EXPECT_EQ(first->transaction_id, scep::transaction_id_for(m_key));
    const auto second = client().poll(csr, keys, ca_certs, c);
    ASSERT_TRUE(second) << second.error().to_string();
    EXPECT_EQ(second->status, Status::pending);
    expect_issued_for(client().poll(csr, keys, ca_certs, c), m_key);

    const auto ops = server().pki_operations();
    ASSERT_EQ(ops.size(), 3u);
    EXPECT_EQ(ops[0].message_type, MessageType::pkcs_req);
    EXPECT_EQ(ops[1].message_type, MessageType::cert_poll);
    EXPECT_EQ(ops[2].message_type, MessageType::cert_poll);
    std::set<crypto::Bytes> nonces;
    for (const auto& op : ops) {
        EXPECT_EQ(op.transaction_id, ops[0].transaction_id);  // §4.4
        nonces.insert(op.sender_nonce);
    }
    EXPECT_EQ(nonces.size(), 3u);  // a fresh senderNonce in every message (§3.2.1.5)
    const auto ias = scep::decode_issuer_and_subject(ops[1].message_data);
    ASSERT_TRUE(ias) << ias.error().to_string();
    EXPECT_EQ(ias->issuer, server().pki().issuing_ca.subject());  // §3.3.3
    EXPECT_EQ(ias->subject, "CN=device-001");
}

TEST_F(ScepClientTest, ARestartedClientPollsTheSamePendingRequest) {
    server().script({Reply::pending()});
    const auto first = enroll(m_key);
    ASSERT_TRUE(first) << first.error().to_string();
    ASSERT_EQ(first->status, Status::pending);
    connect();  // a new client and a new HTTP connection: nothing kept but the key
    expect_issued_for(client().poll(scep_test::csr_for(m_key), {m_key, {}, {}}, ca(), caps()),
                      m_key);
}

TEST_F(ScepClientTest, PollForAnUnknownTransactionIsRejectedWithBadCertId) {
    const auto result = client().poll(scep_test::csr_for(m_key), {m_key, {}, {}}, ca(), caps());
    ASSERT_TRUE(result) << result.error().to_string();
    EXPECT_EQ(result->status, Status::rejected);
    ASSERT_TRUE(result->failure);
    EXPECT_EQ(result->failure->code, 4);
}

// --- renewal ---

TEST_F(ScepClientTest, RenewalReqSignedWithTheExistingCertificateWhenTheCaOffersRenewal) {
    const auto existing = issued_for(m_key);
    const scep::EnrollmentKeys keys{m_new_key, existing, m_key};
    const auto result = client().enroll(scep_test::csr_for(m_new_key), keys, ca(), caps());
    expect_issued_for(result, m_new_key);
    const auto ops = server().pki_operations();
    ASSERT_EQ(ops.size(), 2u);
    EXPECT_EQ(ops[1].message_type, MessageType::renewal_req);
    EXPECT_EQ(ops[1].signer, existing);
    EXPECT_EQ(ops[1].transaction_id, scep::transaction_id_for(m_new_key));
    EXPECT_NE(ops[1].transaction_id, ops[0].transaction_id);
}

TEST_F(ScepClientTest, PkcsReqSignedWithTheExistingCertificateWithoutRenewalCaps) {
    const auto existing = issued_for(m_key);
    server().set_caps("POSTPKIOperation\nAES\nSHA-256\n");
    const scep::EnrollmentKeys keys{m_new_key, existing, m_key};
    expect_issued_for(client().enroll(scep_test::csr_for(m_new_key), keys, ca(), caps()),
                      m_new_key);
    const auto ops = server().pki_operations();
    ASSERT_EQ(ops.size(), 2u);
    EXPECT_EQ(ops[1].message_type, MessageType::pkcs_req);
    EXPECT_EQ(ops[1].signer, existing);
}

TEST_F(ScepClientTest, RenewalRefusesAnExistingKeyThatDoesNotMatchItsCertificate) {
    const auto existing = issued_for(m_key);
    const scep::EnrollmentKeys keys{m_new_key, existing, m_third_key};
    expect_error(client().enroll(scep_test::csr_for(m_new_key), keys, ca(), caps()),
                 Errc::invalid_argument, "existing certificate");
    EXPECT_EQ(pki_operation_count(), 1u);
}

TEST_F(ScepClientTest, ACsrForAnotherKeyIsRefusedBeforeAnythingIsSent) {
    expect_error(client().enroll(scep_test::csr_for(m_new_key), {m_key, {}, {}}, ca(), caps()),
                 Errc::invalid_argument, "CSR");
    EXPECT_EQ(pki_operation_count(), 0u);
}

// --- GetCert and GetCRL ---

TEST_F(ScepClientTest, GetCertReturnsTheCertificateWithThatSerial) {
    const auto cert = issued_for(m_key);
    const auto got = client().get_cert(cert.serial_hex(), cert, m_key, ca(), caps());
    ASSERT_TRUE(got) << got.error().to_string();
    EXPECT_EQ(*got, cert);
    const auto op = server().pki_operations().back();
    EXPECT_EQ(op.message_type, MessageType::get_cert);
    const auto ias = scep::decode_issuer_and_serial(op.message_data);
    ASSERT_TRUE(ias);
    EXPECT_EQ(ias->serial_hex, cert.serial_hex());
    EXPECT_EQ(ias->issuer, server().pki().issuing_ca.subject());
}

TEST_F(ScepClientTest, GetCertForAnUnknownSerialIsNotFound) {
    const auto cert = issued_for(m_key);
    expect_error(client().get_cert("DEADBEEF", cert, m_key, ca(), caps()), Errc::not_found,
                 "badCertId");
}

TEST_F(ScepClientTest, GetCrlReturnsTheCrlOfTheIssuingCa) {
    const auto cert = issued_for(m_key);
    const auto crl = client().get_crl(cert, m_key, ca(), caps());
    ASSERT_TRUE(crl) << crl.error().to_string();
    EXPECT_EQ(crl->issuer(), server().pki().issuing_ca.subject());
    EXPECT_TRUE(crl->is_signed_by(server().pki().issuing_ca));
    EXPECT_TRUE(crl->find("7E57"));
    const auto op = server().pki_operations().back();
    EXPECT_EQ(op.message_type, MessageType::get_crl);
    const auto ias = scep::decode_issuer_and_serial(op.message_data);
    ASSERT_TRUE(ias);
    EXPECT_EQ(ias->serial_hex, cert.serial_hex());
}

}  // namespace
