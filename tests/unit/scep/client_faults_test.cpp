// scep::Client refusing what it must refuse: every corruption of the CertRep the fake server can
// make, unsafe capabilities, an untrusted CA, a stalled server, an oversized body, a certificate
// from another CA. Each gives a clear Error and no certificate.
#include "scep/client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "unit/scep/scep_client_fixture.h"

namespace {

using namespace std::chrono_literals;
using common::Errc;
using fakes::ScepFault;
using scep::PkiStatus;
using scep_test::expect_error;
using ::testing::HasSubstr;
using Status = scep::EnrollmentResult::Status;

class ScepClientFaultsTest : public scep_test::ScepClientFixture {};

struct FaultCase {
    const char* name;
    fakes::ScriptedReply reply;
    Errc code;
    const char* fragment;
    bool names_the_operation = true;  // checks of the reply itself say "PKCSReq <id>: ..."
    bool retryable = false;
};

std::ostream& operator<<(std::ostream& out, const FaultCase& c) {
    return out << c.name;
}

class ScepClientBadReply : public scep_test::ScepClientFixture,
                           public ::testing::WithParamInterface<FaultCase> {};

TEST_P(ScepClientBadReply, IsAnErrorWithoutCertificate) {
    const FaultCase& c = GetParam();
    server().script({c.reply});
    const auto result = enroll(m_key);
    expect_error(result, c.code, c.fragment);
    if (!result) {
        EXPECT_EQ(result.error().retryable(), c.retryable);
    }
    if (!result && c.names_the_operation) {
        EXPECT_THAT(result.error().message(), HasSubstr("PKCSReq"));
    }
    EXPECT_EQ(pki_operation_count(), 1u);
}

fakes::ScriptedReply fault(ScepFault f, PkiStatus status = PkiStatus::success) {
    return fakes::ScriptedReply::faulty(f, status);
}

INSTANTIATE_TEST_SUITE_P(
    EveryFault, ScepClientBadReply,
    ::testing::Values(
        FaultCase{"UnrelatedSigner", fault(ScepFault::unrelated_signer), Errc::verification,
                  "CertRep signature"},
        FaultCase{"WrongRecipientNonce", fault(ScepFault::wrong_recipient_nonce),
                  Errc::verification, "recipientNonce does not match"},
        FaultCase{"NoRecipientNonce", fault(ScepFault::no_recipient_nonce), Errc::verification,
                  "recipientNonce absent"},
        FaultCase{"WrongTransactionId", fault(ScepFault::wrong_transaction_id), Errc::verification,
                  "transactionID 'not-your-transaction'"},
        FaultCase{"WrongMessageType", fault(ScepFault::wrong_message_type), Errc::protocol,
                  "messageType is '19'"},
        FaultCase{"UnknownPkiStatus", fault(ScepFault::unknown_pki_status), Errc::protocol,
                  "unknown pkiStatus '1'"},
        FaultCase{"FailureWithoutFailInfo", fault(ScepFault::missing_fail_info, PkiStatus::failure),
                  Errc::protocol, "without a valid failInfo"},
        FaultCase{"PendingWithWrongNonce",
                  fault(ScepFault::wrong_recipient_nonce, PkiStatus::pending), Errc::verification,
                  "recipientNonce"},
        FaultCase{"FailureWithWrongTransactionId",
                  fault(ScepFault::wrong_transaction_id, PkiStatus::failure), Errc::verification,
                  "transactionID"},
        FaultCase{"GarbageBody", fault(ScepFault::garbage_body), Errc::parse, "CertRep"},
        FaultCase{"TruncatedPkcs7", fault(ScepFault::truncated), Errc::parse, "CertRep"},
        FaultCase{"IssuedForAnotherKey", fault(ScepFault::issue_for_other_key), Errc::verification,
                  "no certificate for our key", false},
        FaultCase{"IssuedByAnotherCa", fault(ScepFault::issue_from_other_ca), Errc::verification,
                  "issued certificate", false},
        FaultCase{"HttpError", fault(ScepFault::http_error), Errc::protocol, "500", true, true}),
    [](const auto& test) { return std::string(test.param.name); });

TEST_F(ScepClientFaultsTest, OversizedBodyIsRefused) {
    server().script({fault(ScepFault::oversized)});
    const auto result = enroll(m_key);
    expect_error(result, Errc::protocol, "PKCSReq");
    EXPECT_FALSE(result ? true : result.error().retryable());
}

TEST_F(ScepClientFaultsTest, AStalledServerIsATimeout) {
    const auto ca_certs = ca();
    const auto c = caps();
    connect(std::nullopt, 300ms);
    server().script({fakes::ScriptedReply::delayed(5s)});
    const auto started = std::chrono::steady_clock::now();
    const auto result = client().enroll(scep_test::csr_for(m_key), {m_key, {}, {}}, ca_certs, c);
    const auto took = std::chrono::steady_clock::now() - started;
    expect_error(result, Errc::timeout, "PKCSReq");
    EXPECT_TRUE(result ? false : result.error().retryable());
    EXPECT_LT(took, 4s);
}

TEST_F(ScepClientFaultsTest, SingleDesReplyIsAcceptedWithAWarning) {
    server().script({fault(ScepFault::des_reply)});
    const auto result = enroll(m_key);
    ASSERT_TRUE(result) << result.error().to_string();
    EXPECT_EQ(result->status, Status::issued);
    bool warned = false;
    for (const auto& line : m_sink.lines()) {
        warned = warned || (line.level == common::LogLevel::warning &&
                            line.message.find("single DES") != std::string::npos);
    }
    EXPECT_TRUE(warned);
}

TEST_F(ScepClientFaultsTest, ReplyToCertPollIsCheckedAsStrictly) {
    server().script({fakes::ScriptedReply::pending(), fault(ScepFault::unrelated_signer)});
    const auto first = enroll(m_key);
    ASSERT_TRUE(first) << first.error().to_string();
    ASSERT_EQ(first->status, Status::pending);
    expect_error(client().poll(scep_test::csr_for(m_key), {m_key, {}, {}}, ca(), caps()),
                 Errc::verification, "CertPoll");
}

TEST_F(ScepClientFaultsTest, GetCertRefusesACertificateWithAnotherSerial) {
    const auto cert = issued_for(m_key);
    server().script({fault(ScepFault::issue_for_other_key)});  // another certificate of the CA
    const auto got = client().get_cert(cert.serial_hex(), cert, m_key, ca(), caps());
    expect_error(got, Errc::verification, cert.serial_hex());
}

TEST_F(ScepClientFaultsTest, ACertificateNotValidForYearsIsRefused) {
    fakes::ScepServerOptions options;
    options.now = scep_test::now() + std::chrono::hours(24 * 365 * 2);  // a CA clock far ahead
    start(Shape::ca_only, options);
    expect_error(enroll(m_key), Errc::verification, "not yet valid");
}

TEST_F(ScepClientFaultsTest, ACaClockAFewMinutesAheadIsTolerated) {
    fakes::ScepServerOptions options;
    options.now = scep_test::now() + std::chrono::hours(1) + std::chrono::minutes(5);
    start(Shape::ca_only, options);  // notBefore = now + 5 minutes
    const auto result = enroll(m_key);
    ASSERT_TRUE(result) << result.error().to_string();
    EXPECT_EQ(result->status, Status::issued);
}

TEST_F(ScepClientFaultsTest, ReplyToGetCertIsCheckedAsStrictly) {
    const auto cert = issued_for(m_key);
    server().script({fault(ScepFault::wrong_recipient_nonce)});
    expect_error(client().get_cert(cert.serial_hex(), cert, m_key, ca(), caps()),
                 Errc::verification, "recipientNonce");
}

TEST_F(ScepClientFaultsTest, GetNextCACertSignedByAnotherKeyIsRefused) {
    fakes::ScepServerOptions options;
    options.next_ca_certificates = {server().pki().unrelated};
    options.next_ca_signed_by_unrelated = true;
    start(Shape::ca_only, options);
    expect_error(client().get_next_ca_certificates(ca()), Errc::verification,
                 "GetNextCACert signature");
}

// --- refused before any PKIOperation ---

TEST_F(ScepClientFaultsTest, SingleDesOnlyCapsAreRefusedBeforeAnythingIsSent) {
    server().set_caps("POSTPKIOperation\nDES\nSHA-256\n");
    expect_error(enroll(m_key), Errc::unsupported, "single DES");
    EXPECT_EQ(pki_operation_count(), 0u);
}

TEST_F(ScepClientFaultsTest, Md5OnlyCapsAreRefusedBeforeAnythingIsSent) {
    server().set_caps("POSTPKIOperation\nAES\nMD5\n");
    expect_error(enroll(m_key), Errc::unsupported, "MD5");
    EXPECT_EQ(pki_operation_count(), 0u);
}

TEST_F(ScepClientFaultsTest, NoCapsAtAllAreRefusedBeforeAnythingIsSent) {
    server().set_caps("");
    expect_error(enroll(m_key), Errc::unsupported, "GetCACaps");
    EXPECT_EQ(pki_operation_count(), 0u);
}

TEST_F(ScepClientFaultsTest, FingerprintMismatchOnGetCACert) {
    auto options = client_options();
    options.fingerprint = server().pki().unrelated.fingerprint();
    connect(options);
    expect_error(client().get_ca_certificates(), Errc::verification, "GetCACert");
    EXPECT_EQ(pki_operation_count(), 0u);
}

TEST_F(ScepClientFaultsTest, AnUnknownFingerprintIsRefusedForAThreeLevelChain) {
    start(Shape::three_level);
    auto options = client_options();
    options.fingerprint = crypto::Fingerprint::of(crypto::Bytes(32, 0));
    connect(options);
    expect_error(client().get_ca_certificates(), Errc::verification, "GetCACert");
}

TEST_F(ScepClientFaultsTest, Sha1FingerprintIsNotTrusted) {
    auto options = client_options();
    options.fingerprint = server().pki().anchor.fingerprint(crypto::DigestAlgorithm::sha1);
    connect(options);
    EXPECT_FALSE(client().get_ca_certificates());
}

TEST_F(ScepClientFaultsTest, NoFingerprintAndNoAnchorIsRefused) {
    auto options = client_options();
    options.fingerprint.reset();
    connect(options);
    expect_error(client().get_ca_certificates(), Errc::invalid_argument, "fingerprint");
    EXPECT_TRUE(server().received().empty());
}

TEST_F(ScepClientFaultsTest, ExpiredCaCertificatesAreRefusedAtTheClocksTime) {
    m_clock.advance(std::chrono::hours(24 * 365 * 6));  // past the fake CA's notAfter
    expect_error(client().get_ca_certificates(), Errc::verification, "GetCACert");
}

TEST_F(ScepClientFaultsTest, AnIssuedCertificateAlreadyExpiredIsRefused) {
    fakes::ScepServerOptions options;
    options.now =
        scep_test::now() - std::chrono::hours(24 * 400);  // issues valid until now - 35 days
    start(Shape::ca_only, options);
    expect_error(enroll(m_key), Errc::verification, "issued certificate");
}

}  // namespace
