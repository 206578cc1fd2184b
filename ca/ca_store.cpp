// CaStore: opening, the certificates table and the integrity check. One-time passwords are in
// ca_store_otp.cpp, pending requests, nonces and the CRL number in ca_store_requests.cpp.
#include "ca/ca_store.h"

#include <string>

#include "ca/ca_schema.h"
#include "ca/ca_store_sql.h"

namespace ca {

using common::Errc;
using detail::from_unix;
using detail::optional_time;
using detail::prepare_bound;
using detail::to_unix;

static_assert(CaStore::schema_version == detail::ca_schema_version);

namespace {

constexpr std::string_view certificate_columns =
    "serial, subject, issuer, not_before, not_after, der, status, revoked_at, "
    "revocation_reason, transaction_id, requester, issued_at";

// REQUIRES: row's columns are certificate_columns, in that order.
IssuedCertificate read_certificate(const stores::Statement& row) {
    IssuedCertificate c;
    c.serial = row.column_text(0);
    c.subject = row.column_text(1);
    c.issuer = row.column_text(2);
    c.not_before = from_unix(row.column_int64(3));
    c.not_after = from_unix(row.column_int64(4));
    c.der = row.column_blob(5);
    c.status = row.column_text(6) == "revoked" ? IssuedCertificate::Status::revoked
                                                : IssuedCertificate::Status::valid;
    c.revoked_at = optional_time(row, 7);
    if (!row.column_is_null(8)) {
        c.revocation_reason = static_cast<int>(row.column_int64(8));
    }
    c.transaction_id = row.column_text(9);
    c.requester = row.column_text(10);
    c.issued_at = from_unix(row.column_int64(11));
    return c;
}

common::Result<std::vector<IssuedCertificate>> read_certificates(
    common::Result<stores::Statement> stmt) {
    return stores::read_all(std::move(stmt), read_certificate);
}

common::Result<std::optional<IssuedCertificate>> first_certificate(
    common::Result<stores::Statement> stmt) {
    auto all = read_certificates(std::move(stmt));
    if (!all) {
        return all.error();
    }
    if (all->empty()) {
        return std::optional<IssuedCertificate>();
    }
    return std::optional<IssuedCertificate>(std::move(all->front()));
}

bool is_crl_reason(int reason) {
    // RFC 5280 §5.3.1: 0-10; 7 is not assigned, 8 (removeFromCRL) belongs to delta CRLs only.
    return reason >= 0 && reason <= 10 && reason != 7 && reason != 8;
}

}  // namespace

std::string_view to_string(IssuedCertificate::Status status) {
    return status == IssuedCertificate::Status::revoked ? "revoked" : "valid";
}

common::Result<CaStore> CaStore::open(const std::filesystem::path& path,
                                      const CaStoreOptions& options) {
    stores::DatabaseOptions db_options;
    db_options.create_if_missing = options.create_if_missing;
    db_options.busy_timeout = options.busy_timeout;
    auto db = stores::Database::open(path, db_options);
    if (!db) {
        return db.error().with_context("CA database");
    }
    if (auto migrated = detail::migrate(*db); !migrated) {
        return migrated.error().with_context("CA database " + path.string());
    }
    return CaStore(std::move(*db), options);
}

common::Result<void> CaStore::record_issued(const crypto::Certificate& cert,
                                            std::string_view transaction_id,
                                            std::string_view requester, common::SystemTime now) {
    if (requester.empty()) {
        return common::fail(Errc::invalid_argument, "record issued certificate: no requester");
    }
    const std::string serial = cert.serial_hex();
    const crypto::Bytes der = cert.to_der();
    auto tx = stores::Transaction::begin(m_db);
    if (!tx) {
        return tx.error();
    }
    auto inserted = detail::run(
        m_db,
        "INSERT INTO certificates (serial, subject, issuer, not_before, not_after, der, status, "
        "transaction_id, requester, issued_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'valid', ?7, ?8, ?9)",
        {serial, cert.subject(), cert.issuer(), to_unix(cert.not_before()),
         to_unix(cert.not_after()), crypto::ByteView(der), detail::text_or_null(transaction_id),
         requester, to_unix(now)});
    if (!inserted) {
        if (inserted.error().code() == Errc::already_exists) {
            return common::fail(Errc::already_exists, "duplicate serial " + serial);
        }
        return inserted.error().with_context("record certificate " + serial);
    }
    if (!transaction_id.empty()) {
        auto issued = detail::run(m_db,
                                  "UPDATE pending_requests SET status = 'issued', serial = ?1 "
                                  "WHERE transaction_id = ?2 AND status = 'approved'",
                                  {serial, transaction_id});
        if (!issued) {
            return issued.error();
        }
    }
    return tx->commit();
}

common::Result<std::optional<IssuedCertificate>> CaStore::find(std::string_view serial) {
    auto canonical = detail::canonical_serial(serial);
    if (!canonical) {
        return canonical.error();
    }
    return first_certificate(prepare_bound(
        m_db, "SELECT " + std::string(certificate_columns) + " FROM certificates WHERE serial = ?1",
        {*canonical}));
}

common::Result<std::optional<IssuedCertificate>> CaStore::find_by_transaction_id(
    std::string_view transaction_id) {
    return first_certificate(prepare_bound(m_db,
                                           "SELECT " + std::string(certificate_columns) +
                                               " FROM certificates WHERE transaction_id = ?1 "
                                               "ORDER BY issued_at DESC, rowid DESC LIMIT 1",
                                           {transaction_id}));
}

common::Result<std::vector<IssuedCertificate>> CaStore::list(const CertificateFilter& filter) {
    const std::string status = filter.status ? std::string(to_string(*filter.status)) : "";
    return read_certificates(prepare_bound(
        m_db,
        "SELECT " + std::string(certificate_columns) +
            " FROM certificates WHERE (?1 IS NULL OR status = ?1)"
            " AND (?2 IS NULL OR subject = ?2) AND (?3 IS NULL OR requester = ?3)"
            " AND (?4 IS NULL OR not_after < ?4)"
            " ORDER BY issued_at DESC, rowid DESC LIMIT ?5",
        {filter.status ? detail::SqlValue(status) : nullptr,
         filter.subject ? detail::SqlValue(*filter.subject) : nullptr,
         filter.requester ? detail::SqlValue(*filter.requester) : nullptr,
         detail::time_or_null(filter.expires_before), filter.limit}));
}

common::Result<std::int64_t> CaStore::count() {
    auto stmt = m_db.prepare("SELECT count(*) FROM certificates");
    if (!stmt) {
        return stmt.error();
    }
    auto row = stmt->step();
    if (!row) {
        return row.error();
    }
    return stmt->column_int64(0);
}

common::Result<RevokeOutcome> CaStore::revoke(std::string_view serial, std::optional<int> reason,
                                              common::SystemTime now) {
    if (reason && !is_crl_reason(*reason)) {
        return common::fail(Errc::invalid_argument,
                            "not a CRL reason code: " + std::to_string(*reason));
    }
    auto canonical = detail::canonical_serial(serial);
    if (!canonical) {
        return canonical.error();
    }
    auto tx = stores::Transaction::begin(m_db);
    if (!tx) {
        return tx.error();
    }
    auto changed = detail::run(m_db,
                               "UPDATE certificates SET status = 'revoked', revoked_at = ?1, "
                               "revocation_reason = ?2 WHERE serial = ?3 AND status = 'valid'",
                               {to_unix(now),
                                reason ? detail::SqlValue(std::int64_t{*reason}) : nullptr,
                                *canonical});
    if (!changed) {
        return changed.error();
    }
    RevokeOutcome outcome = RevokeOutcome::revoked;
    if (*changed == 0) {
        auto existing = find(*canonical);
        if (!existing) {
            return existing.error();
        }
        outcome = *existing ? RevokeOutcome::already_revoked : RevokeOutcome::unknown_serial;
    }
    if (auto committed = tx->commit(); !committed) {
        return committed.error();
    }
    return outcome;
}

common::Result<std::vector<crypto::RevokedEntry>> CaStore::revoked_entries() {
    auto stmt = m_db.prepare(
        "SELECT serial, revoked_at, revocation_reason FROM certificates "
        "WHERE status = 'revoked' ORDER BY length(serial), serial");
    return stores::read_all(std::move(stmt), [](const stores::Statement& row) {
        crypto::RevokedEntry entry;
        entry.serial_hex = row.column_text(0);
        entry.revocation_time = from_unix(row.column_int64(1));
        if (!row.column_is_null(2)) {
            entry.reason = static_cast<int>(row.column_int64(2));
        }
        return entry;
    });
}

common::Result<void> CaStore::check_integrity() {
    if (auto checked = m_db.check_integrity(); !checked) {
        return checked.error().with_context("CA database");
    }
    return {};
}

}  // namespace ca
