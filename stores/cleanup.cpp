#include "stores/cleanup.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <utility>
#include <variant>

#include "stores/sql_values.h"

namespace stores {
namespace {

// A row chosen for removal: its id, profile and the text that describes it.
struct Candidate {
    std::int64_t id = 0;
    std::string profile;
    std::string what;
    std::string ref;  // keys only
};

// REQUIRES: the query's columns are id, profile, description[, ref].
common::Result<std::vector<Candidate>> select(Database& db, std::string_view sql,
                                              std::initializer_list<SqlValue> values) {
    return read_all(prepare_bound(db, sql, values), [](const Statement& row) {
        return Candidate{row.column_int64(0), row.column_text(1), row.column_text(2),
                         row.column_text(3)};
    });
}

// Runs `remove` (a DELETE or UPDATE with ?1 = id) for every candidate and records each in the
// history and the report, all in one transaction.
common::Result<void> remove_all(StateStore& store, std::string_view kind,
                                std::string_view select_sql, std::initializer_list<SqlValue> values,
                                std::string_view remove_sql, common::SystemTime now,
                                CleanupReport& report) {
    Database& db = store.database();
    auto tx = Transaction::begin(db);
    if (!tx) return tx.error();
    auto candidates = select(db, select_sql, values);
    if (!candidates) return candidates.error();
    std::vector<RemovedItem> removed;
    for (const Candidate& c : *candidates) {
        if (auto r = run(db, remove_sql, {c.id}); !r) return r.error();
        const std::string detail = "removed " + std::string(kind) + ": " + c.what;
        if (auto h = store.append_history({0, c.profile, now, "", "", "cleanup", detail}); !h) {
            return h.error();
        }
        removed.push_back({std::string(kind), c.profile, c.what});
    }
    if (auto committed = tx->commit(); !committed) return committed.error();
    report.removed.insert(report.removed.end(), removed.begin(), removed.end());
    return {};
}

// A DELETE that counts rows of a shared table (one global history row for all of them).
common::Result<void> remove_counted(StateStore& store, std::string_view kind,
                                    std::string_view delete_sql,
                                    std::initializer_list<SqlValue> values,
                                    std::string_view description, common::SystemTime now,
                                    CleanupReport& report) {
    Database& db = store.database();
    auto tx = Transaction::begin(db);
    if (!tx) return tx.error();
    auto removed = run(db, delete_sql, values);
    if (!removed) return removed.error();
    if (*removed == 0) return tx->commit();
    const std::string what = std::to_string(*removed) + " " + std::string(description);
    if (auto h = store.append_history(
            {0, "", now, "", "", "cleanup", "removed " + std::string(kind) + ": " + what});
        !h) {
        return h.error();
    }
    if (auto committed = tx->commit(); !committed) return committed.error();
    report.removed.push_back({std::string(kind), "", what});
    return {};
}

// A certificate is in service while it is 'installed' or an unfinished or current install
// names it.
constexpr std::string_view in_service =
    "(c.state = 'installed' OR EXISTS (SELECT 1 FROM installs i WHERE i.profile = c.profile "
    "AND i.cert_serial = c.serial AND i.state IN ('installed', 'installing')))";

common::Result<void> remove_certificates(StateStore& store, common::SystemTime now,
                                         const CleanupOptions& o, CleanupReport& report) {
    const std::string select_sql =
        "SELECT c.id, c.profile, c.role || ' ' || c.serial || ' (' || c.subject || "
        "', expired ' || datetime(c.not_after, 'unixepoch') || ')', '' FROM certificates c "
        "WHERE c.not_after + ?1 < ?2 AND NOT " +
        std::string(in_service) + " ORDER BY c.id";
    return remove_all(store, "certificate", select_sql,
                      {o.certificate_grace.count(), to_unix(now)},
                      "DELETE FROM certificates WHERE id = ?1", now, report);
}

// Superseded keys past the grace, and pending keys of failed enrolments, that no certificate in
// service, no issued certificate and no pending transaction refers to.
constexpr std::string_view retired_keys =
    "SELECT k.id, k.profile, k.ref || ' (' || k.key_type || ', ' || k.state || ')', k.ref "
    "FROM keys k WHERE ((k.state = 'superseded' AND k.state_changed_at + ?1 < ?2) OR "
    "(k.state = 'pending' AND k.created_at + ?1 < ?2)) "
    "AND NOT EXISTS (SELECT 1 FROM scep_transactions t WHERE t.key_id = k.id "
    "AND t.state = 'pending') "
    "AND NOT EXISTS (SELECT 1 FROM certificates c WHERE c.key_id = k.id AND "
    "(c.state = 'issued' OR c.state = 'installed' OR EXISTS (SELECT 1 FROM installs i "
    "WHERE i.profile = c.profile AND i.cert_serial = c.serial "
    "AND i.state IN ('installed', 'installing')))) ORDER BY k.id";

common::Result<void> remove_key_files(StateStore& store, KeyFileRemover& remover,
                                      common::SystemTime now, const CleanupOptions& o,
                                      CleanupReport& report) {
    Database& db = store.database();
    auto candidates = select(db, retired_keys, {o.key_grace.count(), to_unix(now)});
    if (!candidates) return candidates.error();
    for (const Candidate& c : *candidates) {
        // The file first: a crash before the row is marked deletes it again next time.
        if (auto removed = remover.remove_key(c.ref); !removed) {
            report.errors.push_back(c.ref + ": " + removed.error().to_string());
            continue;
        }
        auto tx = Transaction::begin(db);
        if (!tx) return tx.error();
        auto marked = run(db,
                          "UPDATE keys SET state = 'deleted', state_changed_at = ?2 "
                          "WHERE id = ?1 AND state <> 'deleted'",
                          {c.id, to_unix(now)});
        if (!marked) return marked.error();
        if (auto h = store.append_history(
                {0, c.profile, now, "", "", "cleanup", "removed key_file: " + c.what});
            !h) {
            return h.error();
        }
        if (auto committed = tx->commit(); !committed) return committed.error();
        report.removed.push_back({"key_file", c.profile, c.what});
    }
    return {};
}

}  // namespace

std::size_t CleanupReport::count(std::string_view kind) const {
    return static_cast<std::size_t>(std::count_if(
        removed.begin(), removed.end(), [&](const RemovedItem& r) { return r.kind == kind; }));
}

common::Result<CleanupReport> cleanup(StateStore& store, KeyFileRemover& remover,
                                      common::SystemTime now, const CleanupOptions& o) {
    CleanupReport report;
    const std::int64_t t = to_unix(now);

    if (auto r = remove_certificates(store, now, o, report); !r) return r.error();
    if (auto r = remove_key_files(store, remover, now, o, report); !r) return r.error();
    if (auto r = remove_all(store, "key",
                            "SELECT id, profile, ref || ' (row of a deleted key)', '' FROM keys "
                            "WHERE state = 'deleted' AND state_changed_at + ?1 < ?2 ORDER BY id",
                            {o.key_grace.count(), t}, "DELETE FROM keys WHERE id = ?1", now,
                            report);
        !r) {
        return r.error();
    }
    if (auto r = remove_all(store, "scep_transaction",
                            "SELECT id, profile, kind || ' ' || transaction_id || ' (' || state || "
                            "' after ' || attempts || ' attempts)', '' FROM scep_transactions "
                            "WHERE state <> 'pending' AND finished_at + ?1 < ?2 ORDER BY id",
                            {o.transaction_grace.count(), t},
                            "DELETE FROM scep_transactions WHERE id = ?1", now, report);
        !r) {
        return r.error();
    }
    if (auto r = remove_all(
            store, "install",
            "SELECT i.id, i.profile, i.store || ' version ' || i.version || ' (' || i.state || "
            "', certificate ' || i.cert_serial || ')', '' FROM installs i WHERE "
            "((i.state = 'abandoned' AND i.finished_at + ?1 < ?2) OR "
            "(i.state = 'superseded' AND i.superseded_at + ?1 < ?2)) AND i.version < "
            "(SELECT MAX(j.version) FROM installs j WHERE j.profile = i.profile "
            "AND j.store = i.store) ORDER BY i.id",
            {o.install_grace.count(), t}, "DELETE FROM installs WHERE id = ?1", now, report);
        !r) {
        return r.error();
    }
    if (auto r = remove_counted(store, "revocation_cache",
                                "DELETE FROM revocation_cache "
                                "WHERE COALESCE(next_update, fetched_at) + ?1 < ?2",
                                {o.revocation_cache_grace.count(), t},
                                "cached CRLs and OCSP responses past nextUpdate", now, report);
        !r) {
        return r.error();
    }
    // Last, so that the rows this run appended count among the newest.
    if (auto r = remove_counted(
            store, "history",
            "DELETE FROM history WHERE at + ?1 < ?2 AND id NOT IN (SELECT id FROM (SELECT id, "
            "ROW_NUMBER() OVER (PARTITION BY profile ORDER BY at DESC, id DESC) AS n "
            "FROM history) WHERE n <= ?3)",
            {o.history_retention.count(), t,
             static_cast<std::int64_t>(o.history_keep_per_profile)},
            "history rows past the retention", now, report);
        !r) {
        return r.error();
    }
    return report;
}

}  // namespace stores
