// ca::CaStore: the local CA's database - issued certificates and their revocation, one-time
// enrolment passwords, requests waiting for approval, seen SCEP nonces and the CRL number.
// One SQLite file of its own (WAL, synchronous=FULL); the schema and its versions are
// docs/ca-database.md.
//
// Durability: every operation is one SQLite transaction. When a call returns success its effect
// survives a kill -9 or a power cut; when the process dies inside a call, the database holds
// either all of the call's effect or none of it. Nothing is cached in memory.
//
// Time: every function that needs "now" takes it; the store never reads a clock.
//
// Errors: Errc::invalid_argument for malformed input; Errc::already_exists for a duplicate key
// (serial, unused OTP username, transaction ID); retryable Errc::timeout when another
// connection held the write lock for longer than busy_timeout; Errc::io for a damaged file.
//
// Thread-safety: one thread at a time per CaStore. Open one CaStore per thread or process on
// the same file; SQLite serialises their writes.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

#include "ca/ca_records.h"
#include "common/clock.h"
#include "common/result.h"
#include "crypto/certificate.h"
#include "crypto/crl.h"
#include "crypto/csr.h"
#include "crypto/password_hash.h"
#include "stores/sqlite.h"

namespace ca {

struct CaStoreOptions {
    // Create an empty database if the file does not exist.
    bool create_if_missing = true;
    // How long an operation waits for another connection's write lock.
    std::chrono::milliseconds busy_timeout{5000};
    // PBKDF2 iterations for new one-time passwords (each hash keeps its own count).
    std::uint32_t otp_hash_iterations = crypto::default_password_hash_iterations;
    // How long seen_nonce() remembers a nonce.
    std::chrono::seconds nonce_window = std::chrono::hours(24);
};

class CaStore {
public:
    static constexpr std::int32_t schema_version = 1;  // PRAGMA user_version

    // Opens the database, creating or migrating the schema. Errc::unsupported if the file holds
    // a newer schema or is another program's database.
    static common::Result<CaStore> open(const std::filesystem::path& path,
                                        const CaStoreOptions& options = {});

    // Records a certificate this CA has just signed. Errc::already_exists if the serial is
    // recorded already: the caller picks a new serial and signs again. If an approved pending
    // request has this transaction ID, it becomes issued in the same transaction.
    // REQUIRES: requester not empty.
    common::Result<void> record_issued(const crypto::Certificate& cert,
                                       std::string_view transaction_id,
                                       std::string_view requester, common::SystemTime now);
    // serial: hex in any case, with or without leading zeros or ':' separators.
    common::Result<std::optional<IssuedCertificate>> find(std::string_view serial);
    // The certificate most recently recorded with this transaction ID.
    common::Result<std::optional<IssuedCertificate>> find_by_transaction_id(
        std::string_view transaction_id);
    common::Result<std::vector<IssuedCertificate>> list(const CertificateFilter& filter = {});
    common::Result<std::int64_t> count();

    // reason: a CRLReason code (RFC 5280 §5.3.1) other than 7 (unused) and 8 (removeFromCRL);
    // nullopt leaves the reason out of the CRL entry.
    common::Result<RevokeOutcome> revoke(std::string_view serial, std::optional<int> reason,
                                         common::SystemTime now);
    // Every revoked certificate, expired or not, ordered by serial; for the next CRL.
    common::Result<std::vector<crypto::RevokedEntry>> revoked_entries();

    // Stores a one-time password for username as a salted PBKDF2 hash (never the password).
    // An unused, expired password of the same user is retired; an unused, unexpired one makes
    // this fail with Errc::already_exists (revoke it first).
    // REQUIRES: username and password not empty; expires_at > now.
    common::Result<void> add_otp(std::string_view username, std::string_view password,
                                 common::SystemTime expires_at, common::SystemTime now);
    // Checks the password and, only if it is right, unexpired and unused, marks it used - in a
    // way that lets exactly one of any number of concurrent callers see `ok`.
    common::Result<OtpCheck> consume_otp(std::string_view username, std::string_view password,
                                         common::SystemTime now);
    // Every one-time password ever added, oldest first.
    common::Result<std::vector<OtpInfo>> list_otps(common::SystemTime now);
    // Withdraws the user's unused password; Errc::not_found if there is none.
    common::Result<void> revoke_otp(std::string_view username, common::SystemTime now);

    // Errc::already_exists if the transaction ID has a request already.
    common::Result<void> add_pending(std::string_view transaction_id, const crypto::Csr& csr,
                                     std::string_view requester, common::SystemTime now);
    common::Result<std::optional<PendingRequest>> find_pending(std::string_view transaction_id);
    // Oldest first; nullopt lists every status.
    common::Result<std::vector<PendingRequest>> list_pending(
        std::optional<PendingStatus> status = PendingStatus::pending);
    // pending -> approved / rejected. Errc::not_found for an unknown transaction ID,
    // Errc::invalid_argument if the request is no longer pending.
    common::Result<void> approve(std::string_view transaction_id, common::SystemTime now);
    common::Result<void> reject(std::string_view transaction_id, common::SystemTime now);
    // approved -> issued with the recorded certificate `serial` (idempotent for the same serial).
    common::Result<void> mark_issued(std::string_view transaction_id, std::string_view serial);

    // Records a request's senderNonce (RFC 8894 §3.2.1.4.5) and returns true if it was seen
    // within nonce_window before: a replay. Forgets nonces older than nonce_window.
    common::Result<bool> seen_nonce(std::string_view sender_nonce_hex, common::SystemTime now);

    // 1, 2, 3, ... for successive CRLs (RFC 5280 §5.2.3); never repeats, also across restarts.
    common::Result<std::int64_t> next_crl_number();

    // SQLite's integrity and foreign-key checks (PRAGMA integrity_check, foreign_key_check).
    common::Result<void> check_integrity();

private:
    CaStore(stores::Database db, const CaStoreOptions& options)
        : m_db(std::move(db)), m_options(options) {}

    common::Result<void> set_pending_status(std::string_view transaction_id, PendingStatus to,
                                            common::SystemTime now);

    stores::Database m_db;
    CaStoreOptions m_options;
};

}  // namespace ca
