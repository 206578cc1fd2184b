// The values the CA database (ca::CaStore) hands out and takes in. The tables behind them are
// described in docs/ca-database.md. Times are whole seconds; a SystemTime past 2262 saturates.
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "crypto/bytes.h"

namespace ca {

// A certificate as the CA recorded it when issuing it.
struct IssuedCertificate {
    enum class Status { valid, revoked };

    std::string serial;   // upper-case hex without leading zeros, as Certificate::serial_hex()
    std::string subject;  // RFC 4514
    std::string issuer;   // RFC 4514
    common::SystemTime not_before;
    common::SystemTime not_after;
    crypto::Bytes der;
    Status status = Status::valid;
    std::optional<common::SystemTime> revoked_at;  // set exactly when revoked
    std::optional<int> revocation_reason;          // CRLReason, RFC 5280 §5.3.1; none = unspecified
    std::string transaction_id;                    // SCEP transactionID; "" if none
    std::string requester;  // who asked: "otp:<username>", "renewal:<serial>", "admin:<name>"
    common::SystemTime issued_at;
};

std::string_view to_string(IssuedCertificate::Status status);  // "valid", "revoked"

// What CaStore::list() returns; every field narrows the result, nullopt means "any".
struct CertificateFilter {
    std::optional<IssuedCertificate::Status> status;
    std::optional<std::string> subject;            // exact match
    std::optional<std::string> requester;          // exact match
    std::optional<common::SystemTime> expires_before;  // not_after < this
    std::int64_t limit = 1000;                     // most recently issued first
};

enum class RevokeOutcome {
    revoked,          // now revoked at the given time
    already_revoked,  // nothing changed; the first revocation time and reason stay
    unknown_serial,   // this CA never recorded the serial
};

// The answer to CaStore::consume_otp(); only `ok` consumed the password.
enum class OtpCheck { ok, unknown_user, wrong_password, expired, already_used };
std::string_view to_string(OtpCheck check);  // "ok", "unknown user", ...

enum class OtpState {
    active,   // unused, unexpired: a request may consume it
    expired,  // unused, past expires_at
    used,     // consumed by a request
    revoked,  // withdrawn by an operator, or replaced after it expired
};
std::string_view to_string(OtpState state);

// A one-time password as an operator may see it: never the secret, nor its hash.
struct OtpInfo {
    std::string username;
    common::SystemTime created_at;
    common::SystemTime expires_at;
    std::optional<common::SystemTime> used_at;
    std::optional<common::SystemTime> revoked_at;
    OtpState state = OtpState::active;  // as of the `now` given to list_otps()
};

enum class PendingStatus { pending, approved, rejected, issued };
std::string_view to_string(PendingStatus status);  // "pending", ...

// A certification request waiting for (or past) an operator's decision (RFC 8894 §3.3.2 PENDING).
struct PendingRequest {
    std::string transaction_id;  // SCEP transactionID
    crypto::Bytes csr_der;       // PKCS#10
    std::string subject;         // of the CSR, RFC 4514
    std::string requester;
    common::SystemTime requested_at;
    PendingStatus status = PendingStatus::pending;
    std::optional<common::SystemTime> decided_at;  // approval or rejection time
    std::string serial;  // of the issued certificate once status is issued, else ""
};

}  // namespace ca
