// CaStore: requests waiting for manual approval, replay protection and the CRL number.
#include <string>

#include "ca/ca_store.h"
#include "ca/ca_store_sql.h"

namespace ca {

using common::Errc;
using detail::from_unix;
using detail::optional_time;
using detail::prepare_bound;
using detail::to_unix;

namespace {

constexpr std::string_view pending_columns =
    "transaction_id, csr, subject, requester, requested_at, status, decided_at, serial";

PendingStatus parse_pending_status(std::string_view text) {
    if (text == "approved") return PendingStatus::approved;
    if (text == "rejected") return PendingStatus::rejected;
    if (text == "issued") return PendingStatus::issued;
    return PendingStatus::pending;
}

// REQUIRES: row's columns are pending_columns, in that order.
PendingRequest read_pending(const stores::Statement& row) {
    PendingRequest p;
    p.transaction_id = row.column_text(0);
    p.csr_der = row.column_blob(1);
    p.subject = row.column_text(2);
    p.requester = row.column_text(3);
    p.requested_at = from_unix(row.column_int64(4));
    p.status = parse_pending_status(row.column_text(5));
    p.decided_at = optional_time(row, 6);
    p.serial = row.column_text(7);
    return p;
}

common::Result<std::vector<PendingRequest>> read_all_pending(
    common::Result<stores::Statement> stmt) {
    return stores::read_all(std::move(stmt), read_pending);
}

std::string pending_select(std::string_view where) {
    return "SELECT " + std::string(pending_columns) + " FROM pending_requests " +
           std::string(where);
}

}  // namespace

std::string_view to_string(PendingStatus status) {
    switch (status) {
        case PendingStatus::pending: return "pending";
        case PendingStatus::approved: return "approved";
        case PendingStatus::rejected: return "rejected";
        case PendingStatus::issued: return "issued";
    }
    return "unknown";
}

common::Result<void> CaStore::add_pending(std::string_view transaction_id, const crypto::Csr& csr,
                                          std::string_view requester, common::SystemTime now) {
    if (transaction_id.empty() || requester.empty()) {
        return common::fail(Errc::invalid_argument,
                            "pending request: transaction ID and requester are required");
    }
    const crypto::Bytes der = csr.to_der();
    auto inserted = detail::run(
        m_db,
        "INSERT INTO pending_requests (transaction_id, csr, subject, requester, requested_at, "
        "status) VALUES (?1, ?2, ?3, ?4, ?5, 'pending')",
        {transaction_id, crypto::ByteView(der), csr.subject(), requester, to_unix(now)});
    if (!inserted) {
        if (inserted.error().code() == Errc::already_exists) {
            return common::fail(Errc::already_exists, "a request with transaction ID " +
                                                          std::string(transaction_id) + " exists");
        }
        return inserted.error();
    }
    return {};
}

common::Result<std::optional<PendingRequest>> CaStore::find_pending(
    std::string_view transaction_id) {
    auto all = read_all_pending(
        prepare_bound(m_db, pending_select("WHERE transaction_id = ?1"), {transaction_id}));
    if (!all) {
        return all.error();
    }
    if (all->empty()) {
        return std::optional<PendingRequest>();
    }
    return std::optional<PendingRequest>(std::move(all->front()));
}

common::Result<std::vector<PendingRequest>> CaStore::list_pending(
    std::optional<PendingStatus> status) {
    const std::string status_text = status ? std::string(to_string(*status)) : "";
    return read_all_pending(
        prepare_bound(m_db, pending_select("WHERE ?1 IS NULL OR status = ?1 ORDER BY requested_at, "
                                           "rowid"),
                      {status ? detail::SqlValue(status_text) : nullptr}));
}

common::Result<void> CaStore::approve(std::string_view transaction_id, common::SystemTime now) {
    return set_pending_status(transaction_id, PendingStatus::approved, now);
}

common::Result<void> CaStore::reject(std::string_view transaction_id, common::SystemTime now) {
    return set_pending_status(transaction_id, PendingStatus::rejected, now);
}

common::Result<void> CaStore::set_pending_status(std::string_view transaction_id,
                                                 PendingStatus to, common::SystemTime now) {
    auto tx = stores::Transaction::begin(m_db);
    if (!tx) {
        return tx.error();
    }
    auto changed = detail::run(m_db,
                               "UPDATE pending_requests SET status = ?1, decided_at = ?2 "
                               "WHERE transaction_id = ?3 AND status = 'pending'",
                               {to_string(to), to_unix(now), transaction_id});
    if (!changed) {
        return changed.error();
    }
    if (*changed == 0) {
        auto existing = find_pending(transaction_id);
        if (!existing) {
            return existing.error();
        }
        if (!*existing) {
            return common::fail(Errc::not_found,
                                "no request with transaction ID " + std::string(transaction_id));
        }
        return common::fail(Errc::invalid_argument,
                            "request " + std::string(transaction_id) + " is " +
                                std::string(to_string((*existing)->status)) + ", not pending");
    }
    return tx->commit();
}

common::Result<void> CaStore::mark_issued(std::string_view transaction_id,
                                          std::string_view serial) {
    auto canonical = detail::canonical_serial(serial);
    if (!canonical) {
        return canonical.error();
    }
    auto tx = stores::Transaction::begin(m_db);
    if (!tx) {
        return tx.error();
    }
    auto existing = find_pending(transaction_id);
    if (!existing) {
        return existing.error();
    }
    if (!*existing) {
        return common::fail(Errc::not_found,
                            "no request with transaction ID " + std::string(transaction_id));
    }
    const PendingRequest& request = **existing;
    if (request.status == PendingStatus::issued && request.serial == *canonical) {
        return {};  // already done; the transaction rolls back without change
    }
    if (request.status != PendingStatus::approved) {
        return common::fail(Errc::invalid_argument,
                            "request " + std::string(transaction_id) + " is " +
                                std::string(to_string(request.status)) + ", not approved");
    }
    // The foreign key refuses a serial this CA has not recorded.
    auto changed = detail::run(m_db,
                               "UPDATE pending_requests SET status = 'issued', serial = ?1 "
                               "WHERE transaction_id = ?2",
                               {*canonical, transaction_id});
    if (!changed) {
        return changed.error().with_context("serial " + *canonical);
    }
    return tx->commit();
}

common::Result<bool> CaStore::seen_nonce(std::string_view sender_nonce_hex,
                                         common::SystemTime now) {
    auto nonce = detail::canonical_nonce(sender_nonce_hex);
    if (!nonce) {
        return nonce.error();
    }
    auto tx = stores::Transaction::begin(m_db);
    if (!tx) {
        return tx.error();
    }
    auto pruned = detail::run(m_db, "DELETE FROM seen_nonces WHERE seen_at < ?1",
                              {to_unix(now - m_options.nonce_window)});
    if (!pruned) {
        return pruned.error();
    }
    auto inserted = detail::run(m_db,
                                "INSERT INTO seen_nonces (nonce, seen_at) VALUES (?1, ?2) "
                                "ON CONFLICT (nonce) DO NOTHING",
                                {*nonce, to_unix(now)});
    if (!inserted) {
        return inserted.error();
    }
    if (auto committed = tx->commit(); !committed) {
        return committed.error();
    }
    return *inserted == 0;
}

common::Result<std::int64_t> CaStore::next_crl_number() {
    // One statement is one transaction: it commits when it has run to the end.
    auto stmt = m_db.prepare(
        "UPDATE counters SET value = value + 1 WHERE name = 'crl_number' RETURNING value");
    if (!stmt) {
        return stmt.error();
    }
    auto row = stmt->step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return common::fail(Errc::io, "CA database: the CRL number counter is missing");
    }
    const std::int64_t number = stmt->column_int64(0);
    if (auto done = stmt->execute(); !done) {
        return done.error();
    }
    return number;
}

}  // namespace ca
