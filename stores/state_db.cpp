#include "stores/state_db.h"

#include "stores/schema.h"

#include <iterator>
#include <string>
#include <system_error>

namespace stores {
namespace {

// Keep in step with docs/storage.md. STRICT tables; times are Unix seconds (UTC).
constexpr std::string_view schema_v1 = R"sql(
CREATE TABLE revocation_cache (
    method       TEXT NOT NULL CHECK (method IN ('crl', 'ocsp')),
    issuer_id    TEXT NOT NULL,
    key          TEXT NOT NULL,
    source_url   TEXT NOT NULL,
    der          BLOB NOT NULL,
    issuer_der   BLOB NOT NULL,
    cert_der     BLOB,
    this_update  INTEGER NOT NULL,
    next_update  INTEGER,
    fetched_at   INTEGER NOT NULL,
    refresh_at   INTEGER NOT NULL,
    PRIMARY KEY (method, issuer_id, key)
) STRICT;
CREATE INDEX revocation_cache_refresh ON revocation_cache (refresh_at);
)sql";

// Version 2: what the lifecycle needs to resume after a restart (docs/storage.md, "Version 2").
// No foreign key points at profiles: history and removed profiles' artefacts outlive the row.
constexpr std::string_view schema_v2 = R"sql(
CREATE TABLE profiles (
    name            TEXT PRIMARY KEY,
    revision        INTEGER NOT NULL CHECK (revision >= 1),
    source          TEXT NOT NULL,
    content         TEXT NOT NULL,
    applied_at      INTEGER NOT NULL,
    enabled         INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    state           TEXT NOT NULL DEFAULT '',
    state_data      TEXT NOT NULL DEFAULT '',
    next_action_at  INTEGER,
    last_error      TEXT NOT NULL DEFAULT '',
    updated_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX profiles_next_action ON profiles (next_action_at) WHERE next_action_at IS NOT NULL;

CREATE TABLE keys (
    id                INTEGER PRIMARY KEY,
    ref               TEXT NOT NULL UNIQUE CHECK (ref <> ''),
    profile           TEXT NOT NULL,
    key_type          TEXT NOT NULL,
    created_at        INTEGER NOT NULL,
    state             TEXT NOT NULL
                      CHECK (state IN ('pending', 'active', 'superseded', 'deleted')),
    state_changed_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX keys_by_profile ON keys (profile, state);

CREATE TABLE certificates (
    id                  INTEGER PRIMARY KEY,
    profile             TEXT NOT NULL,
    role                TEXT NOT NULL
                        CHECK (role IN ('own', 'trust_anchor', 'intermediate', 'peer_anchor')),
    serial              TEXT NOT NULL,
    issuer              TEXT NOT NULL,
    subject             TEXT NOT NULL,
    not_before          INTEGER NOT NULL,
    not_after           INTEGER NOT NULL,
    der                 BLOB NOT NULL,
    chain               BLOB NOT NULL DEFAULT x'',
    sha256_fingerprint  TEXT CHECK (sha256_fingerprint IS NULL OR length(sha256_fingerprint) = 64),
    key_id              INTEGER REFERENCES keys (id) ON DELETE SET NULL,
    state               TEXT NOT NULL
                        CHECK (state IN ('issued', 'installed', 'superseded', 'expired', 'revoked')),
    recorded_at         INTEGER NOT NULL,
    state_changed_at    INTEGER NOT NULL,
    UNIQUE (profile, role, issuer, serial),
    CHECK (role NOT IN ('trust_anchor', 'peer_anchor') OR sha256_fingerprint IS NOT NULL)
) STRICT;
CREATE INDEX certificates_by_profile ON certificates (profile, role, state);
CREATE INDEX certificates_by_key ON certificates (key_id) WHERE key_id IS NOT NULL;

CREATE TABLE scep_transactions (
    id                   INTEGER PRIMARY KEY,
    profile              TEXT NOT NULL,
    transaction_id       TEXT NOT NULL CHECK (transaction_id <> ''),
    kind                 TEXT NOT NULL CHECK (kind IN ('enrol', 'renew')),
    csr_der              BLOB NOT NULL,
    key_id               INTEGER REFERENCES keys (id) ON DELETE SET NULL,
    attempts             INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    started_at           INTEGER NOT NULL,
    next_poll_at         INTEGER,
    poll_window_ends_at  INTEGER,
    state                TEXT NOT NULL CHECK (state IN ('pending', 'issued', 'failed', 'abandoned')),
    finished_at          INTEGER,
    last_error           TEXT NOT NULL DEFAULT '',
    CHECK ((state = 'pending') = (finished_at IS NULL))
) STRICT;
CREATE UNIQUE INDEX scep_transactions_one_pending ON scep_transactions (profile)
    WHERE state = 'pending';
CREATE UNIQUE INDEX scep_transactions_pending_id ON scep_transactions (transaction_id)
    WHERE state = 'pending';
CREATE INDEX scep_transactions_by_transaction_id ON scep_transactions (transaction_id);
CREATE INDEX scep_transactions_by_key ON scep_transactions (key_id) WHERE key_id IS NOT NULL;

CREATE TABLE installs (
    id                   INTEGER PRIMARY KEY,
    profile              TEXT NOT NULL,
    store                TEXT NOT NULL,
    version              INTEGER NOT NULL CHECK (version >= 1),
    cert_serial          TEXT NOT NULL,
    state                TEXT NOT NULL
                         CHECK (state IN ('installing', 'installed', 'superseded', 'abandoned')),
    started_at           INTEGER NOT NULL,
    finished_at          INTEGER,
    superseded_at        INTEGER,
    post_install_status  INTEGER,
    post_install_detail  TEXT NOT NULL DEFAULT '',
    UNIQUE (profile, store, version),
    CHECK ((state = 'installing') = (finished_at IS NULL)),
    CHECK ((state = 'superseded') = (superseded_at IS NOT NULL))
) STRICT;
CREATE UNIQUE INDEX installs_one_installed ON installs (profile, store) WHERE state = 'installed';
CREATE INDEX installs_unfinished ON installs (started_at) WHERE state = 'installing';

CREATE TABLE history (
    id          INTEGER PRIMARY KEY,
    profile     TEXT NOT NULL,
    at          INTEGER NOT NULL,
    from_state  TEXT NOT NULL DEFAULT '',
    to_state    TEXT NOT NULL DEFAULT '',
    event       TEXT NOT NULL CHECK (event <> ''),
    detail      TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX history_by_profile ON history (profile, at, id);
CREATE INDEX history_by_time ON history (at);
)sql";

// Version 3: the CWMP agent's memory (docs/storage.md, "Version 3"): events not yet acknowledged
// by an InformResponse, parameter attributes, stable instance numbers, values the ACS wrote.
constexpr std::string_view schema_v3 = R"sql(
CREATE TABLE cwmp_events (
    id           INTEGER PRIMARY KEY,
    event_code   TEXT NOT NULL CHECK (event_code <> ''),
    command_key  TEXT NOT NULL DEFAULT '',
    payload      TEXT NOT NULL DEFAULT '',
    queued_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE cwmp_attributes (
    name          TEXT PRIMARY KEY CHECK (name LIKE 'Device.%'),
    notification  INTEGER NOT NULL CHECK (notification IN (0, 1, 2)),
    access_list   TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE cwmp_instances (
    object    TEXT NOT NULL CHECK (object LIKE 'Device.%.'),
    instance  INTEGER NOT NULL CHECK (instance >= 1),
    key       TEXT,
    PRIMARY KEY (object, instance),
    UNIQUE (object, key)
) STRICT;

CREATE TABLE cwmp_instance_counters (
    object         TEXT PRIMARY KEY,
    last_instance  INTEGER NOT NULL CHECK (last_instance >= 1)
) STRICT;

CREATE TABLE cwmp_values (
    name   TEXT PRIMARY KEY CHECK (name LIKE 'Device.%'),
    value  TEXT NOT NULL
) STRICT;

CREATE TABLE cwmp_reported_values (
    name   TEXT PRIMARY KEY CHECK (name LIKE 'Device.%'),
    value  TEXT NOT NULL
) STRICT;
)sql";

// Version 4: Downloads the ACS asked for and the CPE has not finished (TR-069 Amd 6 §A.3.2.8: a
// TransferComplete must follow, also across a restart).
constexpr std::string_view schema_v4 = R"sql(
CREATE TABLE cwmp_downloads (
    id           INTEGER PRIMARY KEY,
    command_key  TEXT NOT NULL,
    file_type    TEXT NOT NULL,
    url          TEXT NOT NULL,
    username     TEXT NOT NULL,
    password     TEXT NOT NULL,
    file_size    INTEGER NOT NULL CHECK (file_size >= 0),
    due_at       INTEGER NOT NULL
) STRICT;
)sql";

constexpr Migration migrations[] = {
    {1, schema_v1},
    {2, schema_v2},
    {3, schema_v3},
    {4, schema_v4},
};
static_assert(std::size(migrations) == state_db_version, "one migration per version");

}  // namespace

common::Result<void> migrate_state_db(Database& db) {
    static constexpr Schema schema{"state database", state_db_application_id, migrations};
    return migrate(db, schema);
}

common::Result<Database> open_state_db(const std::filesystem::path& path) {
    auto db = Database::open(path);
    if (!db) return db.error();
    if (auto r = migrate_state_db(*db); !r) return r.error();
    return std::move(*db);
}

common::Result<std::filesystem::path> state_db_path(const std::filesystem::path& state_dir) {
    std::error_code ec;
    if (!std::filesystem::exists(state_dir, ec)) {
        std::filesystem::create_directories(state_dir, ec);
        if (ec) {
            return common::fail(common::Errc::io, "cannot create state directory " +
                                                      state_dir.string() + ": " + ec.message());
        }
        std::filesystem::permissions(state_dir, std::filesystem::perms::owner_all, ec);
        if (ec) {
            return common::fail(common::Errc::io, "cannot set mode 0700 on " +
                                                      state_dir.string() + ": " + ec.message());
        }
    } else if (!std::filesystem::is_directory(state_dir, ec)) {
        return common::fail(common::Errc::invalid_argument,
                            state_dir.string() + " is not a directory");
    }
    return state_dir / "state.db";
}

}  // namespace stores
