#include "ca/ca_schema.h"

#include "stores/schema.h"

#include <string>
#include <string_view>

namespace ca::detail {
namespace {

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

constexpr stores::Migration migrations[] = {
    {1, schema_v1},
};
static_assert(std::size(migrations) == ca_schema_version, "one migration per version");

}  // namespace

common::Result<void> migrate(stores::Database& db) {
    static constexpr stores::Schema schema{"CA database", ca_application_id, migrations};
    return stores::migrate(db, schema);
}

}  // namespace ca::detail
