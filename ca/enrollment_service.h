// ca::EnrollmentService: who may get a certificate, and the bookkeeping around issuing one.
// It sits between a protocol front end (the SCEP responder) and ca::Authority + ca::CaStore:
//
//  - Authorisation of a first enrolment, by the CSR's challengePassword: a one-time password
//    whose username is the CSR subject's CN or one of its SAN values (consumed on use), or a
//    static lab challenge. Renewal by proof of possession: the request is signed by a
//    certificate this CA issued, still valid and not revoked, for the same subject, inside the
//    renewal window.
//  - Optional manual approval: the request waits as pending until an operator decides; the
//    client's polls then get the certificate or the rejection.
//  - A resent request (same transactionID, same key) gets the certificate already issued
//    (RFC 8894 §5.2: the client may have lost the reply), never a second one.
//  - Issuing: fresh random serial, Authority::issue, CaStore::record_issued before anything is
//    returned, so every certificate that leaves the CA is in the database.
//
// Time is always a parameter. Thread-safety: all methods may be called concurrently; database
// access is serialised inside, signing runs in parallel.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "ca/authority.h"
#include "ca/ca_store.h"
#include "ca/certificate_profile.h"
#include "common/log.h"

namespace ca {

struct EnrollmentPolicy {
    // Accept one-time passwords added with `certkeeper-responder otp add`.
    bool one_time_passwords = true;
    // A lab's shared challenge; never logged. Empty = none.
    std::string static_challenge;
    // First enrolments wait for an operator (renewals do not).
    bool manual_approval = false;
    // A renewal is accepted only when the signing certificate expires within this window;
    // zero = any time (RFC 8894 §2.5 leaves the window to the CA; micromdm uses 14 days).
    std::chrono::seconds renewal_window = std::chrono::hours(24 * 14);
    // Profile used for every certificate issued through this service.
    std::string profile = "device";
    // nextUpdate - thisUpdate of the CRLs made by current_crl().
    std::chrono::seconds crl_validity = std::chrono::hours(24 * 7);
};

struct EnrollmentRequest {
    enum class Kind { initial, renewal };
    Kind kind = Kind::initial;
    std::string transaction_id;
    crypto::Csr csr;
    // Renewal: the certificate that signed the request.
    std::optional<crypto::Certificate> signer;
};

struct EnrollmentDecision {
    enum class Status { issued, pending, rejected };
    Status status = Status::rejected;
    std::optional<crypto::Certificate> certificate;
    // Rejected: RFC 8894 failInfo (0 badAlg, 1 badMessageCheck, 2 badRequest, 3 badTime,
    // 4 badCertId) and a reason for the log and failInfoText (never a secret).
    int fail_info = 2;
    std::string reason;
};

class EnrollmentService {
public:
    // REQUIRES: authority, store, profiles and the logger's sink outlive the service; the
    // policy's profile exists in profiles.
    EnrollmentService(const Authority& authority, CaStore& store,
                      const CertificateProfiles& profiles, EnrollmentPolicy policy,
                      common::Logger log);

    EnrollmentDecision enroll(const EnrollmentRequest& request, common::SystemTime now);
    // CertPoll: the state of the request with this transactionID.
    EnrollmentDecision poll(std::string_view transaction_id, common::SystemTime now);

    // Issues the certificate of an approved pending request now (also done lazily by poll()).
    EnrollmentDecision issue_approved(std::string_view transaction_id, common::SystemTime now);

    common::Result<std::optional<crypto::Certificate>> find(std::string_view serial_hex);
    // RFC 6960 status of a serial, for the OCSP responder.
    common::Result<CertificateStatus> status(std::string_view serial_hex);
    // A CRL of every revoked certificate; regenerated when revocations changed or after a
    // quarter of its validity, else the cached one.
    common::Result<crypto::Crl> current_crl(common::SystemTime now);
    // Records a request's senderNonce; true if it was seen before (a replay).
    common::Result<bool> is_replay(const crypto::Bytes& sender_nonce, common::SystemTime now);

    const Authority& authority() const { return m_authority; }

private:
    EnrollmentDecision authorize_initial(const EnrollmentRequest& request, common::SystemTime now,
                                         std::string& requester);
    EnrollmentDecision authorize_renewal(const EnrollmentRequest& request, common::SystemTime now,
                                         std::string& requester);
    EnrollmentDecision issue(const crypto::Csr& csr, std::string_view transaction_id,
                             std::string_view requester, common::SystemTime now);
    std::optional<EnrollmentDecision> resend(const EnrollmentRequest& request);

    const Authority& m_authority;
    CaStore& m_store;
    const CertificateProfile& m_profile;
    EnrollmentPolicy m_policy;
    common::Logger m_log;
    std::mutex m_store_mutex;  // CaStore is single-threaded
    std::mutex m_crl_mutex;
    std::optional<crypto::Crl> m_crl;
    std::size_t m_crl_revoked_count = 0;
    common::SystemTime m_crl_made_at{};
};

}  // namespace ca
