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

constexpr Migration migrations[] = {
    {1, schema_v1},
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
