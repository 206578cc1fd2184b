// ca::EnrollmentService: who gets a certificate (one-time passwords, static challenge, renewal
// by proof of possession, manual approval), resends, CRL and OCSP status. All at a fixed time.
#include <gtest/gtest.h>

#include "ca/enrollment_service.h"
#include "fakes/capture_sink.h"
#include "fakes/temp_dir.h"
#include "unit/ca/ca_test_pki.h"

namespace {

using ca::EnrollmentDecision;
using ca::EnrollmentRequest;
using Status = EnrollmentDecision::Status;

crypto::Csr csr_with_challenge(const crypto::PrivateKey& key, std::string subject,
                               std::optional<std::string> challenge,
                               std::vector<crypto::SubjectAltName> sans = {}) {
    crypto::CsrRequest request;
    request.subject = std::move(subject);
    request.challenge_password = std::move(challenge);
    request.subject_alt_names = std::move(sans);
    return crypto::Csr::build(request, key).value();
}

class EnrollmentServiceTest : public ::testing::Test {
protected:
    void SetUp() override { open({}); }

    void open(ca::EnrollmentPolicy policy) {
        m_service.reset();
        m_store = std::make_unique<ca::CaStore>(ca::CaStore::open(m_dir.path() / "ca.db").value());
        m_service = std::make_unique<ca::EnrollmentService>(
            ca_test::authority(), *m_store, m_profiles, std::move(policy),
            common::Logger(m_log, "test"));
    }

    EnrollmentDecision enroll(const crypto::Csr& csr, std::string tid,
                              std::optional<crypto::Certificate> signer = std::nullopt) {
        const auto kind = signer ? EnrollmentRequest::Kind::renewal : EnrollmentRequest::Kind::initial;
        return m_service->enroll(EnrollmentRequest{kind, std::move(tid), csr, std::move(signer)},
                                 ca_test::now());
    }

    fakes::TempDir m_dir;
    fakes::CaptureSink m_log;
    ca::CertificateProfiles m_profiles = ca::CertificateProfiles::built_in();
    std::unique_ptr<ca::CaStore> m_store;
    std::unique_ptr<ca::EnrollmentService> m_service;
    crypto::PrivateKey m_key = ca_test::ec_key();
};

TEST_F(EnrollmentServiceTest, OneTimePasswordBoundToTheCommonNameIsUsedOnce) {
    ASSERT_TRUE(m_store->add_otp("device-7", "s3cret", ca_test::now() + std::chrono::hours(1),
                                 ca_test::now()));
    auto issued = enroll(csr_with_challenge(m_key, "CN=device-7,O=Example", "s3cret"), "tid-1");
    ASSERT_EQ(issued.status, Status::issued) << issued.reason;
    EXPECT_EQ(issued.certificate->subject(), "CN=device-7,O=Example");
    auto record = m_store->find(issued.certificate->serial_hex()).value();
    ASSERT_TRUE(record);
    EXPECT_EQ(record->requester, "otp:device-7");

    auto other_key = ca_test::ec_key();
    auto again = enroll(csr_with_challenge(other_key, "CN=device-7,O=Example", "s3cret"), "tid-2");
    EXPECT_EQ(again.status, Status::rejected);
    EXPECT_EQ(again.fail_info, 2);
    EXPECT_NE(again.reason.find("already used"), std::string::npos) << again.reason;
    EXPECT_FALSE(m_log.contains("s3cret"));
}

TEST_F(EnrollmentServiceTest, OneTimePasswordMayBeBoundToASan) {
    ASSERT_TRUE(m_store->add_otp("gw-1.example.net", "pw", ca_test::now() + std::chrono::hours(1),
                                 ca_test::now()));
    auto issued = enroll(csr_with_challenge(m_key, "CN=gateway,O=Example", "pw",
                                            {{crypto::SubjectAltName::Type::dns, "gw-1.example.net"}}),
                         "tid-san");
    EXPECT_EQ(issued.status, Status::issued) << issued.reason;
}

TEST_F(EnrollmentServiceTest, WrongMissingAndStaticChallenges) {
    EXPECT_EQ(enroll(csr_with_challenge(m_key, "CN=a", std::nullopt), "t1").status, Status::rejected);
    EXPECT_EQ(enroll(csr_with_challenge(m_key, "CN=a", "guess"), "t2").status, Status::rejected);
    ca::EnrollmentPolicy policy;
    policy.static_challenge = "lab";
    open(policy);
    EXPECT_EQ(enroll(csr_with_challenge(m_key, "CN=a", "lab"), "t3").status, Status::issued);
    EXPECT_EQ(enroll(csr_with_challenge(ca_test::ec_key(), "CN=b", "labx"), "t4").status,
              Status::rejected);
}

TEST_F(EnrollmentServiceTest, ResendGetsTheSameCertificateOnlyInGoodStanding) {
    ca::EnrollmentPolicy policy;
    policy.static_challenge = "lab";
    open(policy);
    auto first = enroll(csr_with_challenge(m_key, "CN=dev,O=x", "lab"), "tid");
    ASSERT_EQ(first.status, Status::issued);
    // The same transactionID and key, even with a stale challenge: the same certificate.
    auto resend = enroll(csr_with_challenge(m_key, "CN=dev,O=x", "stale"), "tid");
    ASSERT_EQ(resend.status, Status::issued);
    EXPECT_EQ(resend.certificate->serial_hex(), first.certificate->serial_hex());
    EXPECT_EQ(m_store->count().value(), 1);
    // Another subject under the same transactionID is not a resend.
    EXPECT_EQ(enroll(csr_with_challenge(m_key, "CN=other,O=x", "stale"), "tid").status,
              Status::rejected);
    // Once revoked, the certificate is never handed out again.
    ASSERT_TRUE(m_store->revoke(first.certificate->serial_hex(), 1, ca_test::now()));
    EXPECT_EQ(enroll(csr_with_challenge(m_key, "CN=dev,O=x", "stale"), "tid").status,
              Status::rejected);
}

TEST_F(EnrollmentServiceTest, RenewalByProofOfPossession) {
    ca::EnrollmentPolicy policy;
    policy.static_challenge = "lab";
    policy.renewal_window = std::chrono::seconds(0);
    open(policy);
    auto first = enroll(csr_with_challenge(m_key, "CN=dev,O=x", "lab"), "t-first");
    ASSERT_EQ(first.status, Status::issued);
    auto new_key = ca_test::ec_key();
    auto renewed = enroll(csr_with_challenge(new_key, "CN=dev,O=x", std::nullopt), "t-renew",
                          first.certificate);
    ASSERT_EQ(renewed.status, Status::issued) << renewed.reason;
    EXPECT_NE(renewed.certificate->serial_hex(), first.certificate->serial_hex());
    // Another subject, a foreign certificate, a revoked one: refused.
    EXPECT_EQ(enroll(csr_with_challenge(ca_test::ec_key(), "CN=else,O=x", std::nullopt), "t-x",
                     renewed.certificate).status, Status::rejected);
    EXPECT_EQ(enroll(csr_with_challenge(ca_test::ec_key(), "CN=dev,O=x", std::nullopt), "t-y",
                     ca_test::material().root.certificate).status, Status::rejected);
    ASSERT_TRUE(m_store->revoke(renewed.certificate->serial_hex(), std::nullopt, ca_test::now()));
    EXPECT_EQ(enroll(csr_with_challenge(ca_test::ec_key(), "CN=dev,O=x", std::nullopt), "t-z",
                     renewed.certificate).status, Status::rejected);
}

TEST_F(EnrollmentServiceTest, RenewalWindowIsEnforced) {
    ca::EnrollmentPolicy policy;
    policy.static_challenge = "lab";  // renewal_window stays 14 days; certificates last 365
    open(policy);
    auto first = enroll(csr_with_challenge(m_key, "CN=dev,O=x", "lab"), "t1");
    ASSERT_EQ(first.status, Status::issued);
    auto early = enroll(csr_with_challenge(ca_test::ec_key(), "CN=dev,O=x", std::nullopt), "t2",
                        first.certificate);
    EXPECT_EQ(early.status, Status::rejected);
    EXPECT_NE(early.reason.find("renewal window"), std::string::npos) << early.reason;
}

TEST_F(EnrollmentServiceTest, ManualApprovalPendingThenIssuedOrRejected) {
    ca::EnrollmentPolicy policy;
    policy.static_challenge = "lab";
    policy.manual_approval = true;
    open(policy);
    EXPECT_EQ(enroll(csr_with_challenge(m_key, "CN=dev,O=x", "lab"), "t-ok").status, Status::pending);
    EXPECT_EQ(m_service->poll("t-ok", ca_test::now()).status, Status::pending);
    ASSERT_TRUE(m_store->approve("t-ok", ca_test::now()));
    auto issued = m_service->poll("t-ok", ca_test::now());
    ASSERT_EQ(issued.status, Status::issued) << issued.reason;
    auto again = m_service->poll("t-ok", ca_test::now());
    ASSERT_EQ(again.status, Status::issued);
    EXPECT_EQ(again.certificate->serial_hex(), issued.certificate->serial_hex());

    EXPECT_EQ(enroll(csr_with_challenge(ca_test::ec_key(), "CN=two,O=x", "lab"), "t-no").status,
              Status::pending);
    ASSERT_TRUE(m_store->reject("t-no", ca_test::now()));
    EXPECT_EQ(m_service->poll("t-no", ca_test::now()).status, Status::rejected);
    EXPECT_EQ(m_service->poll("t-unknown", ca_test::now()).fail_info, 4);
}

TEST_F(EnrollmentServiceTest, CrlAndOcspStatusFollowRevocations) {
    ca::EnrollmentPolicy policy;
    policy.static_challenge = "lab";
    open(policy);
    auto issued = enroll(csr_with_challenge(m_key, "CN=dev,O=x", "lab"), "t1");
    ASSERT_EQ(issued.status, Status::issued);
    const std::string serial = issued.certificate->serial_hex();
    EXPECT_EQ(m_service->status(serial).value().kind, ca::CertificateStatus::Kind::good);
    EXPECT_EQ(m_service->status("0102").value().kind, ca::CertificateStatus::Kind::unknown);
    auto empty = m_service->current_crl(ca_test::now()).value();
    EXPECT_EQ(empty.entry_count(), 0u);
    ASSERT_TRUE(m_store->revoke(serial, 1, ca_test::now()));
    auto crl = m_service->current_crl(ca_test::now()).value();
    ASSERT_TRUE(crl.find(serial));
    EXPECT_TRUE(crl.is_signed_by(ca_test::authority().certificate()));
    EXPECT_EQ(m_service->status(serial).value().kind, ca::CertificateStatus::Kind::revoked);
}

TEST_F(EnrollmentServiceTest, ReplayedNoncesAreRecognised) {
    const crypto::Bytes nonce(16, 0x42);
    EXPECT_FALSE(m_service->is_replay(nonce, ca_test::now()).value());
    EXPECT_TRUE(m_service->is_replay(nonce, ca_test::now()).value());
}

}  // namespace
