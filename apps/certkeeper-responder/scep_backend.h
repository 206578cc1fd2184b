// The SCEP responder's backend: scep::ResponderBackend answered by ca::EnrollmentService.
#pragma once

#include "ca/enrollment_service.h"
#include "scep/responder.h"

namespace responder {

class ScepBackend final : public scep::ResponderBackend {
public:
    explicit ScepBackend(ca::EnrollmentService& service) : m_service(service) {}

    scep::BackendOutcome enroll(const scep::EnrollmentCall& call, common::SystemTime now) override;
    scep::BackendOutcome poll(std::string_view transaction_id, std::string_view subject,
                              common::SystemTime now) override;
    std::optional<crypto::Certificate> find_certificate(std::string_view serial_hex) override;
    std::optional<crypto::Crl> current_crl(common::SystemTime now) override;
    bool is_replay(const crypto::Bytes& sender_nonce, common::SystemTime now) override;

private:
    ca::EnrollmentService& m_service;
};

}  // namespace responder
