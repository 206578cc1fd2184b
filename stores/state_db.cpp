#include "stores/state_db.h"

#include <array>
#include <string>
#include <system_error>

namespace stores {
namespace {

// Schema steps, index i migrates version i to i + 1. Append only; never edit a released step.
constexpr std::array<std::string_view, state_db_version> migrations = {
    // 1: the revocation cache (ocsp-crl/revocation_cache.h). One row per piece of evidence:
    // a CRL keyed by (issuer, URL), an OCSP response keyed by (issuer, serial).
    R"sql(
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
);
CREATE INDEX revocation_cache_refresh ON revocation_cache (refresh_at);
)sql",
};

}  // namespace

common::Result<void> migrate_state_db(Database& db) {
    auto version = db.user_version();
    if (!version) return version.error();
    if (*version > state_db_version) {
        return common::fail(common::Errc::unsupported,
                            "state database has schema version " + std::to_string(*version) +
                                ", newer than this build's " + std::to_string(state_db_version) +
                                "; refusing to touch it");
    }
    for (std::int32_t v = *version; v < state_db_version; ++v) {
        auto tx = Transaction::begin(db);
        if (!tx) return tx.error();
        // Re-read inside the write lock: another process may have migrated meanwhile.
        auto current = db.user_version();
        if (!current) return current.error();
        if (*current > v) continue;
        if (auto r = db.exec(migrations[static_cast<std::size_t>(v)]); !r) {
            return common::fail(r.error().code(), "state database migration to version " +
                                                      std::to_string(v + 1) + ": " +
                                                      r.error().message());
        }
        if (auto r = db.set_user_version(v + 1); !r) return r.error();
        if (auto r = tx->commit(); !r) return r.error();
    }
    return {};
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
