#include "scep_backend.h"

namespace responder {
namespace {

scep::BackendOutcome to_outcome(const ca::EnrollmentDecision& d) {
    scep::BackendOutcome out;
    switch (d.status) {
        case ca::EnrollmentDecision::Status::issued:
            out.status = scep::PkiStatus::success;
            out.certificate = d.certificate;
            break;
        case ca::EnrollmentDecision::Status::pending: out.status = scep::PkiStatus::pending; break;
        case ca::EnrollmentDecision::Status::rejected:
            out.status = scep::PkiStatus::failure;
            out.fail_info = scep::FailInfo{d.fail_info, d.reason};
            break;
    }
    return out;
}

}  // namespace

scep::BackendOutcome ScepBackend::enroll(const scep::EnrollmentCall& call, common::SystemTime now) {
    ca::EnrollmentRequest request{call.type == scep::MessageType::renewal_req
                                      ? ca::EnrollmentRequest::Kind::renewal
                                      : ca::EnrollmentRequest::Kind::initial,
                                  call.transaction_id, call.csr, std::nullopt};
    // A PKCSReq signed by an existing certificate (sscep, jscep, Cisco) is a renewal too
    // (RFC 8894 §3.3.1.2 allows it); a self-signed signer is a first enrolment.
    if (request.kind == ca::EnrollmentRequest::Kind::initial && !call.signer.is_self_issued()) {
        request.kind = ca::EnrollmentRequest::Kind::renewal;
    }
    if (request.kind == ca::EnrollmentRequest::Kind::renewal) request.signer = call.signer;
    return to_outcome(m_service.enroll(request, now));
}

scep::BackendOutcome ScepBackend::poll(std::string_view transaction_id, std::string_view,
                                       common::SystemTime now) {
    return to_outcome(m_service.poll(transaction_id, now));
}

std::optional<crypto::Certificate> ScepBackend::find_certificate(std::string_view serial_hex) {
    auto found = m_service.find(serial_hex);
    return found ? *found : std::nullopt;
}

std::optional<crypto::Crl> ScepBackend::current_crl(common::SystemTime now) {
    auto crl = m_service.current_crl(now);
    return crl ? std::optional<crypto::Crl>(*crl) : std::nullopt;
}

bool ScepBackend::is_replay(const crypto::Bytes& sender_nonce, common::SystemTime now) {
    auto seen = m_service.is_replay(sender_nonce, now);
    // If the database cannot answer, refuse rather than risk accepting a replay.
    return !seen || *seen;
}

}  // namespace responder
