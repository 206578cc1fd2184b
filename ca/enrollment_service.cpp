#include "ca/enrollment_service.h"

#include "crypto/password_hash.h"

namespace ca {
namespace {

using Status = EnrollmentDecision::Status;

EnrollmentDecision rejected(int fail_info, std::string reason) {
    return EnrollmentDecision{Status::rejected, std::nullopt, fail_info, std::move(reason)};
}

EnrollmentDecision issued(crypto::Certificate cert) {
    return EnrollmentDecision{Status::issued, std::move(cert), 0, {}};
}

bool equal_secret(std::string_view a, std::string_view b) {
    return crypto::constant_time_equal(crypto::as_bytes(a), crypto::as_bytes(b));
}

// The usernames a one-time password may be bound to: the subject's CN and every SAN value.
std::vector<std::string> candidate_usernames(const crypto::Csr& csr) {
    std::vector<std::string> out;
    const std::string subject = csr.subject();
    for (std::size_t pos = 0; pos < subject.size();) {
        const auto end = subject.find(',', pos);
        const std::string rdn = subject.substr(pos, end == std::string::npos ? end : end - pos);
        if (rdn.rfind("CN=", 0) == 0) out.push_back(rdn.substr(3));
        if (end == std::string::npos) break;
        pos = end + 1;
    }
    for (const auto& san : csr.subject_alt_names()) out.push_back(san.value);
    return out;
}

}  // namespace

EnrollmentService::EnrollmentService(const Authority& authority, CaStore& store,
                                     const CertificateProfiles& profiles, EnrollmentPolicy policy,
                                     common::Logger log)
    : m_authority(authority),
      m_store(store),
      m_profile(*profiles.find(policy.profile)),
      m_policy(std::move(policy)),
      m_log(std::move(log)) {}

std::optional<EnrollmentDecision> EnrollmentService::resend(const EnrollmentRequest& request) {
    std::lock_guard lock(m_store_mutex);
    auto previous = m_store.find_by_transaction_id(request.transaction_id);
    if (!previous || !*previous) return std::nullopt;
    // Only a true resend: the same key (the request is signed with it), the same subject, and
    // a certificate still in good standing. Anything else goes through authorisation again.
    if ((*previous)->status == IssuedCertificate::Status::revoked) return std::nullopt;
    auto cert = crypto::Certificate::from_der((*previous)->der);
    if (!cert || cert->public_key_der() != request.csr.public_key_der() ||
        cert->subject() != request.csr.subject()) {
        return std::nullopt;
    }
    // A renewal signed by the very certificate issued under this transactionID (clients that
    // derive the ID from a key they keep) asks for a new certificate, not the old one again.
    if (request.signer && *request.signer == *cert) return std::nullopt;
    m_log.info("transaction " + request.transaction_id.substr(0, 16) +
               ": resent request, answering with serial " + cert->serial_hex());
    return issued(*cert);
}

EnrollmentDecision EnrollmentService::enroll(const EnrollmentRequest& request,
                                             common::SystemTime now) {
    if (auto again = resend(request)) return *again;
    std::string requester;
    EnrollmentDecision auth = request.kind == EnrollmentRequest::Kind::renewal
                                  ? authorize_renewal(request, now, requester)
                                  : authorize_initial(request, now, requester);
    if (auth.status == Status::rejected) return auth;
    if (m_policy.manual_approval && request.kind == EnrollmentRequest::Kind::initial) {
        std::lock_guard lock(m_store_mutex);
        auto added = m_store.add_pending(request.transaction_id, request.csr, requester, now);
        if (!added && added.error().code() != common::Errc::already_exists) {
            return rejected(2, "cannot record the request: " + added.error().message());
        }
        return EnrollmentDecision{Status::pending, std::nullopt, 0, "waiting for approval"};
    }
    return issue(request.csr, request.transaction_id, requester, now);
}

EnrollmentDecision EnrollmentService::authorize_initial(const EnrollmentRequest& request,
                                                        common::SystemTime now,
                                                        std::string& requester) {
    const auto challenge = request.csr.challenge_password();
    if (!challenge || challenge->empty()) return rejected(2, "no challengePassword in the CSR");
    if (!m_policy.static_challenge.empty() && equal_secret(*challenge, m_policy.static_challenge)) {
        requester = "static-challenge";
        return EnrollmentDecision{Status::issued, std::nullopt, 0, {}};
    }
    if (!m_policy.one_time_passwords) return rejected(2, "wrong challenge password");
    std::string last = "no one-time password for the subject's CN or SANs";
    for (const auto& username : candidate_usernames(request.csr)) {
        std::lock_guard lock(m_store_mutex);
        auto check = m_store.consume_otp(username, *challenge, now);
        if (!check) return rejected(2, "one-time password check failed: " + check.error().message());
        if (*check == OtpCheck::ok) {
            requester = "otp:" + username;
            return EnrollmentDecision{Status::issued, std::nullopt, 0, {}};
        }
        if (*check != OtpCheck::unknown_user) {
            last = "one-time password of '" + username + "': " + std::string(to_string(*check));
        }
    }
    return rejected(2, last);
}

EnrollmentDecision EnrollmentService::authorize_renewal(const EnrollmentRequest& request,
                                                        common::SystemTime now,
                                                        std::string& requester) {
    if (!request.signer) return rejected(1, "renewal without a signer certificate");
    const crypto::Certificate& signer = *request.signer;
    std::optional<IssuedCertificate> record;
    {
        std::lock_guard lock(m_store_mutex);
        auto found = m_store.find(signer.serial_hex());
        if (!found) return rejected(2, "certificate lookup failed: " + found.error().message());
        record = *found;
    }
    if (!record || record->der != signer.to_der()) {
        return rejected(1, "renewal signed by a certificate this CA did not issue");
    }
    if (record->status == IssuedCertificate::Status::revoked) {
        return rejected(1, "renewal signed by revoked certificate " + record->serial);
    }
    if (!signer.is_valid_at(now)) return rejected(3, "renewal signed by an expired certificate");
    if (signer.subject() != request.csr.subject()) {
        return rejected(2, "renewal must keep the subject " + signer.subject());
    }
    if (m_policy.renewal_window.count() > 0 && signer.not_after() - now > m_policy.renewal_window) {
        return rejected(2, "renewal too early: certificate " + record->serial +
                               " is outside the renewal window");
    }
    requester = "renewal:" + record->serial;
    return EnrollmentDecision{Status::issued, std::nullopt, 0, {}};
}

EnrollmentDecision EnrollmentService::issue(const crypto::Csr& csr, std::string_view transaction_id,
                                            std::string_view requester, common::SystemTime now) {
    for (int attempt = 0; attempt < 3; ++attempt) {
        auto serial = random_serial();
        if (!serial) return rejected(2, serial.error().message());
        auto cert = m_authority.issue(csr, m_profile, *serial, now);
        if (!cert) {
            const bool bad_alg = cert.error().code() == common::Errc::unsupported;
            return rejected(bad_alg ? 0 : 2, cert.error().message());
        }
        std::lock_guard lock(m_store_mutex);
        auto recorded = m_store.record_issued(*cert, transaction_id, requester, now);
        if (recorded) {
            m_log.info("issued serial " + cert->serial_hex() + " to " + cert->subject() + " (" +
                       std::string(requester) + ")");
            return issued(*cert);
        }
        if (recorded.error().code() != common::Errc::already_exists) {
            return rejected(2, "cannot record the certificate: " + recorded.error().message());
        }
    }
    return rejected(2, "no unique serial number after 3 attempts");
}

EnrollmentDecision EnrollmentService::poll(std::string_view transaction_id, common::SystemTime now) {
    std::optional<PendingRequest> pending;
    {
        std::lock_guard lock(m_store_mutex);
        auto found = m_store.find_pending(transaction_id);
        if (!found) return rejected(2, found.error().message());
        pending = *found;
        if (!pending) {
            auto done = m_store.find_by_transaction_id(transaction_id);
            if (done && *done) {
                auto cert = crypto::Certificate::from_der((*done)->der);
                if (cert) return issued(*cert);
            }
            return rejected(4, "no request with this transactionID");
        }
    }
    switch (pending->status) {
        case PendingStatus::pending:
            return EnrollmentDecision{Status::pending, std::nullopt, 0, "waiting for approval"};
        case PendingStatus::rejected: return rejected(2, "rejected by an operator");
        case PendingStatus::approved: return issue_approved(transaction_id, now);
        case PendingStatus::issued: {
            auto cert = find(pending->serial);
            if (cert && *cert) return issued(**cert);
            return rejected(2, "issued certificate " + pending->serial + " not found");
        }
    }
    return rejected(2, "unknown request state");
}

EnrollmentDecision EnrollmentService::issue_approved(std::string_view transaction_id,
                                                     common::SystemTime now) {
    std::optional<PendingRequest> pending;
    {
        std::lock_guard lock(m_store_mutex);
        auto found = m_store.find_pending(transaction_id);
        if (!found || !*found) return rejected(4, "no request with this transactionID");
        pending = *found;
    }
    if (pending->status != PendingStatus::approved) return poll(transaction_id, now);
    auto csr = crypto::Csr::from_der(pending->csr_der);
    if (!csr) return rejected(2, "stored CSR unreadable: " + csr.error().message());
    return issue(*csr, transaction_id, pending->requester, now);
}

common::Result<std::optional<crypto::Certificate>> EnrollmentService::find(std::string_view serial_hex) {
    std::lock_guard lock(m_store_mutex);
    auto found = m_store.find(serial_hex);
    if (!found) return found.error();
    if (!*found) return std::optional<crypto::Certificate>();
    auto cert = crypto::Certificate::from_der((*found)->der);
    if (!cert) return cert.error();
    return std::optional<crypto::Certificate>(*cert);
}

common::Result<CertificateStatus> EnrollmentService::status(std::string_view serial_hex) {
    std::lock_guard lock(m_store_mutex);
    auto found = m_store.find(serial_hex);
    if (!found) return found.error();
    CertificateStatus out;  // unknown unless we issued it
    if (!*found) return out;
    const IssuedCertificate& record = **found;
    if (record.status == IssuedCertificate::Status::revoked) {
        out.kind = CertificateStatus::Kind::revoked;
        out.revocation_time = record.revoked_at.value_or(common::SystemTime{});
        out.reason = record.revocation_reason;
    } else {
        out.kind = CertificateStatus::Kind::good;
    }
    return out;
}

common::Result<crypto::Crl> EnrollmentService::current_crl(common::SystemTime now) {
    std::vector<crypto::RevokedEntry> revoked;
    {
        std::lock_guard lock(m_store_mutex);
        auto entries = m_store.revoked_entries();
        if (!entries) return entries.error();
        revoked = std::move(*entries);
    }
    std::lock_guard lock(m_crl_mutex);
    const bool fresh = m_crl && revoked.size() == m_crl_revoked_count &&
                       now - m_crl_made_at < m_policy.crl_validity / 4 && now >= m_crl_made_at;
    if (fresh) return *m_crl;
    std::int64_t number = 0;
    {
        std::lock_guard store_lock(m_store_mutex);
        auto next = m_store.next_crl_number();
        if (!next) return next.error();
        number = *next;
    }
    const std::size_t count = revoked.size();
    auto crl = m_authority.make_crl(std::move(revoked), static_cast<std::uint64_t>(number), now,
                                    now + m_policy.crl_validity);
    if (!crl) return crl.error();
    m_crl = *crl;
    m_crl_revoked_count = count;
    m_crl_made_at = now;
    m_log.info("CRL " + std::to_string(number) + " with " + std::to_string(count) + " entries");
    return *crl;
}

common::Result<bool> EnrollmentService::is_replay(const crypto::Bytes& sender_nonce,
                                                  common::SystemTime now) {
    std::lock_guard lock(m_store_mutex);
    return m_store.seen_nonce(crypto::to_hex(sender_nonce), now);
}

}  // namespace ca
