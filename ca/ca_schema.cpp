#include "ca/ca_schema.h"

#include <string>
#include <string_view>

namespace ca::detail {
namespace {

using common::Errc;

// Version 1. STRICT tables: SQLite refuses a value of the wrong type instead of storing it.
// Times are Unix seconds (UTC). Keep in step with docs/ca-database.md.
constexpr std::string_view schema_v1 = R"sql(
CREATE TABLE certificates (
    serial            TEXT PRIMARY KEY NOT NULL
                      CHECK (serial <> '' AND serial NOT GLOB '*[^0-9A-F]*'),
    subject           TEXT NOT NULL,
    issuer            TEXT NOT NULL,
    not_before        INTEGER NOT NULL,
    not_after         INTEGER NOT NULL,
    der               BLOB NOT NULL CHECK (length(der) > 0),
    status            TEXT NOT NULL CHECK (status IN ('valid', 'revoked')),
    revoked_at        INTEGER,
    revocation_reason INTEGER CHECK (revocation_reason BETWEEN 0 AND 10),
    transaction_id    TEXT,
    requester         TEXT NOT NULL CHECK (requester <> ''),
    issued_at         INTEGER NOT NULL,
    CHECK ((status = 'revoked') = (revoked_at IS NOT NULL)),
    CHECK (status = 'revoked' OR revocation_reason IS NULL)
) STRICT;
CREATE INDEX certificates_by_transaction_id ON certificates (transaction_id)
    WHERE transaction_id IS NOT NULL;
CREATE INDEX certificates_revoked ON certificates (serial) WHERE status = 'revoked';

CREATE TABLE one_time_passwords (
    id          INTEGER PRIMARY KEY,
    username    TEXT NOT NULL CHECK (username <> ''),
    salt        BLOB NOT NULL CHECK (length(salt) > 0),
    iterations  INTEGER NOT NULL CHECK (iterations > 0),
    hash        BLOB NOT NULL CHECK (length(hash) > 0),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER,
    revoked_at  INTEGER,
    CHECK (used_at IS NULL OR revoked_at IS NULL)
) STRICT;
CREATE UNIQUE INDEX one_time_passwords_unused ON one_time_passwords (username)
    WHERE used_at IS NULL AND revoked_at IS NULL;
CREATE INDEX one_time_passwords_by_username ON one_time_passwords (username, id);

CREATE TABLE pending_requests (
    transaction_id TEXT PRIMARY KEY NOT NULL CHECK (transaction_id <> ''),
    csr            BLOB NOT NULL CHECK (length(csr) > 0),
    subject        TEXT NOT NULL,
    requester      TEXT NOT NULL CHECK (requester <> ''),
    requested_at   INTEGER NOT NULL,
    status         TEXT NOT NULL
                   CHECK (status IN ('pending', 'approved', 'rejected', 'issued')),
    decided_at     INTEGER,
    serial         TEXT REFERENCES certificates (serial),
    CHECK ((status = 'pending') = (decided_at IS NULL)),
    CHECK ((status = 'issued') = (serial IS NOT NULL))
) STRICT;
CREATE INDEX pending_requests_by_status ON pending_requests (status, requested_at);

CREATE TABLE seen_nonces (
    nonce   TEXT PRIMARY KEY NOT NULL,
    seen_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX seen_nonces_by_time ON seen_nonces (seen_at);

CREATE TABLE counters (
    name  TEXT PRIMARY KEY NOT NULL,
    value INTEGER NOT NULL CHECK (value >= 0)
) STRICT, WITHOUT ROWID;
INSERT INTO counters (name, value) VALUES ('crl_number', 0);
)sql";

struct Migration {
    std::int32_t to_version;
    std::string_view sql;
};

constexpr Migration migrations[] = {
    {1, schema_v1},
};
static_assert(std::size(migrations) == ca_schema_version, "one migration per version");

common::Result<std::int64_t> single_integer(stores::Database& db, std::string_view sql) {
    auto stmt = db.prepare(sql);
    if (!stmt) {
        return stmt.error();
    }
    auto row = stmt->step();
    if (!row) {
        return row.error();
    }
    return *row ? stmt->column_int64(0) : 0;
}

// A database is ours if it carries our application_id, or is still entirely empty.
common::Result<void> check_ownership(stores::Database& db, std::int32_t version) {
    auto app_id = single_integer(db, "PRAGMA application_id");
    if (!app_id) {
        return app_id.error();
    }
    if (*app_id == ca_application_id) {
        return {};
    }
    auto tables = single_integer(db, "SELECT count(*) FROM sqlite_schema");
    if (!tables) {
        return tables.error();
    }
    if (*app_id != 0 || version != 0 || *tables != 0) {
        return common::fail(Errc::unsupported, "not a certkeeper CA database (application_id " +
                                                   std::to_string(*app_id) + ")");
    }
    return {};
}

common::Result<std::int32_t> checked_version(stores::Database& db) {
    auto version = db.user_version();
    if (!version) {
        return version.error();
    }
    if (*version > ca_schema_version || *version < 0) {
        return common::fail(Errc::unsupported,
                            "CA database schema version " + std::to_string(*version) +
                                " is newer than this program's (" +
                                std::to_string(ca_schema_version) + ")");
    }
    if (auto owned = check_ownership(db, *version); !owned) {
        return owned.error();
    }
    return *version;
}

}  // namespace

common::Result<void> migrate(stores::Database& db) {
    auto version = checked_version(db);
    if (!version) {
        return version.error();
    }
    if (*version == ca_schema_version) {
        return {};
    }
    auto tx = stores::Transaction::begin(db);
    if (!tx) {
        return tx.error();
    }
    version = checked_version(db);  // another connection may have migrated meanwhile
    if (!version) {
        return version.error();
    }
    for (const Migration& m : migrations) {
        if (m.to_version <= *version) {
            continue;
        }
        if (auto applied = db.exec(m.sql); !applied) {
            return applied.error().with_context("schema version " + std::to_string(m.to_version));
        }
    }
    if (auto set = db.exec("PRAGMA application_id = " + std::to_string(ca_application_id)); !set) {
        return set.error();
    }
    if (auto set = db.set_user_version(ca_schema_version); !set) {
        return set.error();
    }
    return tx->commit();
}

}  // namespace ca::detail
